"""Recordings on a device with a registration date, dated as a locale or an e-mail writes a
date (14.11.2016, 14/11/2016, Mon, 14 Nov 2016 ...): read as that date and judged. Where the
date cannot be read (03/04/2016: March or April? none at all), the previous-owner rule cannot
be applied, which is a warning, never a silent pass.

Each test rewrites the clean sample's voice history (no catalogue: another pipeline's
layout) and reviews it as the app does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cleancopy import review_changed, voice_history_rows, voice_history_text

from reviewer.domain.model import Severity, Verdict


def _first_dated(when: str) -> dict[str, str | None]:
    rows = voice_history_rows()
    rows[0][1] = when
    return {"Alexa/VoiceHistory.csv": voice_history_text(rows), "Alexa/Transcripts.pdf": None}


@pytest.mark.parametrize(
    "when",
    [
        "14/11/2016 07:12:40",
        "11/14/2016 07:12 UTC",
        "Mon, 14 Nov 2016 07:12:40 GMT",
        "14.11.2016 07:12",
        "14-11-2016",
    ],
)
def test_a_recording_dated_in_a_locales_way_before_the_device_is_a_previous_owners(
    tmp_path: Path, when: str
) -> None:
    review = review_changed(tmp_path, _first_dated(when))
    assert review.report.verdict is Verdict.BLOCK
    assert [f.code for f in review.report.findings] == ["previous-owner"]


@pytest.mark.parametrize("when", ["03/04/2016 07:12:40", "31.02.2016", "last week", ""])
def test_a_recording_whose_date_does_not_read_is_not_passed(tmp_path: Path, when: str) -> None:
    review = review_changed(tmp_path, _first_dated(when))
    assert review.report.verdict is Verdict.REVIEW
    [f] = [f for f in review.report.findings if f.severity is not Severity.INFO]
    assert (f.code, f.severity) == ("previous-owner-unchecked", Severity.WARNING)
    uid = voice_history_rows()[0][0]
    assert uid in f.detail and "G090LF0964130QAB" in f.detail and "2017-03-02" in f.detail
    assert f.members == ("Alexa/VoiceHistory.csv", f"Alexa/Audio/{uid}.wav")


def test_a_recording_dated_before_the_device_is_still_a_previous_owners(tmp_path: Path) -> None:
    review = review_changed(tmp_path, _first_dated("2016-11-14 07:12:40"))
    assert review.report.verdict is Verdict.BLOCK
    assert [f.code for f in review.report.findings] == ["previous-owner"]


def test_dated_recordings_raise_nothing(tmp_path: Path) -> None:
    review = review_changed(tmp_path, {"Alexa/Transcripts.pdf": None})
    assert review.report.verdict is Verdict.PASS


def _local(stamp: str, day_first: bool = True) -> str:
    """An ISO time of the clean sample as a locale writes it: 14/03/2018 07:12:40."""
    day, clock = stamp.rstrip("Z").split("T")
    y, m, d = day.split("-")
    return f"{d}/{m}/{y} {clock}" if day_first else f"{m}/{d}/{y} {clock}"


def _catalogue(rows: list[list[str]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    for uid, stamp, _cid, serial, _type, _audio, text in rows:
        pdf.cell(0, 5, f"{stamp}  {serial}  {uid}", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


@pytest.mark.parametrize("day_first", [True, False], ids=["14/03/2018", "03/14/2018"])
def test_a_voice_history_and_catalogue_in_one_locales_order_pass(
    tmp_path: Path, day_first: bool
) -> None:
    """10/06/2018 alone could be either; in a column (or catalogue) whose other dates show the
    order (14/03/2018), it is read in that order and agrees with the other side."""
    rows = voice_history_rows()
    for row in rows:
        row[1] = _local(row[1], day_first)
    review = review_changed(
        tmp_path,
        {
            "Alexa/VoiceHistory.csv": voice_history_text(rows),
            "Alexa/Transcripts.pdf": _catalogue(rows),
        },
    )
    assert review.report.verdict is Verdict.PASS, review.report.findings


def test_a_date_read_in_its_columns_order_before_the_device_is_a_previous_owners(
    tmp_path: Path,
) -> None:
    rows = voice_history_rows()
    for row in rows:
        row[1] = _local(row[1])
    rows[0][1] = "03/02/2017 07:12:40"  # the third of February, before 2017-03-02
    review = review_changed(
        tmp_path,
        {"Alexa/VoiceHistory.csv": voice_history_text(rows), "Alexa/Transcripts.pdf": None},
    )
    assert [f.code for f in review.report.findings] == ["previous-owner"]
