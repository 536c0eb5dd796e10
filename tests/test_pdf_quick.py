"""The PDF child's quick reading of content streams gives what pypdf's own parser gives.

`_pdfchild._quick_ops` reads plain text pages with regular expressions instead of pypdf's
byte-by-byte `ContentStream` parser. For every stream it accepts, the operators and operands
must be pypdf's (as plain values); anything it does not know must be left to pypdf (None).
And the page texts of every sample catalogue (and the benchmark's kind) come out the same
either way.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

pypdf = pytest.importorskip("pypdf")

from pypdf.generic import ContentStream, DecodedStreamObject  # noqa: E402

from reviewer.archive import _pdfchild  # noqa: E402
from reviewer.domain.archive.catalogue import parse_catalogue  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import pdfcraft  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _plain(value: Any) -> Any:
    """A pypdf operand as `_quick_ops` gives it."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if type(value).__name__ == "NameObject":
        return str(value)
    if type(value).__name__ in ("TextStringObject", "ByteStringObject"):
        return _pdfchild._string_bytes(value)
    if type(value).__name__ == "FloatObject":
        return float(value)
    if type(value).__name__ == "NumberObject":
        return int(value)
    return value


def _pypdf_ops(data: bytes) -> list[tuple[list[Any], bytes]]:
    stream = DecodedStreamObject()
    stream.set_data(data)
    ops = ContentStream(stream, None).operations
    return [(_plain(operands), op) for operands, op in ops]


PLAIN = [
    b"BT /F1 12 Tf 10 20 Td (Hello world) Tj ET",
    b"BT /F1 12.5 Tf 1 0 0 1 72 720 Tm (a) Tj T* (b) ' 1 2 (c) \" ET",
    b"BT /F2 8 Tf [(Hel) -120 (lo) -300 (World) 5.5 (!)] TJ ET\n",
    b"BT /F1 9 Tf (with \\(escaped\\) parens and \\\\ backslash) Tj ET",
    b"BT /F1 9 Tf (nested (parens) stay) Tj ET",
    b"BT /F1 9 Tf (octal \\101\\102\\7\\0777 and \\400 over) Tj ET",
    b"BT /F1 9 Tf (line \\\ncontinued \\\r\nand \\q unknown \\n\\r\\t\\b\\f) Tj ET",
    b"BT /F1 9 Tf <48656C6C6F> Tj <4 8 6\n5 6> Tj <486> Tj ET",
    b"% a comment\nBT /F1 9 Tf (x) Tj % another\r(y) Tj ET",
    b"q 0.5 0 0 0.5 0 0 cm 1 0 0 RG 0 g 2 J 0.57 w BT /F1 13.00 Tf ET Q",
    b"BT /F1 9 Tf (\xe4\xf6\xfc \x80 \x9f \xff) Tj ET",
    b"BT /F1 9 Tf (\xfe\xff\x00A\x00B) Tj (\xef\xbb\xbfutf8) Tj ET",
    b"\x00BT\t/F1\x0c9 Tf(x)Tj(y)Tj[(a)1(b)]TJ ET",
    b"BT /F1 9 Tf +1 -2 .5 -.5 3. Td (x) Tj ET",
    b"",
    b"   \n",
    b"BT /F1 9 Tf (unterminated",
    b"BT /F1 9 Tf 5 0 R Tj ET",
    b"BT /F1 9 Tf [5 0 R] TJ ET",
    b"BI /W 1 /H 1 ID \x00 EI",
    b"BT << /A 1 >> BDC ET",
    b"BT /F#31 9 Tf (x) Tj ET",
    b"BT /F1 9 Tf [(a) [(b)]] TJ ET",
    b"BT /F1 9 Tf [true] TJ ET",
    b"BT /F1 9 Tf 1-2 Td ET",
    b"BT /F1 9 Tf 1,5 Td ET",
    b"BT /F1 9 Tf { } ET",
    b"BT /F1 9 Tf (x) Tj \x0b ET",
    b"BT /F1 9 Tf (x) Tj ] ET",
    b"BT /F1 9 Tf [(x) ET",
    b"BT /F1 9 Tf <4G> Tj ET",
]


@pytest.mark.parametrize("data", PLAIN)
def test_quick_ops_are_pypdfs_or_left_to_pypdf(data: bytes) -> None:
    quick = _pdfchild._quick_ops(data)
    if quick is None:
        return  # pypdf reads it, whatever it makes of it
    assert [(operands, op) for operands, op in quick] == _pypdf_ops(data)


def test_the_plain_streams_are_read_quickly() -> None:
    """The quick reading is not just refusing everything."""
    accepted = [d for d in PLAIN if _pdfchild._quick_ops(d) is not None]
    assert len(accepted) >= 15


