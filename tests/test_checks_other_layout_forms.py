"""The other-layout sample (no manifest, JSON, Ogg) with members changed the way another
pipeline writes them: judged as the reference layout's forms are."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from cleancopy import changed, review_members, sample_members, sample_ticket

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.review import Review

OTHER_LAYOUT = "other-layout"
STRANGER = "Carlos Pérez Molina"


def _review(tmp_path: Path, changes: Mapping[str, bytes | str | None]) -> Review:
    """The other-layout export with `changes` (member -> new bytes or text, None: removed)."""
    members = changed(sample_members(OTHER_LAYOUT), changes)
    tmp_path.mkdir(exist_ok=True)
    return review_members(tmp_path, members, sample_ticket(OTHER_LAYOUT))


def _critical(review: Review) -> list[str]:
    return [f.code for f in review.report.findings if f.severity is Severity.CRITICAL]


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("account/perfil.txt", f"Titular de la cuenta: {STRANGER}\n"),
        ("account/konto.txt", f"Kontoinhaber: {STRANGER}\n"),
        ("account/perfil.html", f"<table><tr><th>Nom du client</th><td>{STRANGER}</td></tr>"),
        ("account/perfil.xml", f"<perfil><nombreCliente>{STRANGER}</nombreCliente></perfil>"),
        ("account/titular.json", json.dumps({"titularDeLaCuenta": STRANGER})),
        ("account/cliente.json", json.dumps({"nomeCliente": STRANGER})),
    ],
)
def test_another_account_holder_under_a_label_in_another_language_blocks(
    tmp_path: Path, path: str, text: str
) -> None:
    """A Spanish, German, French or Italian pipeline labels the holder in its language: another
    person there is another account's, as under "Account holder"."""
    review = _review(tmp_path, {path: text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert STRANGER in f.detail and f.members == (path,)


@pytest.mark.parametrize(
    "holder", ["Sofía García Romero", "SOFIA GARCIA ROMERO", "García Romero, Sofía"]
)
def test_the_requester_as_holder_under_a_label_in_another_language_passes(
    tmp_path: Path, holder: str
) -> None:
    review = _review(tmp_path, {"account/perfil.txt": f"Titular de la cuenta: {holder}\n"})
    assert review.report.verdict is Verdict.PASS, review.report.findings


MERGED_UTTERANCE = "UE187AAE700D60A4"  # "llama a Javier", 2018-12-02, on the requester's Echo Dot


def _history_with_one_row_merged_from_elsewhere(time: str | None = None) -> bytes:
    """The voice history with one row written as another source writes it: "createdAt" for
    "time", the serial under "deviceSerialNumber" instead of a "device" object."""
    rows = json.loads(sample_members(OTHER_LAYOUT)["alexa/voice-history.json"])
    merged = []
    for row in rows:
        if row["id"] == MERGED_UTTERANCE:
            device = row.pop("device")
            row["createdAt"] = time or row.pop("time")
            row.pop("time", None)
            row["deviceSerialNumber"] = device["serial"]
            row["deviceType"] = device["type"]
        merged.append(row)
    return json.dumps(merged, indent=2).encode()


def test_a_row_merged_from_a_source_naming_its_fields_otherwise_is_read(tmp_path: Path) -> None:
    """One row of the requester's own voice history names its time and device otherwise than
    the rest: each row is read by the names it uses, so the others keep their devices."""
    history = _history_with_one_row_merged_from_elsewhere()
    review = _review(tmp_path, {"alexa/voice-history.json": history})
    assert review.report.verdict is Verdict.PASS, review.report.findings
    [rec] = [r for r in review.index.recordings if r.utterance_id == MERGED_UTTERANCE]
    assert rec.device_serial == "G090LF1203380H2N" and rec.timestamp is not None


def test_a_previous_owners_row_merged_under_other_field_names_blocks(tmp_path: Path) -> None:
    """A recording dated before the device was registered, in a row that writes its time as
    "createdAt" among rows writing "time", is a previous owner's, not an undated one."""
    history = _history_with_one_row_merged_from_elsewhere("2018-09-26T20:05:12Z")
    review = _review(tmp_path, {"alexa/voice-history.json": history, "alexa/transcripts.pdf": None})
    assert review.report.verdict is Verdict.BLOCK
    assert _critical(review) == ["previous-owner"]
    [f] = [f for f in review.report.findings if f.code == "previous-owner"]
    assert f"alexa/recordings/{MERGED_UTTERANCE}.ogg" in f.members


def _history_renamed(time_key: str, serial_key: str, early: bool = False) -> bytes:
    """The voice history with every row's time under `time_key` and its serial, flat, under
    `serial_key`; `early`: the merged utterance dated before the device was registered."""
    rows = []
    for row in json.loads(sample_members(OTHER_LAYOUT)["alexa/voice-history.json"]):
        device = row.pop("device")
        time = "2018-09-26T20:05:12Z" if early and row["id"] == MERGED_UTTERANCE else row["time"]
        del row["time"]
        rows.append({**row, time_key: time, serial_key: device["serial"]})
    return json.dumps(rows, indent=2).encode()


@pytest.mark.parametrize(
    ("time_key", "serial_key"), [("timestampUtc", "serial"), ("time", "numeroSerie")]
)
def test_time_and_serial_under_the_names_other_pipelines_give_them(
    tmp_path: Path, time_key: str, serial_key: str
) -> None:
    """ "timestampUtc" is the recording's time, "numeroSerie" its device's serial: the
    requester's history passes, and a previous owner's recording in it blocks."""
    right = _history_renamed(time_key, serial_key)
    review = _review(tmp_path / "right", {"alexa/voice-history.json": right})
    assert review.report.verdict is Verdict.PASS, review.report.findings
    early = _history_renamed(time_key, serial_key, early=True)
    changes = {"alexa/voice-history.json": early, "alexa/transcripts.pdf": None}
    review = _review(tmp_path / "early", changes)
    assert _critical(review) == ["previous-owner"]
