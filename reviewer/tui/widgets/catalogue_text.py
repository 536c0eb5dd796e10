"""The transcript catalogue's text, apart from any widget: each entry's header and body as shown,
the word wrap that lays them out in lines, the terms to highlight, and the search.

    lines, first_line = wrap_entries(headers, bodies, width=76)
    matcher = TermMatcher(requester=["Jonas Weber"], foreign=["B7QW..."], third_party=[])
    matcher.spans("call Jonas Weber")          # [(5, 16, "requester")]
    matches, by_part = find_matches(headers, bodies, "weber")

Every position is an offset into the shown text (`header_of`, `body_of`), so a line, a highlight
and a match are all cut from the same string.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len

from reviewer.domain.model import TranscriptEntry
from reviewer.domain.text import printable

INDENT = "  "  # before each body line, under its header
REQUESTER, FOREIGN, THIRD_PARTY = "requester", "foreign", "third-party"
HEADER, BODY = 0, 1  # the two parts of an entry


def header_of(entry: TranscriptEntry) -> str:
    """The entry's header line as shown: its fields are input, so escaped (`printable`)."""
    parts = [entry.timestamp_text or "-", entry.device_serial or "-", entry.utterance_id or "-"]
    return printable("  ".join(parts))


def body_of(entry: TranscriptEntry) -> str:
    """The entry's text as shown: a control character in it is written as its escape."""
    return printable(entry.text)


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap that keeps (start, end) offsets into `text` for each line."""
    width = max(width, 1)
    if text.isascii():  # one cell per character: widths are lengths
        if len(text) <= width and not text[:1].isspace() and not text[-1:].isspace():
            return [(0, len(text))] if text else [(0, 0)]
        measure: Callable[[str], int] = len
    else:
        measure = cell_len
    lines: list[tuple[int, int]] = []
    start = end = -1
    line_width = 0
    for word in re.finditer(r"\S+", text):
        w_start, w_end = word.span()
        word_width = measure(text[w_start:w_end])
        while word_width > width:  # a word longer than a line is split
            if start >= 0:
                lines.append((start, end))
                start = -1
            cut = w_start + width
            while cut > w_start + 1 and measure(text[w_start:cut]) > width:  # wide characters
                cut -= 1
            lines.append((w_start, cut))
            w_start = cut
            word_width = measure(text[w_start:w_end])
        if start < 0:
            start, end, line_width = w_start, w_end, word_width
            continue
        wider = line_width + measure(text[end:w_start]) + word_width
        if wider <= width:
            end, line_width = w_end, wider
        else:
            lines.append((start, end))
            start, end, line_width = w_start, w_end, word_width
    if start >= 0:
        lines.append((start, end))
    return lines or [(0, 0)]


@dataclass(frozen=True, slots=True)
class Line:
    """One line on screen: a piece [start, end) of an entry's header or body."""

    entry: int
    part: int  # HEADER or BODY
    start: int
    end: int


def wrap_entries(
    headers: Sequence[str], bodies: Sequence[str], width: int
) -> tuple[list[Line], list[int]]:
    """Every entry laid out at `width` cells: its header on one line (cut by the pane if
    longer), its body wrapped under it, indented. Returns the lines and, per entry, the index
    of its header line."""
    lines: list[Line] = []
    first: list[int] = []
    body_width = width - len(INDENT)
    for i, body in enumerate(bodies):
        first.append(len(lines))
        lines.append(Line(i, HEADER, 0, len(headers[i])))
        for start, end in wrap_offsets(body, body_width):
            lines.append(Line(i, BODY, start, end))
    return lines, first


class TermMatcher:
    """Finds the requester's, foreign and third-party terms in a string (whole words, any
    case)."""

    def __init__(
        self, requester: Iterable[str], foreign: Iterable[str], third_party: Iterable[str]
    ) -> None:
        kinds: dict[str, str] = {}
        # Later kinds win for a term listed twice: foreign over third party over requester.
        for kind, terms in ((REQUESTER, requester), (THIRD_PARTY, third_party), (FOREIGN, foreign)):
            for term in terms:
                term = term.strip()
                if len(term) >= 2:
                    kinds[term.casefold()] = kind
        self.kinds = kinds
        if kinds:
            alternatives = "|".join(re.escape(t) for t in sorted(kinds, key=len, reverse=True))
            self.pattern: re.Pattern[str] | None = re.compile(
                rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE
            )
        else:
            self.pattern = None

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        if self.pattern is None:
            return []
        return [
            (m.start(), m.end(), self.kinds[m.group(0).casefold()])
            for m in self.pattern.finditer(text)
        ]


@dataclass(frozen=True, slots=True)
class Match:
    """One occurrence of the searched text: in entry `entry`'s header or body, [start, end)."""

    entry: int
    part: int
    start: int
    end: int


def find_matches(
    headers: Sequence[str], bodies: Sequence[str], query: str
) -> tuple[list[Match], dict[tuple[int, int], list[int]]]:
    """Every occurrence of `query` (case-insensitive) in page order, and for each (entry, part)
    the indexes of its matches."""
    matches: list[Match] = []
    by_part: dict[tuple[int, int], list[int]] = {}
    if not query:
        return matches, by_part
    needle = re.compile(re.escape(query), re.IGNORECASE)
    for i in range(len(bodies)):
        for part, text in ((HEADER, headers[i]), (BODY, bodies[i])):
            for m in needle.finditer(text):
                by_part.setdefault((i, part), []).append(len(matches))
                matches.append(Match(i, part, m.start(), m.end()))
    return matches, by_part
