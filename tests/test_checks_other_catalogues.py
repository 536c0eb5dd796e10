"""Another account's transcripts outside the catalogue: a second catalogue PDF under another
name, a catalogue's text saved as a .txt, a catalogue inside a nested archive. Their entries
name the devices they came from: one the requester never registered blocks, whatever the
file is called. A copy of the requester's own catalogue passes.

Each test rewrites the clean sample's export.zip (catalogues written by `pdfcraft`) and
reviews it as the app does.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pdfcraft
import pytest
from cleancopy import review_changed, voice_history_rows

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.review import Review

STRANGERS = [
    ("2017-11-02T19:04:11Z", "G090LF1173430QK7", "UX9Q2M4K7T1B8C0D", "ruf Lena an"),
    ("2017-11-03T07:12:40Z", "G0911W0772451A3T", "UX9Q2M4K7T1B8C0E", "wie wird das Wetter"),
]


def _catalogue(entries: list[pdfcraft.Entry]) -> bytes:
    return pdfcraft.build(pdfcraft.catalogue_pages(entries))


def _as_text(entries: list[pdfcraft.Entry]) -> str:
    return "Transcripts\n" + "".join(f"{t}  {s}  {u}\n{text}\n" for t, s, u, text in entries)


def _nested(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("member", "data", "named"),
    [
        ("Alexa/Archive/Transcripts_2017.pdf", _catalogue(STRANGERS), None),
        ("Alexa/transcripts-old.txt", _as_text(STRANGERS), None),
        (
            "Alexa/old.zip",
            _nested("Transcripts.pdf", _catalogue(STRANGERS)),
            "Alexa/old.zip!Transcripts.pdf",
        ),
    ],
    ids=["pdf", "text", "nested"],
)
def test_a_strangers_transcripts_under_another_name_block(
    tmp_path: Path, member: str, data: bytes | str, named: str | None
) -> None:
    review = review_changed(tmp_path, {member: data})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "unknown-device"]
    assert f.severity is Severity.CRITICAL
    assert f.members == (named or member,)
    assert "G090LF1173430QK7" in f.detail and "G0911W0772451A3T" in f.detail
    assert "2 transcript entries" in f.detail


def test_a_copy_of_the_requesters_own_catalogue_passes(tmp_path: Path) -> None:
    own = [(r[1], r[3], r[0], r[6]) for r in voice_history_rows()]
    review = review_changed(tmp_path, {"Alexa/Archive/Transcripts_2018.pdf": _catalogue(own)})
    assert review.report.verdict is Verdict.PASS, review.report.findings


def _own() -> list[pdfcraft.Entry]:
    return [(r[1], r[3], r[0], r[6]) for r in voice_history_rows()]


def _mismatches(review: Review, member: str) -> list[str]:
    findings = review.report.findings
    return [f.title for f in findings if f.code == "catalogue-mismatch" and member in f.members]


@pytest.mark.parametrize(
    ("member", "as_text", "main_removed"),
    [
        ("Alexa/Archive/Transcripts_2018.pdf", False, False),
        ("Alexa/Transcripts.txt", True, True),
        ("Alexa/Transcripts.txt", True, False),
    ],
    ids=["second pdf", "text instead of the pdf", "text beside the pdf"],
)
def test_another_catalogue_that_disagrees_with_the_voice_history_blocks(
    tmp_path: Path, member: str, as_text: bool, main_removed: bool
) -> None:
    """Every catalogue in the export is compared with the voice history, not only
    Alexa/Transcripts.pdf: another one saying something else of the same utterance is a
    disagreement, wherever it is."""
    own = _own()
    stamp, serial, uid, _text = own[0]
    own[0] = (stamp, serial, uid, "order ninety bottles of wine")
    data: bytes | str = _as_text(own) if as_text else _catalogue(own)
    changes: dict[str, bytes | str | None] = {member: data}
    if main_removed:
        changes["Alexa/Transcripts.pdf"] = None
    review = review_changed(tmp_path, changes)
    assert review.report.verdict is Verdict.BLOCK
    titles = _mismatches(review, member)
    assert titles == ["1 transcript differs between catalogue and voice history"], titles


def test_another_catalogues_entry_the_voice_history_lacks_blocks(tmp_path: Path) -> None:
    """A second catalogue holding a transcript of a registered device from before the
    requester registered it (a previous owner's), which no voice-history row describes."""
    early = ("2017-11-01T10:00:00Z", "G000RA1103770K5V", "UQ7T1B8C0D2M4K9X", "wer bin ich")
    review = review_changed(
        tmp_path, {"Alexa/Archive/Transcripts_old.pdf": _catalogue([*_own()[:2], early])}
    )
    assert review.report.verdict is Verdict.BLOCK
    [title] = _mismatches(review, "Alexa/Archive/Transcripts_old.pdf")
    assert title == "1 catalogue entry not in the voice history"


def test_an_excerpt_of_the_requesters_catalogue_passes(tmp_path: Path) -> None:
    """A second catalogue need not list every recording: an excerpt that agrees passes."""
    review = review_changed(tmp_path, {"Alexa/Archive/Highlights.pdf": _catalogue(_own()[:3])})
    assert review.report.verdict is Verdict.PASS, review.report.findings


def test_a_copy_of_the_catalogue_pdf_with_its_document_properties_passes(tmp_path: Path) -> None:
    """The catalogue PDF as the pipeline writes it (a title and a creator in its properties)
    copied under another name: its properties are no part of its last entry's transcript."""
    from cleancopy import clean_members

    pdf = clean_members()["Alexa/Transcripts.pdf"]
    review = review_changed(tmp_path, {"Alexa/Archive/Transcripts_copy.pdf": pdf})
    assert "Title:" in review.index.attached["Alexa/Archive/Transcripts_copy.pdf"]
    assert review.report.verdict is Verdict.PASS, review.report.findings


def test_a_log_whose_lines_look_like_catalogue_headers_is_no_catalogue(tmp_path: Path) -> None:
    """A firmware log of the requester's own devices: a time, a serial and an update id a
    line, no transcript; it is not compared with the voice history."""
    rows = voice_history_rows()
    log = "".join(
        f"2018-03-0{i + 1} 09:00:00  {r[3]}  fw-64354122{i}\n" for i, r in enumerate(rows[:4])
    )
    review = review_changed(tmp_path, {"Devices/FirmwareLog.txt": log})
    assert review.report.verdict is Verdict.PASS, review.report.findings


@pytest.mark.parametrize("member", ["Retail/notes.txt", "Retail/Receipt.pdf"])
def test_a_previous_owners_catalogue_under_a_neutral_name_blocks(
    tmp_path: Path, member: str
) -> None:
    """Transcripts on the requester's own Echo Show from before she registered it, saved
    under a name that says nothing of transcripts: compared all the same."""
    early = [
        ("2017-11-01T10:00:00Z", "G000RA1103770K5V", "UQ7T1B8C0D2M4K9X", "wer bin ich"),
        ("2017-11-02T10:00:00Z", "G000RA1103770K5V", "UQ7T1B8C0D2M4K9Y", "spiel musik"),
    ]
    data: bytes | str = _as_text(early) if member.endswith(".txt") else _catalogue(early)
    review = review_changed(tmp_path, {member: data})
    assert review.report.verdict is Verdict.BLOCK
    assert _mismatches(review, member) == ["2 catalogue entries not in the voice history"]


def test_a_strangers_catalogue_attached_to_the_catalogue_pdf_blocks(tmp_path: Path) -> None:
    """The export's own catalogue PDF carrying another account's transcripts as an embedded
    file: its pages agree with the voice history, the attachment's entries do not."""
    import pypdf
    from cleancopy import clean_members

    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(io.BytesIO(clean_members()["Alexa/Transcripts.pdf"])))
    writer.add_attachment("old.txt", _as_text(STRANGERS).encode())
    out = io.BytesIO()
    writer.write(out)
    review = review_changed(tmp_path, {"Alexa/Transcripts.pdf": out.getvalue()})
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "unknown-device"]
    assert f.members == ("Alexa/Transcripts.pdf",) and "G090LF1173430QK7" in f.detail


