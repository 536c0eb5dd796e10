"""previous-owner and unknown-device on hand-built indexes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import zipcraft
from cleancopy import review_changed, voice_history_rows
from test_checks_common import (
    OTHER_ID,
    OTHER_SERIAL,
    REQ_ID,
    SERIAL,
    clean_export,
    codes,
    make_request,
)

from reviewer.archive import Limits, read_export
from reviewer.domain.checks import previous_owner, run_checks, unattributed, unknown_device
from reviewer.domain.model import Severity, Verdict
from reviewer.domain.report import verdict_for
from reviewer.domain.review import Review


def test_recordings_before_registration_are_a_previous_owners() -> None:
    b = clean_export().record("p1", "2017-11-30T21:00:00Z").record("p2", "2017-12-23T23:59:00Z")
    b.record("ok", "2017-12-24T00:01:00Z")
    [f] = previous_owner.check(make_request(), b.build())
    assert f.code == "previous-owner"
    assert f.severity is Severity.CRITICAL
    assert f.members == ("Alexa/VoiceHistory.csv", "Alexa/Audio/p1.wav", "Alexa/Audio/p2.wav")
    assert SERIAL in f.detail and "2017-12-24" in f.detail
    assert "2017-11-30 to 2017-12-23" in f.detail
    assert "p1, p2" in f.detail and "ok" not in f.detail


def test_without_registration_date_the_account_creation_is_the_limit() -> None:
    req = make_request(devices=[{"serial": SERIAL, "type": "Echo Dot"}])
    b = clean_export().record("old", "2013-05-01T10:00:00Z")
    [f] = [f for f in previous_owner.check(req, b.build()) if f.code == "previous-owner"]
    assert f.members == ("Alexa/VoiceHistory.csv", "Alexa/Audio/old.wav")
    assert "created the account on 2014-03-11" in f.detail


def test_a_device_without_registration_date_is_a_warning_naming_it_never_a_pass() -> None:
    """The rule cannot be applied to a device the ticket gives no date for: its recordings
    are the reviewer's to judge (the verdict is review), never silently passed."""
    req = make_request(
        account_created_at=None,
        devices=[
            {"serial": SERIAL, "type": "Echo Dot", "name": "Living room", "registered_at": None}
        ],
    )
    b = clean_export().record("early", "2015-06-01T10:00:00Z")
    [f] = previous_owner.check(req, b.build())
    assert (f.code, f.severity) == ("previous-owner-unchecked", Severity.WARNING)
    assert SERIAL in f.title and "Living room" in f.detail
    assert "registration date unknown" in f.detail.lower()
    assert "cannot be checked against a previous owner" in f.detail
    assert "2015-06-01" in f.detail
    assert verdict_for(run_checks(req, b.build())) is Verdict.REVIEW


def test_before_the_account_existed_blocks_and_the_rest_stays_unchecked() -> None:
    req = make_request(devices=[{"serial": SERIAL, "type": "Echo Dot"}])  # account 2014-03-11
    b = clean_export().record("old", "2013-05-01T10:00:00Z")
    found = previous_owner.check(req, b.build())
    assert [(f.code, f.severity) for f in found] == [
        ("previous-owner", Severity.CRITICAL),
        ("previous-owner-unchecked", Severity.WARNING),
    ]
    assert "2013-05-01" not in found[1].detail  # the early one is the critical finding's


def test_an_undated_device_with_no_recordings_in_the_export_needs_nothing() -> None:
    req = make_request(
        devices=[{"serial": OTHER_SERIAL}, {"serial": SERIAL, "registered_at": "2010-01-01"}]
    )
    assert previous_owner.check(req, clean_export().build()) == []


def test_a_foreign_accounts_old_recordings_are_not_previous_owner() -> None:
    b = clean_export().record("x", "2016-01-01T00:00:00Z", customer=OTHER_ID)
    assert previous_owner.check(make_request(), b.build()) == []


def test_recordings_from_an_unregistered_serial_are_unknown_device() -> None:
    b = clean_export().record("d1", serial=OTHER_SERIAL).record("d2", serial=OTHER_SERIAL)
    [f] = unknown_device.check(make_request(), b.build())
    assert f.code == "unknown-device"
    assert f.severity is Severity.CRITICAL
    assert OTHER_SERIAL in f.title
    assert f.members == ("Alexa/VoiceHistory.csv", "Alexa/Audio/d1.wav", "Alexa/Audio/d2.wav")
    assert f"registered only {SERIAL}" in f.detail


def test_a_requester_without_devices_has_only_unknown_devices() -> None:
    req = make_request(devices=[])
    b = clean_export()
    b.extra["Alexa/Audio/stray.wav"] = b"RIFF"
    found = unknown_device.check(req, b.build())
    assert [f.members for f in found] == [
        (
            "Alexa/VoiceHistory.csv",
            "Alexa/Audio/u001.wav",
            "Alexa/Audio/u002.wav",
            "Alexa/Audio/u003.wav",
        ),
        ("Alexa/Audio/stray.wav",),
    ]
    assert "no registered devices" in found[0].detail
    # ... and the stray audio is not reported a second time as unattributed.
    assert unattributed.check(req, b.build()) == []


