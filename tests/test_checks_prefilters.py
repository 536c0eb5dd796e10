"""The cheap tests the identity scan runs before a full pattern (a substring hint, a gate on a
character) take every text the pattern would take: a stranger's address or id written so
that the hint missed it was passed over, and a wrong export could read as clean."""

from __future__ import annotations

import re

from test_checks_common import OTHER_ID, codes, make_request
from test_checks_evidence import _clean_with_text
from test_checks_ignorecase_hints import EVERY_CHARACTER

from reviewer.domain.checks import evidence
from reviewer.domain.checks._contacts import _CN_CASES, _CN_MAILTO, household_addresses
from reviewer.domain.checks._identity import (
    _AT_FORMS,
    _JSON_HINT,
    _JSON_PAIR,
    _NEXT_LINE,
    _NEXT_LINE_HINT,
    _WRITTEN_HINT,
    EMAIL,
    deobfuscated,
    find_emails,
    labelled_values,
)

SPACES = "".join(chr(c) for c in range(0x3000 + 1) if re.fullmatch(r"\s", chr(c)))


def _foreign(path: str, text: str) -> str:
    findings = evidence.check(make_request(), _clean_with_text(path, text))
    found = [f for f in findings if f.code == "foreign-identifier"]
    assert codes(found) == ["foreign-identifier"], (text, codes(findings))
    return found[0].detail


def test_every_written_at_passes_the_hint() -> None:
    # `_AT_FORMS` is case-insensitive and takes a space inside the brackets: "[ at ]",
    # "{AT}", "(aT)" must pass the hint as "[at]" does
    for a in "aA":
        for t in "tT":
            for space in ("", *SPACES):
                for opener, closer in ("[]", "{}", "<>"):
                    text = f"x{opener}{space}{a}{t}{space}{closer}y"
                    assert _AT_FORMS.search(text) is not None, text
                    assert _WRITTEN_HINT.search(text) is not None, text
                text = f"x ({space}{a}{t}{space}) example (dot) de"
                assert _AT_FORMS.search(text) is not None, text
                assert _WRITTEN_HINT.search(text) is not None, text


def test_an_address_written_at_with_spaces_or_in_capitals_is_found() -> None:
    for text in (
        "Please forward to lukas.brandt [ at ] example [ dot ] de thanks",
        "Please forward to lukas.brandt [aT] example [dot] de thanks",
        "Please forward to lukas.brandt {AT} example {DOT} de thanks",
        "Please forward to lukas.brandt ( at ) example ( dot ) de thanks",
    ):
        assert deobfuscated(text) is not None, text
        assert "lukas.brandt@example.de" in _foreign("Notes/note.txt", text)


def test_an_address_with_a_plain_at_and_an_encoded_dot_is_found() -> None:
    # the "@" is plain, so no encoded "@" hints at it; the domain's "." or a letter of it is
    # encoded, so the plain scan finds no address either
    for path, text in (
        ("Notes/link.txt", "mailto:lukas.brandt@example%2Ede"),
        ("Notes/link.txt", "mailto:lukas.brandt@exampl%65.de"),
        ("Notes/page.html", "<p>lukas.brandt@example&period;de</p>"),
    ):
        assert "lukas.brandt@example.de" in _foreign(path, text), text


def test_find_emails_finds_what_the_pattern_finds_whatever_the_local_part_s_length() -> None:
    # `find_emails` looks back from each "@" in a window: it must hold the character before
    # the longest local part `EMAIL` takes (64), or a 64-character one was passed over
    for n in range(1, 70):
        for before in ("", "x ", "x.", "<", "\n"):
            text = f"{before}{'a' * n}@example.de and b@example.com"
            assert sorted(a for a, _ in find_emails(text)) == sorted(
                m.casefold() for m in EMAIL.findall(text)
            ), (n, before)
    assert "a" * 64 + "@example.de" in _foreign("Notes/note.txt", f"x {'a' * 64}@example.de")


def test_an_address_with_unseen_characters_or_wide_marks_is_found() -> None:
    # a reader sees "lukas.brandt@example.de" in each; the scan saw no address at all
    for path, text in (
        ("Notes/note.txt", "forward to lukas.brandt@exa\u200bmple.de thanks"),
        ("Notes/note.txt", "forward to lukas.brandt@exam\u00adple.de thanks"),
        ("Notes/note.txt", "forward to lukas.brandt\u200b@example.de thanks"),
        ("Notes/note.txt", "forward to lukas.brandt\ufeff@\u2060example.de thanks"),
        ("Notes/note.txt", "\u9023\u7d61\u5148 lukas.brandt\uff20example.de"),
        ("Notes/note.txt", "forward to lukas.brandt\ufe6bexample.de thanks"),
        ("Notes/note.txt", "forward to lukas.brandt@example\uff0ede thanks"),
    ):
        assert "lukas.brandt@example.de" in _foreign(path, text), text


def test_an_id_grouped_with_unicode_spaces_or_dashes_is_found() -> None:
    # "A1B2 C3D4 E5F6 G7" reads the same with a no-break space, a thin space or a dash of
    # another width between its groups; only ASCII marks were taken for a grouped id's
    for mark in ("\u00a0", "\u202f", "\u2009", "\u3000", "\u2010", "\u2011", "\u2013", "\u2212"):
        text = f"Account {mark.join(('A1B2', 'C3D4', 'E5F6', 'G7'))} (closed)"
        assert OTHER_ID in _foreign("Notes/note.txt", text), repr(mark)
    # words and prices set apart so are no id
    clean = evidence.check(
        make_request(),
        _clean_with_text("Notes/note.txt", "Prix\u00a0: 100\u00a0\u20ac \u2013 ABCD\u00a0EFGH"),
    )
    assert "foreign-identifier" not in codes(clean)


