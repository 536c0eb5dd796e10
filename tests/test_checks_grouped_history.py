"""A JSON voice history whose recordings are grouped under a parent that carries a field they
lack: under a key that is the device's serial ({"devices": {"G090...": [records]}}), the
account's id or the day, or in a parent object that names the device ({"devices":
[{"serialNumber": ..., "type": ..., "utterances": [records]}]}). Each recording is read as
if it carried its group's field: the requester's own recordings pass, another device's,
account's or an earlier day's are found as in a flat history.

Each test rewrites the other-layout sample's alexa/voice-history.json (its records carry
their device as an object) and reviews the export.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from cleancopy import review_members, sample_members, sample_ticket

from reviewer.domain.archive.tabular import table_from_json
from reviewer.domain.model import Finding, Severity, Verdict
from reviewer.domain.review import Review

OTHER_LAYOUT = "other-layout"
HISTORY = "alexa/voice-history.json"
SERIAL = "G090LF1203380H2N"  # the requester's Echo Dot, registered 2018-10-31
OWN_ID = "A5YB8NC3TK7W1D"
STRANGER_SERIAL = "G0A0UQ0458810E1R"
STRANGER_ID = "A8RW3KD6PX2M9N"


def _records(*drop: str) -> list[dict[str, Any]]:
    """The sample's voice-history records without their device (and the fields `drop`)."""
    records: list[dict[str, Any]] = json.loads(sample_members(OTHER_LAYOUT)[HISTORY])
    assert all(r["device"]["serial"] == SERIAL for r in records)
    return [{k: v for k, v in r.items() if k not in ("device", *drop)} for r in records]


def _review(tmp_path: Path, history: Any) -> Review:
    members = sample_members(OTHER_LAYOUT)
    members[HISTORY] = json.dumps(history, ensure_ascii=False, indent=2).encode()
    return review_members(tmp_path, members, sample_ticket(OTHER_LAYOUT))


def _findings(review: Review, code: str) -> list[Finding]:
    return [f for f in review.report.findings if f.code == code]


# the requester's recordings under her device's serial, as other pipelines group them
KEYED_BY_SERIAL = {
    "devices": lambda recs: {"devices": {SERIAL: recs}},
    "by_device": lambda recs: {"byDevice": {SERIAL: recs}},
    "serial_keys_alone": lambda recs: {SERIAL: recs},
    "nested": lambda recs: {"export": {"version": 2, "voiceHistory": {"devices": {SERIAL: recs}}}},
    "written_grouped": lambda recs: {"devices": {"G090-LF12-0338-0H2N": recs}},
}


@pytest.mark.parametrize("layout", KEYED_BY_SERIAL.values(), ids=KEYED_BY_SERIAL.keys())
def test_recordings_keyed_by_the_requesters_serial_pass(tmp_path: Path, layout: Any) -> None:
    review = _review(tmp_path, layout(_records()))
    assert review.report.verdict is Verdict.PASS, review.report.findings
    assert len(review.index.recordings) == 6
    assert {r.device_serial for r in review.index.recordings} <= {SERIAL, "G090-LF12-0338-0H2N"}


def test_recordings_keyed_by_a_serial_the_requester_never_registered_block(
    tmp_path: Path,
) -> None:
    """The lists of one grouping object are one history: the stranger's device's list is
    read beside the requester's, not left undescribed."""
    recs = _records()
    history = {"devices": {SERIAL: recs[:5], STRANGER_SERIAL: recs[5:]}}
    review = _review(tmp_path, history)
    assert review.report.verdict is Verdict.BLOCK
    [f] = _findings(review, "unknown-device")
    assert f.severity is Severity.CRITICAL
    assert STRANGER_SERIAL in f.title and recs[5]["id"] in f.detail
    assert HISTORY in f.members and recs[5]["recording"] in f.members
    assert not _findings(review, "unattributed-member")


def test_a_device_object_per_group_gives_its_serial_and_type(tmp_path: Path) -> None:
    recs = _records()
    history = {
        "devices": [
            {"serialNumber": SERIAL, "type": "Echo Dot", "utterances": recs[:5]},
            {"serialNumber": STRANGER_SERIAL, "type": "Echo Spot", "utterances": recs[5:]},
        ]
    }
    review = _review(tmp_path, history)
    assert review.report.verdict is Verdict.BLOCK
    [f] = _findings(review, "unknown-device")
    assert f.severity is Severity.CRITICAL
    assert STRANGER_SERIAL in f.title and "(Echo Spot)" in f.detail
    assert recs[5]["recording"] in f.members


PARENT_OBJECTS = {
    "serial_field": lambda recs: {
        "devices": [{"serialNumber": SERIAL, "type": "Echo Dot", "utterances": recs}]
    },
    "device_object": lambda recs: {
        "history": [{"device": {"serial": SERIAL, "type": "Echo Dot"}, "records": recs}]
    },
    "one_device_wrapper": lambda recs: {"deviceSerialNumber": SERIAL, "utterances": recs},
}


