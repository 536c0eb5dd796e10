"""The recordings list's header lines up with its rows at the incident's scale: 1,700
recordings (a scrollbar beside them), durations of one to three digits before the point, at
widths on both sides of the compact layout. Header and rows are laid out from the same
columns, at the width the rows are drawn at."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from textual.app import App, ComposeResult

from reviewer.domain.model import Recording
from reviewer.tui.widgets.recordings import COMPACT_BELOW, RecordingRow, RecordingsList

SERIALS = ("G000RAKBDTEKDGHG", "G0911WK8XRGCQ60J", "G090LF7LHM42T4BU")
PHRASES = ("erinnere mich morgen an den Zahnarzt", "stopp", "wie lange brauche ich zur Arbeit")


def incident_rows(n: int = 1700) -> list[RecordingRow]:
    start = datetime(2015, 7, 1, 8, 0)
    rows = []
    for i in range(n):
        uid = f"U{i:015X}"
        rec = Recording(
            utterance_id=uid,
            timestamp=start + timedelta(hours=19 * i),
            customer_id="A2MZ8T4KQ9XR3P",
            device_serial=SERIALS[i % 3],
            device_type="Echo Dot",
            audio_member=f"Alexa/Audio/{uid}.wav",
            transcript=PHRASES[i % 3],
            source_member="Alexa/VoiceHistory.csv",
        )
        # Mostly about two seconds; a few much longer, one without a duration.
        duration = {7: 123.4, 8: 12.5, 9: None}.get(i, 1.0 + (i % 20) / 10)
        rows.append(RecordingRow(rec.audio_member, rec, duration, sampled=i % 29 == 0))
    return rows


class Host(App[None]):
    CSS = "RecordingsList { border: round $primary; height: 1fr; }"

    def __init__(self, width: int, rows: list[RecordingRow]) -> None:
        super().__init__()
        self.list_width = width
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield RecordingsList()

    def on_mount(self) -> None:
        recordings = self.query_one(RecordingsList)
        recordings.styles.width = self.list_width
        recordings.show(self.rows)
        recordings.focus()


def drawn(recordings: RecordingsList) -> list[str]:
    return [
        "".join(s.text for s in recordings.render_line(y))
        for y in range(recordings.scrollable_content_region.height)
    ]


# Outer widths of the list: around the compact layout's threshold (where a scrollbar once
# made the header wide and the rows compact) and well on each side of it.
WIDTHS = [48, COMPACT_BELOW, COMPACT_BELOW + 1, COMPACT_BELOW + 2, COMPACT_BELOW + 3, 74, 120]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("count", [1700, 5])
async def test_the_header_lines_up_with_every_row(width: int, count: int) -> None:
    rows = incident_rows(count)
    app = Host(width, rows)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        recordings = app.query_one(RecordingsList)
        if count > 100:
            await pilot.press("pagedown", "pagedown")  # the three-digit duration's page too
            await pilot.press("home")
        lines = drawn(recordings)
        header = lines[0]
        compact = "Date" in header
        assert compact == (recordings.scrollable_content_region.width < COMPACT_BELOW)
        when_at = header.index("Date" if compact else "When")
        device_at = header.index("Device")
        secs_end = header.index("Secs") + len("Secs")
        text_at = header.index("Transcript")
        for line, row in zip(lines[1:], rows, strict=False):
            rec = row.recording
            assert rec is not None and rec.timestamp is not None
            stamp = rec.timestamp.strftime("%Y-%m-%d" if compact else "%Y-%m-%d %H:%M")
            device = rec.device_serial[-8:] if compact else rec.device_serial
            secs = f"{row.duration_s:.1f}" if row.duration_s is not None else "-"
            assert line[when_at:].startswith(stamp), (header, line)
            assert line[device_at:].startswith(device), (header, line)
            assert line[:secs_end].endswith(secs) and line[secs_end : secs_end + 2] == "  ", (
                header,
                line,
            )
            assert line[text_at:].startswith(rec.transcript[: len(line) - text_at]), (header, line)


async def test_a_three_digit_duration_widens_its_column_for_every_row() -> None:
    rows = incident_rows(20)
    app = Host(100, rows)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        lines = drawn(app.query_one(RecordingsList))
        secs_end = lines[0].index("Secs") + len("Secs")
        assert lines[0][secs_end - 5 : secs_end] == " Secs"
        assert lines[1 + 7][secs_end - 5 : secs_end] == "123.4"
        assert lines[1 + 0][secs_end - 5 : secs_end] == "  1.0"
