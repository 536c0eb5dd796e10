"""The identity scan's quick tests (`_identity._letters`, written without IGNORECASE, and
`_identity.fold`, the substring test before each pattern) take every letter
`re.IGNORECASE` takes, so a text they pass over holds nothing the full pattern would find."""

from __future__ import annotations

import re
import sys

from test_checks_common import codes, make_request
from test_checks_evidence import _other_layout

from reviewer.domain.checks import evidence
from reviewer.domain.checks._identity import (
    _IN_PROSE,
    _PROSE_HINT,
    RequesterMatcher,
    _letters,
    fold,
    labelled_values,
)

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


def test_the_folded_substring_test_keeps_every_letter_ignorecase_takes() -> None:
    # `_Needle` tries `needle in fold(text)` before its IGNORECASE pattern: every character
    # the pattern takes for an ASCII letter must fold to that letter, or a text holding the
    # requester's name in that spelling would never reach the pattern
    for letter in "abcdefghijklmnopqrstuvwxyz":
        for ch in re.findall(letter, EVERY_CHARACTER, re.IGNORECASE):
            assert fold(letter) in fold(ch), (letter, ch)
            assert fold(f"x{letter}y") in fold(f"X{ch}Y"), (letter, ch)


def test_a_turkish_name_in_capitals_identifies_the_requester() -> None:
    # "YILDIZ" is "Yıldız" to re.IGNORECASE; str.casefold alone makes it "yildiz" and the
    # ticket's name "yıldız", and the export read as nobody's
    request = make_request(name="Ayşe Yıldız")
    index = _other_layout({}, {"letters/label.txt": "Versand an: AYŞE YILDIZ, Lister Meile 12"})
    found = codes(evidence.check(request, index))
    assert "unattributable-archive" not in found
    assert found == ["identity-evidence"]
    matcher = RequesterMatcher.for_request(make_request(name="Eleanor Whitfield"))
    assert "name" in matcher.found_in("Lieferung an ELEANOR WHİTFİELD")
