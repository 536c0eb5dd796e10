"""Text from the input (ticket fields, member names, names found in the archive), made safe to
show: a terminal must never receive its control characters as such.

An archive member named ``Retail/\\x1b[2J.csv`` would clear a reviewer's screen, a requester
name with ``\\u202e`` reverses what follows it. `printable` spells every character that is not
printable as its Python escape (``\\x1b``, ``\\u202e``, ``\\n``), so it stays visible and inert;
the CLI and the TUI show input through it.
"""

from __future__ import annotations

MAX_TEXT_CHARS = 2000  # a note, a reason: what a person types beside an act


def too_long(text: str, what: str) -> str | None:
    """Why `text` (a note, a reason) is refused for its length, or None."""
    if len(text) > MAX_TEXT_CHARS:
        return f"{what} is at most {MAX_TEXT_CHARS:,} characters ({len(text):,} given)"
    return None


def _escaped(ch: str) -> str:
    return repr(ch)[1:-1]


def printable(text: str, *, lines: bool = False) -> str:
    """`text` with every non-printable character (controls, line breaks, bidi and other format
    characters, separators other than the space) written as its escape: one visible line.
    With `lines`, line breaks (``\n``) and tabs stay, for a member's content shown whole."""
    if text.isprintable():
        return text
    keep = "\n\t" if lines else ""
    return "".join(ch if ch.isprintable() or ch in keep else _escaped(ch) for ch in text)
