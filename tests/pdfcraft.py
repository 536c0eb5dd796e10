"""Transcript catalogue PDFs of any length, written directly, page by page.

`sample_archives/exportkit.transcript_pdf` (fpdf2) lays out a catalogue the way the export
pipeline does, but takes about half a minute for 2,000 pages. This writer gives the same
pages much faster: A4, the core fonts Courier (entry headers, 8 pt) and Helvetica (text,
10 pt) in WinAnsiEncoding, one text object per line with the operators fpdf2 writes, about
21 entries a page, each page's content deflated. pypdf reads these pages at the same cost per
page as fpdf2's.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import textwrap
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

TITLE = "Alexa voice history: transcripts"
PHRASES = (
    "what is the weather in Hannover",
    "play some jazz",
    "remind me to call Anna tomorrow at nine about the tickets for the concert in the "
    "evening, and add milk to the shopping list",
    "add coffee to the shopping list",
    "set a timer for ten minutes",
    "turn off the living room lights",
)
SERIALS = ("G070VM1A83120045", "G090LF7LHM42T4BU")
TOP, BOTTOM, LEFT = 800.0, 42.5, 45.35  # points: the first line, the bottom margin
WRAP = 104  # characters of 10 pt Helvetica on one line of an A4 page with 15 mm margins

Entry = tuple[str, str, str, str]  # timestamp, device serial, utterance id, text


def entries(n: int | None = None, seed: str = "catalogue") -> Iterator[Entry]:
    """`n` (or endless) catalogue entries with distinct utterance ids, in no particular order."""
    start = datetime(2017, 12, 24, 8, 0, tzinfo=UTC)
    for i in range(n) if n is not None else itertools.count():
        digest = hashlib.sha256(f"{seed}|{i}".encode()).digest()
        when = start + timedelta(seconds=int.from_bytes(digest[:3], "big") * 2)
        yield (
            when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            SERIALS[digest[3] % len(SERIALS)],
            "U" + digest[4:12].hex().upper()[:15],
            PHRASES[digest[12] % len(PHRASES)],
        )


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


@functools.lru_cache(maxsize=256)
def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WRAP) or [""]


CELLS = (0.0, 127.56, 240.95)  # points right of the margin: the header's cells, in a table


def catalogue_pages(
    items: Iterable[Entry], max_pages: int | None = None, cells: bool = False
) -> list[bytes]:
    """The page content streams of a catalogue listing `items` (those that fit on
    `max_pages` pages), a title on the first page. `cells`: each header's timestamp, device
    serial and utterance id in a cell of its own on the line (a text object each, as fpdf2
    writes a table row), not one line of text."""
    pages: list[bytes] = []
    out = [
        b"2 J\n0.57 w\nBT /F2 13.00 Tf ET\n",
        b"BT %.2f %.2f Td (%s) Tj ET\n" % (LEFT, TOP, _escape(TITLE)),
    ]
    y = TOP - 26
    for stamp, serial, uid, text in items:
        lines = _wrap(text)
        if y - 14 * (len(lines) + 1) < BOTTOM:
            if max_pages is not None and len(pages) + 1 >= max_pages:
                break
            pages.append(b"".join(out))
            out, y = [b"2 J\n0.57 w\n"], TOP
        out.append(b"BT /F1 8.00 Tf ET\n")
        if cells:
            for x, field in zip(CELLS, (stamp, serial, uid), strict=True):
                out.append(b"BT %.2f %.2f Td (%s) Tj ET\n" % (LEFT + x, y, _escape(field)))
        else:
            out.append(
                b"BT %.2f %.2f Td (%s) Tj ET\n" % (LEFT, y, _escape(f"{stamp}  {serial}  {uid}"))
            )
        out.append(b"BT /F2 10.00 Tf ET\n")
        y -= 14.06
        for i, line in enumerate(lines):
            if i < len(lines) - 1:  # a justified line, as fpdf2 writes it
                out.append(b"q BT %.2f %.2f Td 1.318 Tw (%s) Tj ET Q\n" % (LEFT, y, _escape(line)))
            else:
                out.append(b"BT %.2f %.2f Td (%s) Tj ET\n" % (LEFT, y, _escape(line)))
            y -= 14.17
        y -= 4.4
    pages.append(b"".join(out))
    return pages


def build(contents: Sequence[bytes]) -> bytes:
    """A PDF whose pages have these content streams (deflated), set in Courier (/F1) and
    Helvetica (/F2)."""
    n = len(contents)
    objs: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (5 + 2 * i) for i in range(n)), n),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, content in enumerate(contents):
        stream = zlib.compress(content, 6)
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % (6 + 2 * i)
        )
        objs.append(
            b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
    return assemble(objs)


def catalogue(pages: int, seed: str = "catalogue") -> tuple[bytes, int]:
    """A catalogue PDF of `pages` full pages (21 to 22 entries a page), and its entries."""
    listed: list[Entry] = []

    def counted() -> Iterator[Entry]:
        for entry in entries(None, seed):
            listed.append(entry)
            yield entry

    contents = catalogue_pages(counted(), pages)
    return build(contents), len(listed) - 1  # the last one taken did not fit


def assemble(objs: list[bytes]) -> bytes:
    """A PDF file of these objects (numbered from 1, the first the catalogue), with its
    cross-reference table and trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)
