"""The transcript catalogue, parsed from the text of `Alexa/Transcripts.pdf`.

The catalogue lists one entry per utterance: a header line ``<timestamp>  <device_serial>
<utterance_id>``, then the transcript's text lines. The PDF's text comes from the archive
reader (`reviewer.archive`), which runs pypdf in a child process; this module only reads
that text.
"""

from __future__ import annotations

import re
import sys

from reviewer.domain.archive.times import day_order, parse_export_time
from reviewer.domain.model import TranscriptEntry

TRANSCRIPTS_PDF = "Alexa/Transcripts.pdf"

# "<timestamp>  <device_serial>  <utterance_id>"
# The time in ISO 8601, or with the day, month and year in a locale's order (14/11/2016 07:12),
# perhaps without its seconds or its time of day; as seconds since 1970 (1521011560, or in
# milliseconds); or with the month's name, as mail writes it (Wed, 14 Mar 2018 07:12:40 +0000).
_ZONE = r"(?:\s?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?"
_CLOCK = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
HEADER = re.compile(
    r"^\s*((?:(?:\d{4}-\d{2}-\d{2}|\d{1,2}([./-])\d{1,2}\2\d{4})(?:[T ]" + _CLOCK + ")?"
    r"|\d{10}(?:\d{3})?(?:\.\d+)?"
    r"|(?:[A-Z][a-z]{2},?\s+)?\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4}(?:\s+"
    + _CLOCK
    + ")?)"
    + _ZONE
    + r")\s+([^\s|;,]+)\s+([^\s|;,]+)\s*$"  # two tokens, not a log's cells
)
# An entry's device serial and utterance id: ids, with a digit in each (a running head
# "2018-07-30  Eleanor Whitfield", a footer "... Page 1/3", a transcript's wrapped line
# "11/20/2018 at nine" are no entry); an unknown device may be written as a placeholder
_ID_TOKEN = re.compile(r"\A(?=\D*\d)\S+\Z")
_NO_SERIAL = frozenset({"-", "\u2014", "unknown", "n/a", "none"})


def header(line: str) -> re.Match[str] | None:
    """The entry header `line` is, if it is one (`HEADER`, its two ids looking like ids)."""
    m = HEADER.match(line)
    if m is None or not _ID_TOKEN.match(m[4]):
        return None
    if not _ID_TOKEN.match(m[3]) and m[3].casefold() not in _NO_SERIAL:
        return None
    return m


PAGE_FOOTER = re.compile(r"^\s*(?:page\s+)?\d+\s*(?:(?:/|of)\s*\d+)?\s*$", re.IGNORECASE)


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Titles and running heads: lines above the first entry, and the top or bottom line of
    many pages, alike but for their numbers (a page number, a date). (Transcripts repeat
    too, so only those positions count.)"""
    running: set[str] = set()
    for lines in pages[:1]:
        for line in lines:
            if header(line):
                break
            running.add(line)
    if len(pages) >= 2:
        # the same line at the top or bottom of many pages; or one alike but for its numbers
        # that gives each page's number ("Page 1/3", "EXP-2018-0398-1  p.2")
        seen: dict[str, int] = {}
        for no, lines in enumerate(pages, start=1):
            for key in {_key(ln, no) for ln in (*lines[:1], *lines[-1:])}:
                seen[key] = seen.get(key, 0) + 1
        many = max(2, len(pages) // 2)
        running |= {
            line
            for no, lines in enumerate(pages, start=1)
            for line in (*lines[:1], *lines[-1:])
            if seen.get(_key(line, no), 0) >= many
        }
    return running


def _key(line: str, page_no: int) -> str:
    """A page's top or bottom line as compared across pages: with its numbers masked when
    one of them is the page's number, else as it is."""
    numbers = _DIGITS.findall(line)
    return _DIGITS.sub("#", line) if str(page_no) in numbers else line


_DIGITS = re.compile(r"\d+")
SHARED_TEXT = 128  # transcripts up to this long are interned, as the voice history's cells are


def parse_catalogue(pages: list[str]) -> list[TranscriptEntry]:
    """Entries of a transcript catalogue: a header line, then the transcript's text lines.

    Page titles and running heads are left out of the text; page numbers too.
    """
    split = [[s for ln in page.splitlines() if (s := ln.strip())] for page in pages]
    running = _running_lines(split)
    # each line's header match, once: the dates' order is judged from all of them first
    found = [[header(ln) for ln in lines] for lines in split]
    day_first = day_order(m[1] for matches in found for m in matches if m is not None)
    entries: list[TranscriptEntry] = []
    current: TranscriptEntry | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            text = " ".join(lines).strip()
            # a short text shared with the voice history's cell (and the entries that repeat it)
            current.text = sys.intern(text) if len(text) <= SHARED_TEXT else text
            entries.append(current)

    for page_no, (page, matches) in enumerate(zip(split, found, strict=True), start=1):
        for line, match in zip(page, matches, strict=True):
            if line in running:
                match = None
            if match:
                close()
                stamp, _sep, serial, uid = match.groups()
                stamp = stamp.strip()
                current = TranscriptEntry(
                    timestamp=parse_export_time(stamp, day_first),
                    timestamp_text=stamp,
                    device_serial=sys.intern(serial),  # shared with the voice history's cells
                    utterance_id=sys.intern(uid),
                    text="",
                    page=page_no,
                )
                lines = []
            elif current is not None and line not in running and not PAGE_FOOTER.match(line):
                lines.append(line)
    close()
    return entries


_ANY_HEADER = re.compile(HEADER.pattern, re.MULTILINE)  # any line, not the first only


def entries_in_text(text: str) -> list[TranscriptEntry]:
    """Catalogue entries written in any text (a second catalogue, a catalogue's text saved
    as a .txt): none, at once, when no line is an entry's header. Outside the catalogue an
    entry's serial and utterance id must look like ids (letters and digits, a digit among
    them), so a line of prose that happens to start with a date is none."""
    if _ANY_HEADER.search(text) is None:
        return []
    return [
        e
        for e in parse_catalogue([text])
        if _ID_LIKE.match(e.device_serial) and _ID_LIKE.match(e.utterance_id)
    ]


_ID_LIKE = re.compile(r"\A(?=[^\d]*\d)[A-Za-z0-9][\w.-]{5,}\Z")