def test_a_clean_export_has_no_device_findings() -> None:
    found = run_checks(make_request(), clean_export().build())
    assert "unknown-device" not in codes(found) and "previous-owner" not in codes(found)


def test_a_device_given_as_an_object_is_judged_by_its_serial() -> None:
    b = clean_export()
    b.record("j1", serial=json.dumps({"serial": SERIAL, "type": "Echo Dot"}))
    b.record("j2", serial=json.dumps({"serial": OTHER_SERIAL, "type": "Echo Spot"}))
    b.catalogue = [dict(r) for r in b.recordings]
    for r in b.catalogue:
        r["device_serial"] = SERIAL if r["utterance_id"] != "j2" else OTHER_SERIAL
    index = b.build()
    [f] = unknown_device.check(make_request(), index)
    assert f.members == ("Alexa/VoiceHistory.csv", "Alexa/Audio/j2.wav")
    assert f"device {OTHER_SERIAL}" in f.detail
    from reviewer.domain.checks import catalogue

    assert catalogue.check(make_request(), index) == []


def test_a_device_object_in_a_json_history_cannot_hide_a_foreign_device(tmp_path: Path) -> None:
    # A real export whose JSON voice history nests the device: the requester's own Echo Dot is
    # not reported, the unregistered Echo Spot is, by its serial and type, never as raw JSON.
    history = [
        {
            "id": uid,
            "time": when,
            "customerId": REQ_ID,
            "device": {"serial": serial, "type": kind},
            "text": "wie spät ist es",
        }
        for uid, when, serial, kind in [
            ("own1", "2018-03-01T10:00:00Z", SERIAL, "Echo Dot"),
            ("own2", "2018-03-02T10:00:00Z", SERIAL, "Echo Dot"),
            ("spot1", "2018-04-01T10:00:00Z", OTHER_SERIAL, "Echo Spot"),
            ("spot2", "2018-04-09T10:00:00Z", OTHER_SERIAL, "Echo Spot"),
        ]
    ]
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        zipcraft.zip_of(
            {
                "account/customer.json": json.dumps(
                    {"customerId": REQ_ID, "fullName": "Jonas Weber"}
                ).encode(),
                "alexa/voice-history.json": json.dumps(history).encode(),
            }
        )
    )
    index = read_export(archive, Limits())
    found = [f for f in run_checks(make_request(), index) if f.code == "unknown-device"]
    [f] = found
    assert OTHER_SERIAL in f.title and "{" not in f.title
    assert f"2 recordings from device {OTHER_SERIAL} (Echo Spot), 2018-04-01 to 2018-04-09" in (
        f.detail
    )
    assert "spot1, spot2" in f.detail and "own1" not in f.detail and "{" not in f.detail


# how Alexa's activity history (and other pipelines) list a recording's device: a list of
# device objects, or of serials
DEVICE_LISTS: dict[str, Callable[[str], dict[str, object]]] = {
    "sourceDeviceIds": lambda s: {
        "sourceDeviceIds": [{"deviceType": "A3S5BH2HU6VAYF", "serialNumber": s}]
    },
    "device list": lambda s: {"device": [{"deviceType": "A3S5BH2HU6VAYF", "serialNumber": s}]},
    "serial list": lambda s: {"sourceDeviceIds": [s]},
}


def _activities(device: Callable[[str], dict[str, object]], stranger: bool) -> str:
    """The clean sample's voice history as Alexa's activity JSON; with `stranger`, its first
    activity on a device the requester never registered."""
    acts = []
    for i, (uid, ts, cid, serial, _, audio, text) in enumerate(voice_history_rows()):
        when = datetime.fromisoformat(ts.replace("Z", "+00:00"))
        acts.append(
            {
                "utteranceId": uid,
                "creationTimestamp": int(when.timestamp() * 1000),
                "customerId": cid,
                "description": json.dumps({"summary": text}),
                "audioFile": audio,
                **device("G0A0UQ0458810E1R" if stranger and i == 0 else serial),
            }
        )
    return json.dumps({"activities": acts}, indent=1)


def _review_activities(tmp_path: Path, history: str) -> Review:
    """The clean export with its voice history and catalogue replaced by `history`."""
    changes: dict[str, bytes | str | None] = {
        "Alexa/VoiceHistory.csv": None,
        "Alexa/Transcripts.pdf": None,
        "Alexa/VoiceHistory.json": history,
    }
    return review_changed(tmp_path, changes)


@pytest.mark.parametrize("shape", sorted(DEVICE_LISTS))
def test_an_alexa_activity_history_listing_the_requesters_devices_passes(
    tmp_path: Path, shape: str
) -> None:
    review = _review_activities(tmp_path, _activities(DEVICE_LISTS[shape], stranger=False))
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


