"""Text, CSV and JSON members read as the programs that open them read them: a text with a
few stray NULs is still text, a CSV row ends only where a line break ends it (not at a
Windows ellipsis, U+2028 or a form feed, and not inside a quoted cell), and a JSON document
that names a key twice is looked at in full.

Each review test rewrites the clean sample's export.zip and reviews it as the app does.
"""

from __future__ import annotations

import csv
import io
import struct
from pathlib import Path

import pytest
from cleancopy import review_changed, voice_history_rows, voice_history_text

from reviewer.domain.archive.sniff import looks_like_text, sniff
from reviewer.domain.archive.tabular import decode_text, parse_csv
from reviewer.domain.model import MemberKind, Verdict

VOICE = "Alexa/VoiceHistory.csv"
THEIRS = "A5RT8XK2M9QW4N"  # another customer's id, shaped like the requester's
THEIR_MAIL = "someone.else@example.com"


def _codes(review: object) -> list[str]:
    return [f.code for f in review.report.findings]  # type: ignore[attr-defined]


def _with_transcript(first: str) -> list[list[str]]:
    """The clean voice history's rows, the first one's transcript replaced."""
    rows = voice_history_rows()
    rows[0][6] = first
    return rows


# ------------------------------------------------------------------ stray NULs


def test_a_foreign_row_in_a_csv_with_a_stray_nul_blocks(tmp_path: Path) -> None:
    rows = voice_history_rows()
    rows[3][6] += "\x00"
    rows[4][2] = THEIRS
    review = review_changed(tmp_path, {VOICE: voice_history_text(rows)})
    assert review.report.verdict is Verdict.BLOCK
    [found] = [f for f in review.report.findings if f.code == "foreign-records"]
    assert THEIRS in found.detail and VOICE in found.members


def test_a_foreign_address_in_a_text_with_a_stray_nul_blocks(tmp_path: Path) -> None:
    notes = f"Support notes\x00\nContact: {THEIR_MAIL} (Harold Jenkins), account {THEIRS}\n"
    review = review_changed(tmp_path, {"Documents/notes.txt": notes})
    assert review.report.verdict is Verdict.BLOCK
    [found] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert THEIR_MAIL in found.detail and "Documents/notes.txt" in found.members


def test_a_nul_standing_for_a_space_in_a_transcript_passes(tmp_path: Path) -> None:
    """The NUL reads as a space: the transcript is still the catalogue's."""
    rows = _with_transcript("what's the weather\x00like tomorrow")
    review = review_changed(tmp_path, {VOICE: voice_history_text(rows)})
    assert review.report.verdict is Verdict.PASS, _codes(review)


def test_binary_data_with_nuls_stays_binary() -> None:
    numbers = struct.pack("<200i", *range(0, 200_000, 1000))  # little numbers: NULs throughout
    assert not looks_like_text(numbers)
    assert sniff("data.csv", numbers)[0] is MemberKind.OTHER
    # as few NULs as a text may hold, beside other control bytes: still binary
    assert not looks_like_text(b"abc\x00def\x01\x02ghi" * 50)
    assert looks_like_text(b"Support notes\x00\nContact: someone\n")
    assert sniff("notes.txt", b"Support notes\x00\nContact\n")[0] is MemberKind.TEXT


# ------------------------------------------------------------------ where a row ends


@pytest.mark.parametrize("brk", ["\x85", "\u2028", "\u2029", "\x0c", "\x0b", "\x1e"])
def test_characters_splitlines_breaks_at_stay_in_their_cell(tmp_path: Path, brk: str) -> None:
    """NEL, U+2028, U+2029, a form feed and a vertical tab are whitespace in a transcript,
    not the end of a row: the row stays whole and its transcript is the catalogue's."""
    rows = _with_transcript(f"what's the weather{brk}like tomorrow")
    review = review_changed(tmp_path, {VOICE: voice_history_text(rows)})
    assert review.report.verdict is Verdict.PASS, _codes(review)
    assert len(review.index.recordings) == len(rows)


