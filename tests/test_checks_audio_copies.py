"""missing-recording for a recording that is a byte-for-byte copy of another utterance's:
two utterances made at different times cannot have made the same bytes, so at least one of
them is not delivered with its own recording (the pipeline copied one file over another, or
another account's).

Each test rewrites the clean sample's export.zip with zipfile and reviews it.
"""

from __future__ import annotations

from pathlib import Path

from cleancopy import clean_members, review_changed, voice_history_rows, voice_history_text

from reviewer.domain.model import Severity, Verdict

FIRST = "Alexa/Audio/U0ABA3654614515C.wav"
SECOND = "Alexa/Audio/UB50E72D6FE89A90.wav"


def test_the_same_audio_under_two_utterances_is_a_warning_naming_both(tmp_path: Path) -> None:
    review = review_changed(tmp_path, {SECOND: clean_members()[FIRST]})
    assert review.report.verdict is Verdict.REVIEW, review.report.findings
    [f] = review.report.findings
    assert (f.code, f.severity) == ("missing-recording", Severity.WARNING)
    assert set(f.members) == {"Alexa/VoiceHistory.csv", FIRST, SECOND}
    assert "U0ABA3654614515C" in f.detail and "UB50E72D6FE89A90" in f.detail


def test_distinct_recordings_and_an_unreferenced_copy_raise_no_copy_finding(
    tmp_path: Path,
) -> None:
    """The clean export's recordings are all different; a stray copy no row describes is
    `unattributed-member`'s to report, not a second utterance's."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert review_changed(tmp_path / "a", {}).report.verdict is Verdict.PASS
    review = review_changed(tmp_path / "b", {"Alexa/Audio/old/copy.wav": clean_members()[FIRST]})
    assert [f.code for f in review.report.findings] == ["unattributed-member"]


def test_one_recording_named_by_two_utterances_rows_is_a_warning(tmp_path: Path) -> None:
    """Two utterances' rows pointing at one audio file: one of them has no recording of its
    own here."""
    rows = voice_history_rows()
    first = next(r for r in rows if r[5] == FIRST)
    second = next(r for r in rows if r[5] == SECOND)
    second[5] = FIRST
    review = review_changed(
        tmp_path, {"Alexa/VoiceHistory.csv": voice_history_text(rows), SECOND: None}
    )
    [f] = [f for f in review.report.findings if f.code == "missing-recording"]
    assert f.severity is Severity.WARNING
    assert first[0] in f.detail and second[0] in f.detail and FIRST in f.members