@pytest.mark.parametrize("shape", sorted(DEVICE_LISTS))
def test_a_strangers_device_in_an_alexa_activity_history_blocks_by_its_serial(
    tmp_path: Path, shape: str
) -> None:
    review = _review_activities(tmp_path, _activities(DEVICE_LISTS[shape], stranger=True))
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "unknown-device"]
    assert f.title.endswith("(G0A0UQ0458810E1R)") and "[" not in f.detail
    assert f.members == ("Alexa/VoiceHistory.json", voice_history_rows()[0][5])


def test_a_device_list_naming_an_unregistered_device_under_the_requester_is_a_warning() -> None:
    """A stranger's Echo listed under the requester's id in the export's device table, with
    no recording from it: the identity side's list may lag, so it is a warning to look."""
    from reviewer.domain.model import Table

    request = make_request()
    index = clean_export().build()
    index.tables["Devices/Devices.csv"] = Table(
        "Devices/Devices.csv",
        ("customer_id", "serial", "type"),
        [(REQ_ID, SERIAL, "Echo Dot"), (REQ_ID, OTHER_SERIAL, "Echo Show"), (OTHER_ID, "G0X", "")],
    )
    found = [f for f in unknown_device.check(request, index) if f.severity is Severity.WARNING]
    (f,) = found
    assert f.members == ("Devices/Devices.csv",) and OTHER_SERIAL in f.detail
    assert "G0X" not in f.detail  # another account's device: foreign-records says so


def test_the_requesters_id_grouped_in_the_voice_history_is_still_theirs() -> None:
    """A pipeline that writes the customer id grouped ("A3KX-9ZQ2-M7T1-LB"): the rows are
    the requester's, so a recording from a device they never registered is still found."""
    from dataclasses import replace

    request = make_request()
    index = clean_export().build()
    grouped = "-".join([REQ_ID[:4], REQ_ID[4:8], REQ_ID[8:12], REQ_ID[12:]]).lower()
    index.recordings = [replace(r, customer_id=grouped) for r in index.recordings]
    index.recordings[0] = replace(index.recordings[0], device_serial=OTHER_SERIAL)
    found = [f for f in unknown_device.check(request, index) if f.severity is Severity.CRITICAL]
    assert found and OTHER_SERIAL in found[0].title


def test_a_serial_grouped_in_the_voice_history_is_the_registered_device() -> None:
    """One rule compares serials (case and grouping aside) for every check: a voice history
    that writes the requester's serial grouped ("g070-vm1a-8312-0045") is the registered
    device, so it is no unknown device, and its recordings before registration are still a
    previous owner's."""
    from dataclasses import replace

    from reviewer.domain.checks import catalogue

    request = make_request()
    b = clean_export().record("p1", "2017-11-30T21:00:00Z")
    index = b.build()
    parts = [SERIAL[:4], SERIAL[4:8], SERIAL[8:12], SERIAL[12:]]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in SERIAL)  # Ｇ０７０...
    for grouped in ("-".join(parts).lower(), ".".join(parts), "_".join(parts), full_width):
        index = b.build()
        index.recordings = [replace(r, device_serial=grouped) for r in index.recordings]
        assert unknown_device.check(request, index) == [], grouped
        [early] = previous_owner.check(request, index)
        assert early.code == "previous-owner" and "Alexa/Audio/p1.wav" in early.members
        # the catalogue, which writes the serial ungrouped, agrees with the grouped history
        assert not [f for f in catalogue.check(request, index) if "device" in f.title.lower()]
    # another device's serial, however grouped, is still another device
    index = b.build()
    other = ".".join([OTHER_SERIAL[:4], OTHER_SERIAL[4:]])
    index.recordings = [replace(r, device_serial=other) for r in index.recordings]
    assert [f.code for f in unknown_device.check(request, index)] == ["unknown-device"]


def test_a_ticket_without_a_devices_field_leaves_the_devices_unchecked(tmp_path: Path) -> None:
    """Missing is not empty: a ticket that says nothing of the requester's devices makes the
    recordings' devices a warning to look into; `devices: []` (no device at all) blocks."""
    from cleancopy import clean_ticket, review_changed

    ticket = clean_ticket()
    del ticket["requester"]["devices"]
    review = review_changed(tmp_path, {}, ticket)
    assert review.report.verdict is Verdict.REVIEW
    [f] = [f for f in review.report.findings if f.code == "unknown-device"]
    assert f.severity is Severity.WARNING and "no devices field" in f.detail

    ticket["requester"]["devices"] = []
    (tmp_path / "empty").mkdir()
    review = review_changed(tmp_path / "empty", {}, ticket)
    assert review.report.verdict is Verdict.BLOCK
    assert {f.severity for f in review.report.findings if f.code == "unknown-device"} == {
        Severity.CRITICAL
    }
