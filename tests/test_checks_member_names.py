"""Member names as identity evidence: a folder or file named after another account
(`Alexa/A2MZ8T4KQ9XR3P/`, `lukas.brandt@example.de.txt`) is someone else's identifier in the
export, with or without a manifest whose file list would spell the name out.

Each test writes a real export.zip (the clean sample's members, no manifest) and reviews it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cleancopy import clean_members, review_members

from reviewer.domain.model import Verdict
from reviewer.domain.review import Review

OTHER_ID = "A2MZ8T4KQ9XR3P"
REQ_ID = "A1QH7RZ3N8VW2E"


def _review(tmp_path: Path, renames: dict[str, str], extra: dict[str, bytes]) -> Review:
    members = {p: b for p, b in clean_members().items() if p != "manifest.json"}
    for old, new in renames.items():
        members[new] = members.pop(old)
    members.update(extra)
    return review_members(tmp_path, members)


@pytest.mark.parametrize(
    ("renames", "extra", "named", "value"),
    [
        (
            {"Alexa/VoiceHistory.csv": f"Alexa/{OTHER_ID}/VoiceHistory.csv"},
            {},
            f"Alexa/{OTHER_ID}/VoiceHistory.csv",
            OTHER_ID,
        ),
        ({}, {f"Retail/{OTHER_ID}_notes.txt": b"hello"}, f"Retail/{OTHER_ID}_notes.txt", OTHER_ID),
        (
            {},
            {"Mail/lukas.brandt@example.de/inbox.txt": b"hello"},
            "Mail/lukas.brandt@example.de/inbox.txt",
            "lukas.brandt@example.de",
        ),
    ],
)
def test_a_member_named_after_another_account_blocks(
    tmp_path: Path, renames: dict[str, str], extra: dict[str, bytes], named: str, value: str
) -> None:
    review = _review(tmp_path, renames, extra)
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "foreign-identifier"]
    assert named in f.members and value in f.detail


def test_member_names_of_the_requester_utterances_and_devices_pass(tmp_path: Path) -> None:
    """The requester's own id in a folder name, utterance ids and serials in file names,
    and a picture at twice the resolution are nobody else's identifiers."""
    review = _review(
        tmp_path,
        {"Alexa/VoiceHistory.csv": f"Alexa/{REQ_ID}/VoiceHistory.csv"},
        {"Devices/G090LF0964130QAB.txt": b"Echo Dot", "Devices/logo@2x.png": b"\x89PNG"},
    )
    codes = [f.code for f in review.report.findings]
    assert "foreign-identifier" not in codes, codes