def test_a_labelled_id_written_with_unicode_look_alikes_is_found() -> None:
    # a reader sees the plain text in each; the labels and values were read in ASCII only
    plain = _foreign("Notes/note.txt", "Customer ID: 40817735")
    assert "40817735" in plain
    for text in (
        "Customer\u00a0ID: 40817735",
        "Customer ID: 4081\u200b7735",
        "Customer ID: \uff14\uff10\uff18\uff11\uff17\uff17\uff13\uff15",
        "Cu\u017ftomer ID: 40817735",
    ):
        assert _foreign("Notes/note.txt", text) == plain, text
    assert "40817735" in _foreign("Notes/note.txt", "\u212aundennummer: 40817735")
    xml = _foreign("Notes/a.xml", "<r><customerId>4081 7735</customerId></r>")
    assert _foreign("Notes/a.xml", "<r><customerId>4081\u00a07735</customerId></r>") == xml


# Characters nobody sees (the default-ignorable code points of the BMP, a sample of each range)
UNSEEN = (
    "\u00ad\u034f\u061c\u115f\u17b4\u180b\u180e\u200b\u200e\u202a\u202c\u202e\u2060\u2064"
    "\u2066\u2069\u206a\u206f\u3164\ufe00\ufe0f\ufeff\uffa0"
)


def test_an_id_or_an_address_with_any_unseen_character_inside_is_found() -> None:
    for ch in UNSEEN:
        text = f"Account A1B2C3D4{ch}E5F6G7, write to lukas.brandt@exa{ch}mple.de"
        detail = _foreign("Notes/note.txt", text)
        assert OTHER_ID in detail, repr(ch)
        assert "lukas.brandt@example.de" in detail, repr(ch)


def test_an_address_split_over_tags_is_found_whatever_the_member_is_named() -> None:
    # markup is read as a reader sees it by what it holds, not by its name: an e-mail's HTML
    # body, a page saved as .txt or without an extension
    page = "<html><p>write to <span>lukas.brandt</span><span>@example.de</span></p></html>"
    for path in ("Notes/page.html", "Notes/page.txt", "Notes/page", "Mail/body.mht"):
        assert "lukas.brandt@example.de" in _foreign(path, page), path


def test_every_yaml_key_and_json_pair_passes_its_hint() -> None:
    # the tests before `_NEXT_LINE` and `_JSON_PAIR` were a few spellings of the colon and
    # its spaces; each pattern takes any number of spaces or tabs there ("customer_id:  " with
    # a trailing space or two, '"customer_id"  :' aligned in a log)
    pads = ["", *(" \t\r\n\u00a0\u2003")]
    pads += [a + b for a in pads[1:] for b in pads[1:]]
    for pad in pads:
        yaml = f"customer_id:{pad}\n  40817735\n"
        if _NEXT_LINE.search(yaml) is not None:
            assert _NEXT_LINE_HINT.search(yaml) is not None, repr(yaml)
            assert ("customer_id", "40817735") in set(labelled_values(yaml)), repr(yaml)
        pair = f'x {{"customer_id"{pad}:{pad}"40817735"'
        assert _JSON_PAIR.search(pair) is not None, repr(pair)
        assert _JSON_HINT.search(pair) is not None, repr(pair)
        assert ("customer_id", "40817735") in set(labelled_values(pair)), repr(pair)


def test_a_yaml_key_with_trailing_spaces_or_an_aligned_json_pair_is_found() -> None:
    for path, text in (
        ("Notes/c.yaml", "customer_id:  \n  40817735\n"),
        ("Notes/c.yaml", "customer_id:\t\n  40817735\n"),
        ("Notes/c.yaml", "customer_id: \t\r\n  40817735\r\n"),
        ("Notes/app.log", 'INFO req {"customer_id"  : "40817735", x'),
        ("Notes/app.log", 'INFO req {"customer_id"\t: "40817735", x'),
    ):
        assert "40817735" in _foreign(path, text), repr(text)


def test_a_household_attendee_is_theirs_whatever_the_case_of_cn() -> None:
    # iCalendar's parameter names are case-insensitive, as `_CN_MAILTO` reads them: the test
    # before it took only "CN=", and the spouse's address read as a stranger's contact
    c_like = re.findall("c", EVERY_CHARACTER, re.IGNORECASE)
    n_like = re.findall("n", EVERY_CHARACTER, re.IGNORECASE)
    assert {f"{c}{n}=" for c in c_like for n in n_like} == set(_CN_CASES)
    assert _CN_MAILTO.flags & re.IGNORECASE and _CN_MAILTO.pattern.startswith("CN=")
    request = make_request(
        name="Eleanor Whitfield", household=[{"name": "Tom Whitfield", "relation": "spouse"}]
    )
    for cn in _CN_CASES:
        ics = f"BEGIN:VEVENT\nATTENDEE;{cn}Tom Whitfield:mailto:tom.whitfield@example.co.uk\n"
        index = _clean_with_text("Alexa/Calendar/events.ics", ics)
        assert ("Alexa/Calendar/events.ics", "tom.whitfield@example.co.uk") in (
            household_addresses(request, index)
        ), cn
