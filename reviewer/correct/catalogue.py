"""The transcript catalogue of a corrected export, rebuilt from the kept (and redacted)
entries rather than edited: an edited PDF can keep the old text in an incremental update, an
annotation, a font's ToUnicode map or its metadata; a rebuilt one holds only what is written.

fpdf2 writes it (a kept, pure-Python library: the reviewer reads PDFs with pypdf, which does
not lay out text; reportlab would do as well but brings a C extension, and PyMuPDF's AGPL
does not suit a product shipped to customers). The layout is the reference catalogue's, so
the reader parses it as it parses the original: a line ``<timestamp>  <serial>  <utterance
id>``, then the transcript.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from reviewer.domain.model import TranscriptEntry

TITLE = "Voice history: transcripts (corrected copy)"
# Fixed metadata: the same entries give the same bytes (a corrected version is deterministic).
PDF_DATE = datetime(2000, 1, 1, tzinfo=UTC)
CORE_FONT_ENCODING = "cp1252"  # what the PDF core fonts can show


@dataclass(frozen=True, slots=True)
class Catalogue:
    data: bytes
    entries: int
    replaced_chars: int  # characters the core fonts cannot show, written as "?"


def _showable(text: str) -> tuple[str, int]:
    try:
        text.encode(CORE_FONT_ENCODING)
        return text, 0
    except UnicodeEncodeError:
        out, n = [], 0
        for ch in text:
            try:
                ch.encode(CORE_FONT_ENCODING)
                out.append(ch)
            except UnicodeEncodeError:
                out.append("?")
                n += 1
        return "".join(out), n


def catalogue_pdf(entries: Iterable[TranscriptEntry]) -> Catalogue:
    """The catalogue of `entries` (already redacted), in the order given."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(PDF_DATE)
    pdf.set_producer("DSAR Reviewer")
    pdf.set_creator("DSAR Reviewer")
    pdf.set_title(TITLE)
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    bottom = pdf.h - 15
    count = replaced = 0
    for e in entries:
        head, n1 = _showable(f"{e.timestamp_text}  {e.device_serial}  {e.utterance_id}")
        text, n2 = _showable(e.text or " ")
        replaced += n1 + n2
        count += 1
        if pdf.get_y() + 14 > bottom:
            pdf.add_page()
        pdf.set_font("Courier", "", 8)
        pdf.cell(0, 4.5, head, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        if pdf.get_string_width(text) <= width - 2:
            pdf.cell(width, 5, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(width, 5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return Catalogue(bytes(pdf.output()), count, replaced)
