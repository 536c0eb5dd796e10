"""A voice history whose columns go by other names: the device serial as "dsn",
"Seriennummer" or "Device Serial No.", the account as "Kundennummer" or "Customer No".
The requester's own rows pass; a row of another device or account is still found, with its
recording.

Each test rewrites the clean sample's export.zip and reviews it as the app does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cleancopy import (
    VOICE_HISTORY_FIELDS,
    clean_members,
    clean_ticket,
    review_changed,
    voice_history_rows,
)

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.review import Review

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


# voice histories whose utterance-id column goes by another language's name
ID_HEADERS = {
    "fr": [
        "ID de l'énoncé",
        "Horodatage",
        "Numéro de client",
        "Numéro de série de l'appareil",
        "Type d'appareil",
        "Fichier audio",
        "Transcription",
    ],
    "es": [
        "ID del enunciado",
        "Marca de tiempo",
        "Número de cliente",
        "Número de serie del dispositivo",
        "Tipo de dispositivo",
        "Archivo de audio",
        "Transcripción",
    ],
    "it": [
        "ID enunciato",
        "Data e ora",
        "Codice cliente",
        "Numero di serie",
        "Tipo di dispositivo",
        "File audio",
        "Trascrizione",
    ],
    "de": ["ID der Äußerung", *LOCALISED["de"][1:]],
}
STRANGERS_DEVICE = "G0A0UQ0458810E1R"
TIME_AT = VOICE_HISTORY_FIELDS.index("timestamp")
AUDIO_AT = VOICE_HISTORY_FIELDS.index("audio_file")


def _wrong_rows() -> list[list[str]]:
    """The clean rows and two wrong ones: one before its device (G000RA1103770K5V, registered
    2018-01-15) was registered, one from a device the requester never registered."""
    return [
        *voice_history_rows(),
        [
            "U08DC7A44E3C9BE7",
            "2017-11-01T10:00:00Z",
            "A1QH7RZ3N8VW2E",
            "G000RA1103770K5V",
            "Echo Show",
            "Alexa/Audio/U08DC7A44E3C9BE7.wav",
            "hello",
        ],
        [
            "UABCF2613F1B3AD9",
            "2018-05-01T10:00:00Z",
            "A1QH7RZ3N8VW2E",
            STRANGERS_DEVICE,
            "Echo Spot",
            "Alexa/Audio/UABCF2613F1B3AD9.wav",
            "hello there",
        ],
    ]


def _wrong_audio() -> dict[str, bytes | str | None]:
    clean = clean_members()
    return {
        "Alexa/Audio/U08DC7A44E3C9BE7.wav": clean["Alexa/Audio/U0ABA3654614515C.wav"],
        "Alexa/Audio/UABCF2613F1B3AD9.wav": clean["Alexa/Audio/UB50E72D6FE89A90.wav"],
        "Alexa/Transcripts.pdf": None,
    }


def _codes(review: Review) -> set[str]:
    return {f.code for f in review.report.findings if f.severity is Severity.CRITICAL}


# every header above: the localised ones, and those whose utterance-id column alone is
HEADERS = {**LOCALISED, **{f"{language}, id column": h for language, h in ID_HEADERS.items()}}


@pytest.mark.parametrize("language", sorted(HEADERS))
def test_a_voice_history_with_localised_headers_is_read(tmp_path: Path, language: str) -> None:
    text = _voice_history(HEADERS[language], voice_history_rows())
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]
    assert review.report.stats.recordings == len(voice_history_rows())


@pytest.mark.parametrize("language", sorted(ID_HEADERS))
def test_wrong_recordings_under_a_localised_utterance_id_column_block(
    tmp_path: Path, language: str
) -> None:
    text = _voice_history(ID_HEADERS[language], _wrong_rows())
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text, **_wrong_audio()})
    assert review.report.verdict is Verdict.BLOCK
    assert {"previous-owner", "unknown-device"} <= _codes(review)
    [f] = [f for f in review.report.findings if f.code == "previous-owner"]
    assert "U08DC7A44E3C9BE7" in f.detail


def test_recordings_of_a_requester_with_no_device_under_a_french_header_block(
    tmp_path: Path,
) -> None:
    """The incident: the requester owns no device, the export holds recordings."""
    ticket = clean_ticket()
    ticket["requester"]["devices"] = []
    text = _voice_history(ID_HEADERS["fr"], voice_history_rows())
    review = review_changed(
        tmp_path, {"Alexa/VoiceHistory.csv": text, "Devices/Devices.csv": None}, ticket
    )
    assert review.report.verdict is Verdict.BLOCK
    assert "unknown-device" in _codes(review)


def _without_id(header: list[str], rows: list[list[str]], keep: str | None) -> str:
    """The voice history with its id column renamed to `keep` (an unknown name), or gone."""
    if keep is not None:
        return _voice_history([keep, *header[1:]], rows)
    return _voice_history(header[1:], [r[1:] for r in rows])


@pytest.mark.parametrize("keep", ["Request ID", None])
def test_wrong_recordings_in_a_voice_history_with_no_known_id_column_block(
    tmp_path: Path, keep: str | None
) -> None:
    text = _without_id(list(VOICE_HISTORY_FIELDS), _wrong_rows(), keep)
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text, **_wrong_audio()})
    assert review.report.verdict is Verdict.BLOCK
    assert {"previous-owner", "unknown-device"} <= _codes(review)
    [f] = [f for f in review.report.findings if f.code == "unknown-device"]
    # each recording known by its audio file's name
    assert "UABCF2613F1B3AD9" in f.detail
    assert "Alexa/Audio/UABCF2613F1B3AD9.wav" in f.members


def test_a_voice_history_with_no_id_column_and_no_audio_is_read_by_row(tmp_path: Path) -> None:
    """A timestamp-named export: no id column and no audio file; a stranger's device is found,
    its recording known by its row, while a table of device names and notes is no voice
    history."""
    rows = [r[:AUDIO_AT] + r[AUDIO_AT + 1 :] for r in voice_history_rows()]
    rows[2][SERIAL_AT] = STRANGERS_DEVICE
    header = [h for h in VOICE_HISTORY_FIELDS if h != "audio_file"]
    notes = "timestamp,device,text\n2018-04-02T17:45:19Z,Kitchen Echo,Reminder set\n"
    review = review_changed(
        tmp_path,
        {
            "Alexa/VoiceHistory.csv": _without_id(header, rows, None),
            "Alexa/Notifications.csv": notes,
            "Alexa/Transcripts.pdf": None,
        },
    )
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "unknown-device"]
    assert STRANGERS_DEVICE in f.title and "row 3" in f.detail
    assert "Kitchen Echo" not in f.detail
    assert review.report.stats.recordings == len(rows)


@pytest.mark.parametrize("keep", ["Request ID", None])
def test_an_honest_voice_history_with_no_known_id_column_passes(
    tmp_path: Path, keep: str | None
) -> None:
    """Its recordings known by their audio files' names, a row with no audio file by its
    device and time, each agrees with its catalogue entry."""
    text = _without_id(list(VOICE_HISTORY_FIELDS), voice_history_rows(), keep)
    review = review_changed(tmp_path, {"Alexa/VoiceHistory.csv": text})
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]
    assert review.report.stats.recordings == len(voice_history_rows())
