"""The identity scan's quick tests written without IGNORECASE (`_identity._letters`) match
every letter `re.IGNORECASE` matches, so a text they pass over holds nothing the full
pattern would find."""

from __future__ import annotations

import re
import sys

from reviewer.domain.checks._identity import _IN_PROSE, _PROSE_HINT, _letters, labelled_values

EVERY_CHARACTER = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)


def test_each_letter_matches_what_ignorecase_matches() -> None:
    letters = "customerclientkunden"
    candidates = set(re.findall(f"[{letters}]", EVERY_CHARACTER, re.IGNORECASE))
    for letter in set(letters):
        folded = {ch for ch in candidates if re.fullmatch(letter, ch, re.IGNORECASE)}
        assert folded == set(re.findall(_letters(letter), EVERY_CHARACTER)), letter


def test_every_label_in_prose_passes_the_hint() -> None:
    for text in (
        "Customer No 40817734",
        "your CLİENT ID is 5X7",
        "cuſtomer number 77",
        "\u212aundennummer 812",
        "KUNDEN-NR. 4711",
    ):
        assert _IN_PROSE.search(text) is not None, text
        assert _PROSE_HINT.search(text) is not None, text
        assert list(labelled_values(text)), text
    assert _PROSE_HINT.search("Bestellung 302-0000110 vom 14.09.2016") is None