@pytest.mark.parametrize("layout", PARENT_OBJECTS.values(), ids=PARENT_OBJECTS.keys())
def test_recordings_in_the_requesters_device_object_pass(tmp_path: Path, layout: Any) -> None:
    review = _review(tmp_path, layout(_records()))
    assert review.report.verdict is Verdict.PASS, review.report.findings
    assert [r.device_serial for r in review.index.recordings] == [SERIAL] * 6


def test_recordings_grouped_by_day_are_dated_by_their_day(tmp_path: Path) -> None:
    """Records that carry no time of their own are dated by their group's day: one on a
    day before the requester registered the device is a previous owner's."""
    recs = _records("time")
    days = ["2018-11-01", "2018-11-15", "2018-12-02", "2018-12-20", "2019-01-06", "2018-10-20"]
    by_day: dict[str, list[dict[str, Any]]] = {}
    for day, rec in zip(days, recs, strict=True):
        by_day.setdefault(day, []).append({**rec, "device": {"serial": SERIAL}})
    review = _review(tmp_path, {"days": by_day})
    assert sorted(str(r.timestamp.date()) for r in review.index.recordings if r.timestamp) == (
        sorted(days)
    )
    [f] = _findings(review, "previous-owner")
    assert f.severity is Severity.CRITICAL
    assert recs[5]["id"] in f.detail and "2018-10-20" in f.detail


@pytest.mark.parametrize(
    ("account", "verdict"), [(OWN_ID, Verdict.PASS), (STRANGER_ID, Verdict.BLOCK)]
)
def test_recordings_keyed_by_account_are_that_accounts(
    tmp_path: Path, account: str, verdict: Verdict
) -> None:
    recs = [{**r, "device": {"serial": SERIAL}} for r in _records("customerId")]
    review = _review(tmp_path, {"customers": {account: recs}})
    assert review.report.verdict is verdict, review.report.findings
    assert {r.customer_id for r in review.index.recordings} == {account}
    if account == STRANGER_ID:
        assert any(
            STRANGER_ID in f.detail and HISTORY in f.members
            for f in _findings(review, "wrong-customer") + _findings(review, "foreign-records")
        )


def test_a_records_own_serial_beats_its_groups_key(tmp_path: Path) -> None:
    """A record that names its device keeps it: the stranger's Echo filed under the
    requester's serial is still the stranger's."""
    recs = _records()
    recs[0] = {**recs[0], "deviceSerial": STRANGER_SERIAL}
    review = _review(tmp_path, {"devices": {SERIAL: recs}})
    assert review.report.verdict is Verdict.BLOCK
    [f] = _findings(review, "unknown-device")
    assert STRANGER_SERIAL in f.title and recs[0]["id"] in f.detail


@pytest.mark.parametrize(
    "history",
    [
        # a key with no serial's shape is no serial: the records name no device
        {"devices": {"Salón": _records()}},
        # two groups of different shapes are two tables, not one history
        {"devices": {SERIAL: _records(), STRANGER_SERIAL: [{"name": "Echo Spot"}]}},
        # keys that are no serial, day or account by shape or name: nothing inherited
        {"history": {"kitchen": _records()[:3], "salon": _records()[3:]}},
    ],
    ids=["not_a_serial", "different_shapes", "no_telling_keys"],
)
def test_groups_that_name_no_device_do_not_pass(tmp_path: Path, history: Any) -> None:
    review = _review(tmp_path, history)
    assert review.report.verdict is not Verdict.PASS
    assert SERIAL not in {r.device_serial for r in review.index.recordings}


def test_a_list_of_parents_that_are_no_recordings_holders_is_left_as_it_is() -> None:
    """Orders with their items, or devices with their settings, stay tables of parents: only
    recordings are read from under a parent."""
    orders = {
        "orders": [
            {"orderId": "1", "customerId": OWN_ID, "items": [{"sku": "B1", "qty": 1}]},
            {"orderId": "2", "customerId": OWN_ID, "items": [{"sku": "B2", "qty": 2}]},
        ]
    }
    table = table_from_json("shopping/orders.json", orders)
    assert table is not None and table.columns == ("orderId", "customerId", "items")
    assert len(table.rows) == 2


def test_the_flat_history_reads_as_before() -> None:
    """A history whose records carry their device is read as it is, fields added to none."""
    recs: list[Mapping[str, Any]] = json.loads(sample_members(OTHER_LAYOUT)[HISTORY])
    table = table_from_json(HISTORY, {"deviceSerialNumber": SERIAL, "utterances": recs})
    assert table is not None and "deviceSerial" not in table.columns