def test_a_windows_1252_voice_history_keeps_its_ellipsis_in_the_cell(tmp_path: Path) -> None:
    rows = _with_transcript("wait… what's the weather like tomorrow")
    data = voice_history_text(rows).encode("cp1252")
    assert b"\x85" in data
    review = review_changed(tmp_path, {VOICE: data})
    codes = _codes(review)
    assert "unknown-device" not in codes
    [rec] = [r for r in review.index.recordings if r.utterance_id == rows[0][0]]
    assert rec.transcript == "wait… what's the weather like tomorrow"
    assert len(review.index.recordings) == len(rows)
    # the bytes Windows-1252 leaves undefined read as latin-1 ones
    assert decode_text(b"caf\xe9 \x81\x80") == "café \x81€"


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r"])
def test_a_line_break_in_a_quoted_cell_is_kept(tmp_path: Path, brk: str) -> None:
    cell = f'"what\'s the weather{brk}like tomorrow"'
    text = voice_history_text(_with_transcript("TRANSCRIPT")).replace("TRANSCRIPT", cell)
    table = parse_csv(VOICE, text)
    assert table is not None
    assert table.rows[0][6] == f"what's the weather{brk}like tomorrow"
    review = review_changed(tmp_path, {VOICE: text})
    assert review.report.verdict is Verdict.PASS, _codes(review)


def test_a_quoted_csv_reads_as_the_csv_module_reads_it() -> None:
    text = 'a,b\r\n"x\ny",2\r"p,q",\x85\n\n"z\u2028",3\r\n'
    table = parse_csv("t.csv", text)
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    assert table is not None
    assert list(table.rows) == [tuple(r) for r in reader if r]


# ------------------------------------------------------------------ JSON keys named twice

PROFILE = "Account/Profile.json"
OWN_PROFILE = (
    '"customer_id": "A1QH7RZ3N8VW2E", "name": "Eleanor Whitfield", '
    '"email": "eleanor.whitfield@example.co.uk", "locale": "en-GB"'
)


def test_another_persons_address_under_a_key_named_twice_blocks(tmp_path: Path) -> None:
    """The parse keeps the last "email"; a program that takes the first shows a stranger's."""
    text = f'{{"email": "{THEIR_MAIL}", "name": "Harold Jenkins", {OWN_PROFILE}}}'
    review = review_changed(tmp_path, {PROFILE: text})
    assert review.report.verdict is Verdict.BLOCK
    by_code = {f.code: f for f in review.report.findings}
    assert THEIR_MAIL in by_code["foreign-identifier"].detail
    twice = by_code["json-duplicate-key"]
    assert twice.members == (PROFILE,) and '"email"' in twice.detail and '"name"' in twice.detail


def test_a_customer_id_named_twice_is_shown_with_both_values_checked(tmp_path: Path) -> None:
    text = f'{{"customer_id": "{THEIRS}", {OWN_PROFILE}}}'
    review = review_changed(tmp_path, {PROFILE: text})
    assert review.report.verdict is Verdict.BLOCK
    by_code = {f.code: f for f in review.report.findings}
    assert THEIRS in by_code["foreign-identifier"].detail
    assert '"customer_id"' in by_code["json-duplicate-key"].detail


def test_a_key_repeated_with_its_own_value_passes(tmp_path: Path) -> None:
    text = f'{{"locale": "en-GB", {OWN_PROFILE}}}'
    review = review_changed(tmp_path, {PROFILE: text})
    assert review.report.verdict is Verdict.PASS, _codes(review)


def test_a_key_named_twice_in_json_records_of_a_csv_member_is_shown(tmp_path: Path) -> None:
    mine = '"customer_id": "A1QH7RZ3N8VW2E", "order_id": "202-1", "ship_city": "London"'
    text = f'[{{"ship_city": "Leeds", {mine}}}]'
    review = review_changed(tmp_path, {"Retail/Returns.csv": text})
    [twice] = [f for f in review.report.findings if f.code == "json-duplicate-key"]
    assert twice.members == ("Retail/Returns.csv",) and '"ship_city"' in twice.detail


# ------------------------------------------------------------------ long numbers


def test_a_json_integer_longer_than_python_converts_is_read(tmp_path: Path) -> None:
    text = f'{{"loyalty_points": {"9" * 5000}, {OWN_PROFILE}}}'
    review = review_changed(tmp_path, {PROFILE: text})
    assert "json-malformed" not in _codes(review)
    assert review.report.verdict is Verdict.PASS, _codes(review)
    assert review.index.json_docs[PROFILE]["loyalty_points"] == "9" * 5000


def test_a_malformed_json_with_a_long_integer_says_where_in_words(tmp_path: Path) -> None:
    text = f'{{"loyalty_points": {"9" * 5000}, {OWN_PROFILE},}}'
    review = review_changed(tmp_path, {PROFILE: text})
    [bad] = [f for f in review.report.findings if f.code == "json-malformed"]
    assert bad.members == (PROFILE,) and "line 1 column" in bad.detail
    assert "sys." not in bad.detail and "int" not in bad.detail
