"""A transcript catalogue that prints its times another way: as seconds since 1970 (or
milliseconds), as mail writes dates ("Wed, 14 Mar 2018 07:12:40 +0000", "14 Mar 2018
07:12:40"), to the minute, or the day alone. It is still the catalogue, and it agrees with
the voice history to the precision it prints; a time that differs at that precision is
still a mismatch.

Each test rewrites the clean sample's catalogue (written by `pdfcraft`) and reviews it as
the app does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pdfcraft
import pytest
from cleancopy import review_changed, voice_history_rows, voice_history_text

from reviewer.domain.archive.times import parse_export_time
from reviewer.domain.model import Verdict
from reviewer.domain.review import Review

Printed = Callable[[datetime], str]


def _review(tmp_path: Path, printed: Printed) -> Review:
    entries = [
        (
            printed(datetime.strptime(r[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)),
            r[3],
            r[0],
            r[6],
        )
        for r in voice_history_rows()
    ]
    pdf = pdfcraft.build(pdfcraft.catalogue_pages(entries))
    return review_changed(tmp_path, {"Alexa/Transcripts.pdf": pdf})


@pytest.mark.parametrize(
    "printed",
    [
        lambda d: str(int(d.timestamp())),
        lambda d: str(int(d.timestamp() * 1000)),
        lambda d: d.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        lambda d: d.strftime("%d %b %Y %H:%M:%S"),
        lambda d: d.strftime("%Y-%m-%dT%H:%MZ"),
        lambda d: d.strftime("%Y-%m-%d"),
    ],
    ids=["epoch seconds", "epoch milliseconds", "mail", "month name", "minutes", "day"],
)
def test_a_catalogue_printing_times_another_way_agrees(tmp_path: Path, printed: Printed) -> None:
    review = _review(tmp_path, printed)
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


@pytest.mark.parametrize(
    "printed",
    [
        lambda d: (d + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%MZ"),
        lambda d: (d + timedelta(days=1)).strftime("%Y-%m-%d"),
        lambda d: str(int(d.timestamp()) + 7),
    ],
    ids=["a minute later", "a day later", "seconds later"],
)
def test_a_time_that_differs_at_the_printed_precision_is_a_mismatch(
    tmp_path: Path, printed: Printed
) -> None:
    review = _review(tmp_path, printed)
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "catalogue-mismatch"]
    assert "The time of 9 utterances differs" in f.detail


def _history_review(tmp_path: Path, printed: Printed) -> Review:
    """The clean export with the voice history's times printed by `printed` (the catalogue
    keeps ISO seconds)."""
    rows = voice_history_rows()
    for r in rows:
        r[1] = printed(datetime.strptime(r[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC))
    return review_changed(tmp_path, {"Alexa/VoiceHistory.csv": voice_history_text(rows)})


@pytest.mark.parametrize(
    "printed",
    [
        lambda d: d.strftime("%Y/%m/%d %H:%M:%S"),
        lambda d: d.strftime("%m/%d/%Y %I:%M:%S %p").replace(" 0", " "),
        lambda d: d.strftime("%b %d, %Y, %I:%M:%S %p"),
        lambda d: d.strftime("%A, %B %d, %Y %H:%M:%S UTC"),
        lambda d: d.strftime("%Y-%m-%dT%H:%MZ"),
        lambda d: d.strftime("%d/%m/%Y %H:%M"),
    ],
    ids=["year first", "12-hour clock", "month name", "weekday", "minutes", "day first minutes"],
)
def test_a_voice_history_printing_times_another_way_agrees(
    tmp_path: Path, printed: Printed
) -> None:
    review = _history_review(tmp_path, printed)
    assert review.report.verdict is Verdict.PASS, [
        (f.code, f.detail) for f in review.report.findings
    ]


def test_a_history_time_a_minute_off_at_its_precision_is_a_mismatch(tmp_path: Path) -> None:
    review = _history_review(
        tmp_path, lambda d: (d + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    )
    assert review.report.verdict is Verdict.BLOCK
    [f] = [f for f in review.report.findings if f.code == "catalogue-mismatch"]
    assert "The time of 9 utterances differs" in f.detail


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2016/11/14 07:12:40", "2016-11-14T07:12:40"),
        ("11/14/2016 7:12:40 AM", "2016-11-14T07:12:40"),
        ("11/14/2016 12:05 AM", "2016-11-14T00:05:00"),
        ("14/11/2016 7:12 pm", "2016-11-14T19:12:00"),
        ("Nov 14, 2016, 7:12:40 AM", "2016-11-14T07:12:40"),
        ("Monday, November 14, 2016 7:12 PM", "2016-11-14T19:12:00"),
        ("14 November 2016", "2016-11-14T00:00:00"),
        ("2016.11.14", "2016-11-14T00:00:00"),
    ],
)
def test_times_are_read_as_exports_write_them(text: str, iso: str) -> None:
    found = parse_export_time(text)
    assert found is not None and found.replace(tzinfo=None).isoformat() == iso


@pytest.mark.parametrize("text", ["Mar 2018", "Hello 3, 2018", "13/13/2016", "11/14/2016 13:05 PM"])
def test_what_is_no_time_is_none(text: str) -> None:
    assert parse_export_time(text) is None
