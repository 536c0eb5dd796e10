"""Finding and redacting a text: case- and accent-insensitive, whole words, mapped back to the
original characters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

REDACTED = "[redacted]"
MIN_REDACT_CHARS = 2  # a single letter is no text to redact: it would cut every word


_MARKS: dict[int, None] | None = None


def _marks() -> dict[int, None]:
    """A `str.translate` table that drops every combining mark of the Basic Multilingual
    Plane (built once, on first use)."""
    global _MARKS
    if _MARKS is None:
        _MARKS = {cp: None for cp in range(0x10000) if unicodedata.combining(chr(cp))}
    return _MARKS


def fold(text: str) -> str:
    """Text compared case- and accent-insensitively: decomposed, marks dropped, case folded
    (the whole string at once: the same result as `_fold_char` on each character)."""
    if text.isascii():
        return text.lower()
    marks = _marks()
    return unicodedata.normalize("NFKD", text).translate(marks).casefold().translate(marks)


def _fold_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    marks = _marks()
    return decomposed.translate(marks).casefold().translate(marks)


def _body(term: str) -> str:
    return r"\s+".join(re.escape(w) for w in fold(term).split())


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){_body(term)}(?!\w)")


@dataclass(frozen=True, slots=True)
class Redactor:
    """Finds and replaces the texts to redact. Matching is on the folded text, mapped back to
    the original characters, so ``zoë``, ``ZOE`` and ``Zoe`` are one name; a match is a whole
    word (``Tom`` is not found in ``Tomato``); runs of white space match any white space."""

    terms: tuple[str, ...]
    _patterns: tuple[re.Pattern[str], ...] = ()
    _any: re.Pattern[str] | None = None  # one pass that says whether any term is there

    @classmethod
    def of(cls, terms: Iterable[str]) -> Redactor:
        kept = tuple(
            sorted({t.strip() for t in terms if fold(t).strip()}, key=lambda t: (-len(t), t))
        )
        either = "|".join(_body(t) for t in kept)
        return cls(
            kept,
            tuple(_pattern(t) for t in kept),
            re.compile(rf"(?<!\w)(?:{either})(?!\w)") if kept else None,
        )

    def __bool__(self) -> bool:
        return bool(self.terms)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the terms occur in `text`, as (start, end) of the original characters,
        merged where they overlap."""
        if self._any is None or not text or not self._any.search(fold(text)):
            return []
        folded, origin = _folded_with_origin(text)
        found: list[tuple[int, int]] = []
        for pattern in self._patterns:
            for m in pattern.finditer(folded):
                if m.end() > m.start():
                    found.append((origin[m.start()], origin[m.end() - 1] + 1))
        found.sort()
        merged: list[tuple[int, int]] = []
        for s, e in found:
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        return merged

    def redact(self, text: str) -> tuple[str, int]:
        """`text` with every occurrence replaced by `REDACTED`, and how many there were."""
        spans = self.spans(text)
        if not spans:
            return text, 0
        out, at = [], 0
        for s, e in spans:
            out.append(text[at:s])
            out.append(REDACTED)
            at = e
        out.append(text[at:])
        return "".join(out), len(spans)

    def found(self, text: str) -> list[str]:
        """The terms that occur in `text` (for the proof; no positions needed, so the text is
        folded whole)."""
        if self._any is None or not text:
            return []
        folded = fold(text)
        if not self._any.search(folded):
            return []
        return [t for t, p in zip(self.terms, self._patterns, strict=True) if p.search(folded)]


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    if text.isascii():
        return text.lower(), list(range(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        chars.append(f)
        origin.extend([i] * len(f))
    return "".join(chars), origin
