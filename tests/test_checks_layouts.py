"""Another account's rows in members of other layouts: JSON Lines (`.jsonl`, `.ndjson`) and
a member named as a CSV table that holds JSON records. Their customer column attributes
each row as a CSV member's does, whatever the shape of the ids.

Each test rewrites the clean sample's export.zip and reviews it as the app does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from cleancopy import review_changed

from reviewer.domain.archive.tabular import parse_csv
from reviewer.domain.model import Verdict

REQ_ID = "A1QH7RZ3N8VW2E"
THEIRS = "40817734"  # another system's account number: not shaped like the requester's id


def _lines(*records: Mapping[str, object]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


MINE = {"customer_id": REQ_ID, "order_id": "202-4417309-5518734", "ship_city": "London"}
STRANGER = {"customer_id": THEIRS, "customer_name": "Gary Hollis", "order_id": "202-1"}


@pytest.mark.parametrize("name", ["Retail/Orders.jsonl", "Retail/Orders.ndjson"])
def test_another_accounts_rows_in_json_lines_block(tmp_path: Path, name: str) -> None:
    review = review_changed(tmp_path, {name: _lines(MINE, STRANGER)})
    assert review.report.verdict is Verdict.BLOCK
    by_code = {f.code: f for f in review.report.findings}
    assert THEIRS in by_code["foreign-records"].detail
    assert by_code["foreign-records"].members == (name,)
    assert "Gary Hollis" in by_code["foreign-identifier"].detail


def test_the_requesters_own_json_lines_pass(tmp_path: Path) -> None:
    review = review_changed(tmp_path, {"Retail/Orders.jsonl": _lines(MINE, MINE)})
    assert review.report.verdict is Verdict.PASS, [f.code for f in review.report.findings]


@pytest.mark.parametrize(
    "text", [json.dumps([MINE, STRANGER]), _lines(MINE, STRANGER)], ids=["list", "lines"]
)
def test_another_accounts_json_records_in_a_csv_member_block(tmp_path: Path, text: str) -> None:
    review = review_changed(tmp_path, {"Retail/Returns.csv": text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert THEIRS in f.detail and f.members == ("Retail/Returns.csv",)


def test_a_csv_member_of_json_records_reads_as_their_table() -> None:
    table = parse_csv("Returns.csv", json.dumps({"returns": [MINE, STRANGER]}))
    assert table is not None
    assert table.columns == ("customer_id", "order_id", "ship_city", "customer_name")
    assert list(table.values("customer_id")) == [REQ_ID, THEIRS]
    one = parse_csv("Returns.csv", json.dumps(STRANGER) + "\n")
    assert one is not None and list(one.values("customer_name")) == ["Gary Hollis"]
    plain = parse_csv("Returns.csv", 'customer_id,note\nA1,"{not json}"\n')
    assert plain is not None and plain.columns == ("customer_id", "note")
