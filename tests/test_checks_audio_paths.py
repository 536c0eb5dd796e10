"""The voice history's audio cell written another way than the member's name: as it lands
when extracted ("./", backslashes, a leading "/") or as the bare file name. Each is the
member it names; a bare name two members have, or a file the archive lacks, is still
`missing-recording`.

Each test rewrites the clean sample's export.zip with zipfile and reviews it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cleancopy import clean_members, review_changed, voice_history_rows, voice_history_text

from reviewer.domain.model import Severity, Verdict

HISTORY = "Alexa/VoiceHistory.csv"
FIRST = "Alexa/Audio/U0ABA3654614515C.wav"
SECOND = "Alexa/Audio/UB50E72D6FE89A90.wav"

WRITTEN: dict[str, Callable[[str], str]] = {
    "dot_slash": lambda path: "./" + path,
    "backslashes": lambda path: path.replace("/", "\\"),
    "leading_slash": lambda path: "/" + path,
    "bare_file_name": lambda path: path.rsplit("/", 1)[-1],
}


def _history(written: Callable[[str], str]) -> str:
    rows = voice_history_rows()
    for row in rows:
        row[5] = written(row[5]) if row[5] else ""  # (a row without audio stays so)
    return voice_history_text(rows)


@pytest.mark.parametrize("written", WRITTEN.values(), ids=WRITTEN.keys())
def test_audio_cells_written_another_way_name_their_members(
    written: Callable[[str], str], tmp_path: Path
) -> None:
    review = review_changed(tmp_path, {HISTORY: _history(written)})
    assert list(review.report.findings) == []
    assert review.report.verdict is Verdict.PASS


def test_a_bare_file_name_two_members_have_is_still_missing(tmp_path: Path) -> None:
    """Which of the two is the recording cannot be told: the row's audio stays unfound."""
    review = review_changed(
        tmp_path,
        {
            HISTORY: _history(WRITTEN["bare_file_name"]),
            "Alexa/Audio/old/U0ABA3654614515C.wav": clean_members()[SECOND],
        },
    )
    [f] = [f for f in review.report.findings if f.code == "missing-recording"]
    assert f.severity is Severity.WARNING
    assert "U0ABA3654614515C.wav" in f.detail
    assert "UB50E72D6FE89A90" not in f.detail


@pytest.mark.parametrize("written", WRITTEN.values(), ids=WRITTEN.keys())
def test_a_recording_the_archive_lacks_is_still_missing(
    written: Callable[[str], str], tmp_path: Path
) -> None:
    review = review_changed(tmp_path, {HISTORY: _history(written), FIRST: None})
    [f] = [f for f in review.report.findings if f.code == "missing-recording"]
    assert f.severity is Severity.WARNING
    assert "U0ABA3654614515C" in f.detail and "UB50E72D6FE89A90" not in f.detail
    assert review.report.verdict is not Verdict.PASS
