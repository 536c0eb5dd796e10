"""The identity scan's text of a parsed JSON document is `json.dumps(doc, ensure_ascii=False)`,
however many documents are rendered in a row (`model._Dumps` keeps one C encoder)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from reviewer.domain.model import _Dumps, _dumps

DOCS: list[Any] = [
    {"order_id": "302-1", "ship_to": {"name": "Anna Weber", "city": "Köln"}, "total": "1.00"},
    {"a": [1, 2.5, None, True, False, 'x\u2028y"\\'], "b": {"c": {"d": []}}},
    {"nan": math.nan, "inf": math.inf, "big": 10**30, "e": 1e-7, "": ""},
    {"emoji": "\U0001f600", "control": "\x00\x1f", "é": "ü"},
    {},
]


def test_many_documents_render_as_json_dumps_renders_each() -> None:
    dumps = _Dumps()
    for doc in DOCS * 3:
        assert dumps(doc) == _dumps(doc) == json.dumps(doc, ensure_ascii=False)


def test_what_json_cannot_hold_fails_as_before_and_the_next_document_renders() -> None:
    dumps = _Dumps()
    circular: dict[str, Any] = {"a": 1}
    circular["self"] = circular
    with pytest.raises(ValueError):
        _dumps(circular)
    with pytest.raises(ValueError):
        dumps(circular)
    with pytest.raises(TypeError):
        dumps({"a": object()})
    assert dumps(DOCS[0]) == _dumps(DOCS[0])