@pytest.mark.parametrize(
    ("member", "text"),
    [
        ("Alexa/Reminders.txt", "2018-03-02T19:04:11Z  G090LF0964130QAB  R12345678\nbuy milk\n"),
        (
            "Devices/EventLog.txt",
            "2018-04-02 17:45:19  G090LF0964130QAB  EVT1042\nWi-Fi reconnected\n"
            "2018-04-03 08:00:00  G090LF0964130QAB  EVT1043\nvolume set to 4\n",
        ),
        ("Alexa/ShoppingList.txt", "14/03/2018 18:03  G090LF0964130QAB  item-00017\noat milk\n"),
    ],
    ids=["reminders", "event log", "shopping list"],
)
def test_lists_and_logs_shaped_like_catalogue_entries_are_no_catalogue(
    tmp_path: Path, member: str, text: str
) -> None:
    """A time, the requester's own device and an id of another shape, then a line of text:
    a reminder, an event, a list item, not a transcript of the voice history."""
    review = review_changed(tmp_path, {member: text})
    assert review.report.verdict is Verdict.PASS, review.report.findings


def test_a_copy_of_the_catalogue_in_local_time_without_its_zone_passes(tmp_path: Path) -> None:
    """The requester's catalogue saved again on a computer in London: times written without a
    zone, an hour ahead of UTC in summer. The same moments, in another zone."""
    from datetime import datetime, timedelta

    lines = []
    for stamp, serial, uid, text in _own():
        utc = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        summer = 3 < utc.month < 11
        local = utc + timedelta(hours=1 if summer else 0)
        lines.append(f"{local:%d/%m/%Y %H:%M:%S}  {serial}  {uid}\n{text}\n")
    review = review_changed(tmp_path, {"Documents/alexa-copy.txt": "".join(lines)})
    assert review.report.verdict is Verdict.PASS, review.report.findings
