"""third-party-names in a PDF's document properties: a transcript catalogue titled or
authored with a stranger's name delivers that name with it, as a transcript naming them
would. The author is read whole, as a recording's artist tag is; the title and subject as a
sentence (a Title Case title only for a title or a call, as a recording's title tag).

Each test writes the catalogue with fpdf2 and the export with zipfile, and reviews it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cleancopy import review_changed, voice_history_rows
from fpdf import FPDF

from reviewer.domain.model import Verdict

PDF = "Alexa/Transcripts.pdf"


def _catalogue(**properties: str) -> bytes:
    """The clean sample's catalogue entries, with these document properties."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creator("Export pipeline")
    for key, value in properties.items():
        getattr(pdf, f"set_{key}")(value)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, "Alexa voice history: transcripts", new_x="LMARGIN", new_y="NEXT")
    for uid, stamp, _cid, serial, _type, _audio, text in voice_history_rows():
        pdf.set_font("Courier", "", 8)
        pdf.cell(0, 4.5, f"{stamp}  {serial}  {uid}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.mark.parametrize(
    "properties",
    [
        {"author": "Lukas Brandt"},
        {"author": "BRANDT, Lukas"},
        {"title": "Alexa voice history of Lukas Brandt"},
        {"subject": "Transcripts for Lukas Brandt"},
        {"title": "Voice History: Dr. Brandt"},
    ],
)
def test_a_stranger_in_the_catalogues_properties_is_a_third_party(
    tmp_path: Path, properties: dict[str, str]
) -> None:
    review = review_changed(tmp_path, {PDF: _catalogue(**properties)})
    assert review.report.verdict is Verdict.REVIEW, review.report.findings
    [f] = review.report.findings
    assert f.code == "third-party-names" and f.members == (PDF,)
    assert "Brandt" in f.detail and "document properties" in f.detail


@pytest.mark.parametrize(
    "properties",
    [
        {"author": "Eleanor Whitfield"},
        {"author": "Export pipeline"},
        {"author": "Amazon Europe Core"},
        {"title": "Alexa Voice History: Transcripts", "subject": "Eleanor Whitfield"},
        {"title": "Alexa voice history of Eleanor Whitfield", "keywords": "Echo Dot, Kitchen"},
    ],
)
def test_properties_naming_the_requester_or_no_person_pass(
    tmp_path: Path, properties: dict[str, str]
) -> None:
    review = review_changed(tmp_path, {PDF: _catalogue(**properties)})
    assert review.report.verdict is Verdict.PASS, review.report.findings


def _notice(author: str) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_author(author)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(0, 5, "How we handle your personal data", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.mark.parametrize("author", ["Hans Weber", "Hans Weber, Data Protection Officer"])
def test_a_notice_authored_by_the_exporters_staff_names_no_third_party(
    tmp_path: Path, author: str
) -> None:
    """Only the transcript catalogue's properties are the requester's data: a privacy
    notice or an invoice is authored by someone of the exporter's."""
    review = review_changed(tmp_path, {"Legal/PrivacyNotice.pdf": _notice(author)})
    assert review.report.verdict is Verdict.PASS, review.report.findings
