"""People's names in a transcript, found conservatively: a title and a name, a call verb and
a name (or, in an all lower-case transcript, any word after a call verb that is not a common
word), or a capitalised first and last name pair outside the stop lists and media requests."""

from __future__ import annotations

import re
from functools import lru_cache

from reviewer.domain.checks._common import (
    norm_text,
)
from reviewer.domain.checks._name_words import LOWER_STOP, STOP
from reviewer.domain.checks._people import is_known_person, without_possessives
from reviewer.domain.model import Request

_WORD = r"[A-ZÄÖÜ][a-zäöüßéèáàíóú'’]+(?:-[A-ZÄÖÜ][a-zäöüßéèáàíóú]+)?"
TITLE = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Miss|Prof|Professor|Doctor|Herr|Frau|Sir|Dame)\.?\s+"
    rf"({_WORD}(?:\s+{_WORD})?)"
)
CALL = re.compile(
    r"\b(?i:call|phone|ring|text|message|e-?mail|dial|video call|ruf|rufe|anrufen)\s+"
    rf"({_WORD}(?:\s+{_WORD})?)"
)
# Overlapping (a lookahead), so "Remind Peter Lange" still yields "Peter Lange".
PAIR = re.compile(rf"\b(?=({_WORD})\s+({_WORD})\b)")
# Speech recognisers often write everything in lower case: "call peter lange".
CALL_LOWER = re.compile(
    r"\b(?:call|phone|ring|text|message|dial|ruf|rufe)\s+([a-zäöüßéèáàíóú'’-]+)"
    r"(?:\s+([a-zäöüßéèáàíóú'’-]+))?"
)
# Asking for media names artists and titles, not acquaintances: no bare name pairs there.
MEDIA = re.compile(
    r"\b(?:play|spiel|spiele|abspielen|listen|hör|höre|song|songs|album|music|musik|lied|"
    r"lieder|podcast|hörbuch|audiobook|radio|film|movie|serie|episode)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def candidates(text: str) -> tuple[str, ...]:
    """Name candidates in one transcript (cached: voice histories repeat the same phrases),
    without their possessive endings ("Lukas Brandt's" -> "Lukas Brandt")."""
    text = without_possessives(text)
    found = list(_addressed(text))
    for m in () if MEDIA.search(text) else PAIR.finditer(text):
        first, last = m.group(1), m.group(2)
        if first.casefold() in STOP or last.casefold() in STOP:
            continue
        found.append(f"{first} {last}")
    return _longest(found)


def addressed(text: str) -> tuple[str, ...]:
    """Only the names a title or a call gives ("Dr. Schmidt", "call Peter Lange"): for text
    written in Title Case, where capitalised pairs say nothing (a recording's title tag)."""
    return _longest(_addressed(without_possessives(text)))


def _longest(found: list[str]) -> tuple[str, ...]:
    """ "Dr. Anna Schmidt" also matches as "Anna Schmidt": keep the longest reading only."""
    unique_found = list(dict.fromkeys(found))
    return tuple(c for c in unique_found if not any(c != o and c in o for o in unique_found))


def _addressed(text: str) -> list[str]:
    found: list[str] = []
    for m in TITLE.finditer(text):
        found.append(m.group(0).strip())
    for m in CALL.finditer(text):
        name = m.group(1)
        words = name.split()
        # "call Mum", "call Work": drop stop-listed words; keep what is left if it is a name.
        words = [w for w in words if w.casefold() not in STOP]
        if words and words == name.split()[: len(words)]:
            found.append(" ".join(words))
    if text == text.lower():
        for m in CALL_LOWER.finditer(text):
            words = [w for w in m.groups() if w]
            if words[0] in LOWER_STOP or words[0] in STOP:
                continue
            if len(words) > 1 and (words[1] in LOWER_STOP or words[1] in STOP):
                words = words[:1]
            found.append(" ".join(words))
    return found


def is_known(candidate: str, request: Request, places: set[str]) -> bool:
    """The requester, someone of the household, or one of their `places` (a city, a street, a
    device's name or type), with or without a title."""
    bare = re.sub(
        r"^(?:Dr|Mr|Mrs|Ms|Miss|Prof|Professor|Doctor|Herr|Frau|Sir|Dame)\.?\s+", "", candidate
    )
    if norm_text(bare) in places:
        return True
    if is_known_person(bare, request):
        return True
    # A title with a known surname ("Mrs. Weber") or a known person's first name alone.
    parts = bare.split()
    return bool(candidate != bare and len(parts) == 1 and is_known_person(parts[0], request))
