"""A voice history given as JSON whose list of records sits in wrapping objects, such as
{"data": {"customer": {...}, "items": [records]}}: its rows are the recordings' rows, as for
a flat list or one wrapper key. Only one list of records within a few levels is read; two
are not told apart.

Each test rewrites the clean sample's export.zip with zipfile and reviews it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cleancopy import VOICE_HISTORY_FIELDS, clean_ticket, review_changed, voice_history_rows

from reviewer.domain.archive.tabular import table_from_json
from reviewer.domain.model import Severity, Verdict

CSV = "Alexa/VoiceHistory.csv"
JSON = "Alexa/VoiceHistory.json"
STRANGER = "A5RT8XK2M9QW4N"


def _records(stranger: bool = False) -> list[dict[str, str]]:
    rows = [dict(zip(VOICE_HISTORY_FIELDS, row, strict=True)) for row in voice_history_rows()]
    if stranger:
        rows[0]["customer_id"] = STRANGER
    return rows


def _own_id() -> str:
    customer_id: str = clean_ticket()["requester"]["customer_id"]
    return customer_id


NESTED = {
    "two_levels": lambda rows: {"data": {"customer": {"id": _own_id()}, "items": rows}},
    "three_levels": lambda rows: {
        "export": {"version": 2, "body": {"meta": {"count": len(rows)}, "utterances": rows}}
    },
}


@pytest.mark.parametrize("wrap", NESTED.values(), ids=NESTED.keys())
def test_a_history_nested_in_wrapping_objects_is_read(wrap: Any, tmp_path: Path) -> None:
    review = review_changed(tmp_path, {CSV: None, JSON: json.dumps(wrap(_records()))})
    assert list(review.report.findings) == []
    assert review.report.verdict is Verdict.PASS


def test_another_accounts_row_in_a_nested_history_still_blocks(tmp_path: Path) -> None:
    doc = {"data": {"customer": {"id": _own_id()}, "items": _records(stranger=True)}}
    review = review_changed(tmp_path, {CSV: None, JSON: json.dumps(doc)})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert f.severity is Severity.CRITICAL
    assert STRANGER in f.detail and JSON in f.detail


def test_two_nested_lists_of_records_are_not_taken_for_the_history(tmp_path: Path) -> None:
    """Which list is the history cannot be told: its recordings stay undescribed."""
    rows = _records()
    doc = {"data": {"items": rows[:4], "more": {"items": rows[4:]}}}
    review = review_changed(tmp_path, {CSV: None, JSON: json.dumps(doc)})
    assert review.report.verdict is not Verdict.PASS
    [f] = [f for f in review.report.findings if f.code == "unattributed-member"]
    assert rows[0]["audio_file"] in f.members


def test_records_are_looked_for_a_few_levels_deep_only() -> None:
    rows = [{"id": "1"}, {"id": "2"}]
    four = {"a": {"b": {"c": {"d": rows}}}}
    table = table_from_json("x.json", four)
    assert table is not None and table.columns == ("id",) and len(table.rows) == 2
    assert table_from_json("x.json", {"a": {"b": {"c": {"d": {"e": rows}}}}}) is None
