"""A voice history whose columns go by other names: the device serial as "dsn",
"Seriennummer" or "Device Serial No.", the account as "Kundennummer" or "Customer No".
The requester's own rows pass; a row of another device or account is still found, with its
recording.

Each test rewrites the clean sample's export.zip and reviews it as the app does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cleancopy import VOICE_HISTORY_FIELDS, review_changed, voice_history_rows

from reviewer.domain.model import Verdict

SERIAL_AT = VOICE_HISTORY_FIELDS.index("device_serial")
CUSTOMER_AT = VOICE_HISTORY_FIELDS.index("customer_id")


def _voice_history(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


def _renamed(at: int, name: str) -> list[str]:
    header = list(VOICE_HISTORY_FIELDS)
    header[at] = name
    return header


@pytest.mark.parametrize("name", ["dsn", "Seriennummer", "Device Serial No.", "serial_no"])
def test_the_requesters_devices_under_another_column_name_pass(tmp_path: Path, name: str) -> None:
    text = _voice_history(_renamed(SERIAL_AT, name), voice_history_rows())
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


def test_a_strangers_device_under_another_column_name_blocks(tmp_path: Path) -> None:
    rows = voice_history_rows()
    rows[0][SERIAL_AT] = "G090LF1173430QK7"
    text = _voice_history(_renamed(SERIAL_AT, "Seriennummer"), rows)
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "unknown-device"]
    assert "G090LF1173430QK7" in f.title and rows[0][5] in f.members


@pytest.mark.parametrize("name", ["Kundennummer", "Customer No"])
def test_another_accounts_recording_under_another_account_column_name_blocks(
    tmp_path: Path, name: str
) -> None:
    rows = voice_history_rows()
    rows[0][CUSTOMER_AT] = "A5RT8XK2M9QW4N"
    text = _voice_history(_renamed(CUSTOMER_AT, name), rows)
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert set(f.members) == {"Alexa/VoiceHistory.csv", rows[0][5]}


LOCALISED = {
    "de": [
        "Äußerungs-ID",
        "Zeitstempel",
        "Kundennummer",
        "Seriennummer des Geräts",
        "Gerätetyp",
        "Audiodatei",
        "Transkript",
    ],
    "fr": [
        "ID d'énoncé",
        "Horodatage",
        "Numéro de client",
        "Numéro de série",
        "Type d'appareil",
        "Fichier audio",
        "Transcription",
    ],
    "es": [
        "ID de enunciado",
        "Marca de tiempo",
        "ID de cliente",
        "Número de serie",
        "Tipo de dispositivo",
        "Archivo de audio",
        "Transcripción",
    ],
}


@pytest.mark.parametrize("language", sorted(LOCALISED))
def test_a_voice_history_with_localised_headers_is_read(tmp_path: Path, language: str) -> None:
    text = _voice_history(LOCALISED[language], voice_history_rows())
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]
    assert review.report.stats.recordings == len(voice_history_rows())


@pytest.mark.parametrize("language", sorted(LOCALISED))
def test_a_previous_owners_recording_under_localised_headers_blocks(
    tmp_path: Path, language: str
) -> None:
    rows = voice_history_rows()
    at = VOICE_HISTORY_FIELDS.index("timestamp")
    early = next(r for r in rows if r[SERIAL_AT] == "G090LF0964130QAB")
    early[at] = "2016-11-14T07:12:40Z"  # the device was registered on 2017-03-02
    text = _voice_history(LOCALISED[language], rows)
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "previous-owner"]
    assert early[0] in f.detail and "2016-11-14" in f.detail