@pytest.mark.parametrize(
    "data",
    [
        b"BT 5 0 R Tf (x) Tj ET",  # an indirect reference where the font's name belongs
        b"BT /F1 9 Tf (/F1) Tf (x) Tj ET",  # a string where a name belongs
        b"BT /F1 9 Tf /F1 Tj ET",  # a name where a string belongs
        b"BT /F1 9 Tf (x) TJ ET",  # a string where an array belongs
        b"BT /F1 9 Tf [/F1] TJ ET",
    ],
)
def test_operands_pypdf_makes_differently_go_to_pypdf(data: bytes) -> None:
    codecs = {"/F1": "cp1252"}
    try:
        expected: str | None | type = _pdfchild._operators_text(
            ContentStream(_stream(data), None).operations, codecs, False
        )
    except Exception as exc:  # noqa: BLE001 - whatever pypdf raises, the child raises too
        expected = type(exc)
    quick = _pdfchild._quick_ops(data)
    if quick is None:
        return
    try:
        got: str | None | type = _pdfchild._operators_text(quick, codecs, True)
    except _pdfchild._Slow:
        return  # _fast_text then reads the page with pypdf's parser
    assert got == expected


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _page_texts_both_ways(pdf: bytes) -> tuple[list[str | None], list[str | None]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    quick: list[str | None] = []
    slow: list[str | None] = []
    for page in reader.pages:
        quick.append(_pdfchild._fast_text(page, reader))
        codecs = _pdfchild._simple_fonts(page)
        contents = page.get_contents()
        if codecs is None:
            slow.append(None)
        elif contents is None:
            slow.append("")
        else:
            ops = ContentStream(contents, reader).operations
            slow.append(_pdfchild._operators_text(ops, codecs, False))
    return quick, slow


def _sample_pdfs() -> list[tuple[str, bytes]]:
    found = []
    for archive in sorted((ROOT / "sample_archives").glob("*/export.zip")):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if name.lower().endswith(".pdf"):
                    found.append((f"{archive.parent.name}:{name}", zf.read(name)))
    return found


SAMPLES = _sample_pdfs()


@pytest.mark.parametrize("name,pdf", SAMPLES, ids=[n for n, _ in SAMPLES])
def test_every_sample_catalogue_reads_the_same_quickly(name: str, pdf: bytes) -> None:
    quick, slow = _page_texts_both_ways(pdf)
    assert quick == slow


def test_a_crafted_catalogue_reads_the_same_quickly() -> None:
    pdf, _ = pdfcraft.catalogue(12)
    quick, slow = _page_texts_both_ways(pdf)
    assert quick == slow
    assert all(q for q in quick)


def test_there_are_sample_catalogues() -> None:
    assert any(name.endswith("Transcripts.pdf") for name, _ in SAMPLES)


def _entries(pages: list[str]) -> list[tuple[str, str, str, str]]:
    return [
        (e.timestamp_text, e.device_serial, e.utterance_id, e.text) for e in parse_catalogue(pages)
    ]


def _entries_both_ways(pdf: bytes) -> tuple[list[Any] | None, list[Any]]:
    """The catalogue's entries from the quick text (None when a page is not plain enough for
    it) and from pypdf's extract_text."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    quick = [_pdfchild._fast_text(page, reader) for page in reader.pages]
    slow = [page.extract_text() or "" for page in reader.pages]
    if any(text is None for text in quick):
        return None, _entries(slow)
    return _entries([text or "" for text in quick]), _entries(slow)


@pytest.mark.parametrize("name,pdf", SAMPLES, ids=[n for n, _ in SAMPLES])
def test_every_sample_catalogue_gives_pypdfs_entries_quickly(name: str, pdf: bytes) -> None:
    quick, slow = _entries_both_ways(pdf)
    assert quick == slow


@pytest.mark.parametrize("cells", [False, True], ids=["lines", "cells"])
def test_a_catalogue_laid_out_in_cells_gives_pypdfs_entries_quickly(cells: bool) -> None:
    """A header's timestamp, serial and utterance id each in a cell of its own on one line
    (fpdf2's table idiom) read as one line, as pypdf reads it: every entry is found."""
    items = list(pdfcraft.entries(30))
    pdf = pdfcraft.build(pdfcraft.catalogue_pages(items, cells=cells))
    quick, slow = _entries_both_ways(pdf)
    assert quick == slow
    assert quick is not None and [e[:3] for e in quick] == [e[:3] for e in items]


LINES = [  # pages whose lines pypdf's extract_text breaks as the text moves
    b"BT /F1 8 Tf 1 0 0 1 45 700 Tm (2018-01-01) Tj 1 0 0 1 160 700 Tm (G1) Tj ET",
    b"BT /F1 8 Tf 45 700 Td (a) Tj 100 0 Td (b) Tj 0 -14 Td (c) Tj ET",
    b"BT /F1 8 Tf 14 TL 45 700 Td (a) Tj T* (b) Tj (c) ' ET",
    b"BT /F1 8 Tf 45 700 Td (a) Tj 0 -12 TD (b) Tj T* (c) Tj ET",
    b"q 1 0 0 1 0 -100 cm BT /F1 8 Tf 45 700 Td (a) Tj ET Q BT /F1 8 Tf 60 600 Td (b) Tj ET",
    b"BT /F1 8 Tf 45 700 Td (a) Tj ET BT /F1 8 Tf 90 700.5 Td (b) Tj ET",
    b"BT /F1 8 Tf 45 700 Td (a ) Tj ET BT 90 700 Td ( b) Tj ET BT 45 600 Td (c) Tj ET",
    b"10 10 m 20 20 l S 1 0 0 1 0 0 cm",  # a figure, no text
]


@pytest.mark.parametrize("data", LINES)
def test_lines_break_where_pypdfs_break(data: bytes) -> None:
    """Moves along one baseline continue the line (after a space); a move to another
    baseline, T*, ' start a new one; the graphics matrix (cm, q, Q) counts."""
    reader = pypdf.PdfReader(io.BytesIO(pdfcraft.build([data])))
    (page,) = reader.pages
    quick = _pdfchild._fast_text(page, reader)
    assert quick is not None
    assert quick.splitlines() == (page.extract_text() or "").splitlines()
