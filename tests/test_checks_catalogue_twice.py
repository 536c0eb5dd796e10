"""An utterance listed twice, in the transcript catalogue or in the voice history, with
readings that disagree: the disagreement is a catalogue mismatch like any other, whichever
reading comes first.

Each test rewrites the clean sample's export.zip (its catalogue written by `pdfcraft`) and
reviews it as the app does.
"""

from __future__ import annotations

from pathlib import Path

import pdfcraft
from cleancopy import review_changed, voice_history_rows, voice_history_text

from reviewer.domain.model import Verdict
from reviewer.domain.review import Review


def _catalogue(entries: list[pdfcraft.Entry]) -> bytes:
    return pdfcraft.build(pdfcraft.catalogue_pages(entries))


def _entries() -> list[pdfcraft.Entry]:
    return [(r[1], r[3], r[0], r[6]) for r in voice_history_rows()]


def _mismatches(review: Review) -> list[str]:
    return [f.detail for f in review.report.findings if f.code == "catalogue-mismatch"]


def test_the_rebuilt_catalogue_agrees(tmp_path: Path) -> None:
    review = review_changed(tmp_path, {"Alexa/Transcripts.pdf": _catalogue(_entries())})
    assert review.report.verdict is Verdict.PASS


def test_a_second_catalogue_entry_with_another_text_is_a_mismatch(tmp_path: Path) -> None:
    first = _entries()[0]
    twice = [*_entries(), (first[0], first[1], first[2], "order more dog food")]
    review = review_changed(tmp_path, {"Alexa/Transcripts.pdf": _catalogue(twice)})
    assert review.report.verdict is Verdict.BLOCK
    [detail] = _mismatches(review)
    assert first[2] in detail and "order more dog food" in detail


def test_a_second_catalogue_entry_on_another_device_and_day_is_a_mismatch(
    tmp_path: Path,
) -> None:
    first = _entries()[0]
    twice = [*_entries(), ("2016-01-02T10:00:00Z", "G0K1ZZ9988776655", first[2], first[3])]
    review = review_changed(tmp_path, {"Alexa/Transcripts.pdf": _catalogue(twice)})
    assert review.report.verdict is Verdict.BLOCK
    details = _mismatches(review)
    assert any("G0K1ZZ9988776655" in d for d in details)
    assert any("2016-01-02T10:00:00Z" in d for d in details)


def test_a_second_voice_history_row_with_another_text_is_a_mismatch(tmp_path: Path) -> None:
    rows = voice_history_rows()
    again = [*rows[0][:5], "", "order more dog food"]
    review = review_changed(
        tmp_path, {"Alexa/VoiceHistory.csv": voice_history_text([*rows, again])}
    )
    assert review.report.verdict is Verdict.BLOCK
    [detail] = _mismatches(review)
    assert rows[0][0] in detail and "order more dog food" in detail


def test_an_utterance_listed_twice_alike_on_both_sides_agrees(tmp_path: Path) -> None:
    rows = voice_history_rows()
    entries = _entries()
    review = review_changed(
        tmp_path,
        {
            "Alexa/VoiceHistory.csv": voice_history_text([*rows, [*rows[0][:5], "", rows[0][6]]]),
            "Alexa/Transcripts.pdf": _catalogue([*entries, entries[0]]),
        },
    )
    assert _mismatches(review) == []
