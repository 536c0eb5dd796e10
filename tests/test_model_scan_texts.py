"""The identity scan's text of a parsed JSON document is `json.dumps(doc, ensure_ascii=False)`,
however many documents are rendered in a row (`ExportIndex.scan_texts` keeps one C encoder)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from reviewer.domain.model import ExportIndex, Member, MemberKind, Table

DOCS: list[Any] = [
    {"order_id": "302-1", "ship_to": {"name": "Anna Weber", "city": "Köln"}, "total": "1.00"},
    {"a": [1, 2.5, None, True, False, 'x\u2028y"\\'], "b": {"c": {"d": []}}},
    {"nan": math.nan, "inf": math.inf, "big": 10**30, "e": 1e-7, "": ""},
    {"emoji": "\U0001f600", "control": "\x00\x1f", "é": "ü"},
    {},
]


def _index(docs: dict[str, Any], tables: dict[str, Table] | None = None) -> ExportIndex:
    paths = [*docs, *(tables or {})]
    members = [Member(p, 1, 1, MemberKind.JSON, "JSON document") for p in paths]
    return ExportIndex("export.zip", "", 0, members, json_docs=docs, tables=tables or {})


def test_many_documents_render_as_json_dumps_renders_each() -> None:
    docs = {f"d{i}.json": doc for i, doc in enumerate(DOCS * 3)}
    got = list(_index(docs).scan_texts())
    assert got == [(p, json.dumps(doc, ensure_ascii=False)) for p, doc in docs.items()]


def test_a_duplicated_name_has_one_text_and_a_null_document_has_its_own() -> None:
    index = _index({"a.json": DOCS[0], "null.json": None})
    index.members.append(Member("a.json", 1, 1, MemberKind.JSON, "JSON document"))
    index.tables["t.csv"] = Table("t.csv", ("a", "b"), [("1", "2")])
    index.members.append(Member("t.csv", 1, 1, MemberKind.CSV, "CSV table"))
    assert list(index.scan_texts()) == [
        ("a.json", json.dumps(DOCS[0], ensure_ascii=False)),
        ("null.json", "null"),
        ("t.csv", "a,b\n1,2"),
    ]


def test_what_json_cannot_hold_fails_as_json_dumps_fails() -> None:
    circular: dict[str, Any] = {"a": 1}
    circular["self"] = circular
    with pytest.raises(ValueError):
        json.dumps(circular, ensure_ascii=False)
    with pytest.raises(ValueError):
        list(_index({"ok.json": DOCS[0], "circular.json": circular}).scan_texts())
    with pytest.raises(TypeError):
        list(_index({"object.json": {"a": object()}}).scan_texts())
    # each scan starts afresh
    assert list(_index({"ok.json": DOCS[0]}).scan_texts())[0][1] == json.dumps(
        DOCS[0], ensure_ascii=False
    )
