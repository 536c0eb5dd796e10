"""The recordings of the export: the sample marked (S), the ones this reviewer has played
ticked, flagged ones (named by a finding) in red. Moving the cursor posts
`RecordingsList.Highlighted` with the recording under it. Only visible lines are drawn, so an
export of thousands of recordings opens at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.message import Message

from reviewer.domain.model import Recording
from reviewer.domain.text import printable
from reviewer.tui.widgets.cursor_list import CursorList

HEADER = "     When              Device            Secs  Transcript"
COMPACT_HEADER = "     Date        Device    Secs  Transcript"
COMPACT_BELOW = 70  # narrower than this, rows leave out the time and most of the serial


@dataclass(frozen=True, slots=True)
class RecordingRow:
    """What the list shows for one recording."""

    member: str  # the audio member path: the recording's identity in the export
    recording: Recording | None = None  # its voice-history row, when there is one
    duration_s: float | None = None
    sampled: bool = False
    flagged: bool = False

    @property
    def key(self) -> str:
        return self.member


class RecordingsList(CursorList):
    DEFAULT_CSS = """
    RecordingsList > .recordings-list--flagged { color: $error; }
    RecordingsList > .recordings-list--played { color: $success; text-style: bold; }
    RecordingsList > .recordings-list--sample { color: $secondary; text-style: bold; }
    """
    COMPONENT_CLASSES = {
        "recordings-list--flagged",
        "recordings-list--played",
        "recordings-list--sample",
    }

    @dataclass
    class Highlighted(Message):
        row: RecordingRow

    @dataclass
    class Selected(Message):
        row: RecordingRow

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._rows: list[RecordingRow] = []
        self._index: dict[str, int] = {}
        self._played: set[str] = set()
        self.without_audio = 0  # recordings the voice history lists with no audio file

    def show(
        self, rows: Sequence[RecordingRow], played: Iterable[str] = (), without_audio: int = 0
    ) -> None:
        """The recordings with audio, one row each; `without_audio` more are counted in the
        title (the export's one recording count) though there is nothing to play."""
        self._rows = list(rows)
        self.without_audio = without_audio
        self._index = {r.key: i for i, r in enumerate(self._rows)}
        self._played = set(played)
        self._title()
        self.rows_changed()
        if self._rows:
            self.cursor = 0

    def _title(self) -> None:
        sampled = [r.key for r in self._rows if r.sampled]
        heard = sum(1 for k in sampled if k in self._played)
        # The progress first: a narrow pane cuts the end of its title.
        missing = f", {self.without_audio:,} without audio" if self.without_audio else ""
        self.border_title = (
            f"Recordings {len(self._rows) + self.without_audio:,}, sample {len(sampled)}, "
            f"played {heard}{missing}"
        )

    def is_played(self, key: str) -> bool:
        return key in self._played

    def mark_played(self, key: str) -> None:
        self._played.add(key)
        self._title()
        self.refresh()

    @property
    def current(self) -> RecordingRow | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def select_key(self, key: str) -> bool:
        index = self._index.get(key)
        if index is None:
            return False
        self.cursor = index
        return True

    def step_sample(self, direction: int) -> RecordingRow | None:
        """Move to the next (1) or previous (-1) sampled recording, wrapping around."""
        n = len(self._rows)
        for step in range(1, n + 1):
            i = (self.cursor + direction * step) % n
            if self._rows[i].sampled:
                self.cursor = i
                return self._rows[i]
        return None

    # ------------------------------------------------------------------ CursorList

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def header_text(self) -> str | None:
        return COMPACT_HEADER if self.size.width < COMPACT_BELOW else HEADER

    def cursor_moved(self, index: int) -> None:
        self.post_message(self.Highlighted(self._rows[index]))

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def row_style(self, index: int) -> Style:
        if self._rows[index].flagged:
            return self.style_of("recordings-list--flagged")
        return self.style_of("")

    def render_row(self, index: int, width: int, style: Style) -> list[Segment]:
        r = self._rows[index]
        rec = r.recording
        compact = width < COMPACT_BELOW
        stamp = "%Y-%m-%d" if compact else "%Y-%m-%d %H:%M"
        when = rec.timestamp.strftime(stamp) if rec and rec.timestamp else "-"
        # The serial, the transcript and the member name are input: escaped, never raw.
        device = printable(rec.device_serial) if rec and rec.device_serial else "-"
        secs = f"{r.duration_s:.1f}" if r.duration_s is not None else "-"
        text = printable(rec.transcript if rec else f"({r.member}: no voice-history row)")
        played = r.key in self._played
        tick = Segment("✓ " if played else "  ", style + self.style_of("recordings-list--played"))
        sample = Segment(
            "S " if r.sampled else "  ", style + self.style_of("recordings-list--sample")
        )
        if compact:
            body = f" {when:<10}  {device[-8:]:<8}  {secs:>4}  {text}"
        else:
            body = f" {when:<16}  {device[:16]:<16}  {secs:>4}  {text}"
        return [tick, sample, Segment(body, style)]
