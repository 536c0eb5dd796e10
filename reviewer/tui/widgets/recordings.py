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

COMPACT_BELOW = 70  # narrower than this, rows leave out the time and most of the serial
MARKS = "    "  # the played tick and the sample mark, two cells each


def secs_text(duration_s: float | None) -> str:
    return f"{duration_s:.1f}" if duration_s is not None else "-"


@dataclass(frozen=True, slots=True)
class RecordingColumns:
    """The list's columns at one width: the header and every row are laid out from these, so
    they line up whatever the width and however many digits the durations have."""

    compact: bool
    when: int
    device: int
    secs: int

    @classmethod
    def at(cls, width: int, secs: int = 4) -> RecordingColumns:
        """The columns for rows drawn `width` cells wide whose longest duration is `secs`
        characters."""
        compact = width < COMPACT_BELOW
        return cls(compact, 10 if compact else 16, 8 if compact else 16, max(secs, 4))

    def header(self) -> str:
        when = "Date" if self.compact else "When"
        return f"{MARKS}{self.body(when, 'Device', 'Secs', 'Transcript')}"

    def body(self, when: str, device: str, secs: str, text: str) -> str:
        """A row after its marks (a compact row keeps the end of the serial, where serials
        differ)."""
        device = device[-self.device :] if self.compact else device[: self.device]
        return f" {when:<{self.when}}  {device:<{self.device}}  {secs:>{self.secs}}  {text}"


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
        self._secs_width = 4  # the longest duration's characters
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
        self._secs_width = max([4] + [len(secs_text(r.duration_s)) for r in self._rows])
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

    def columns(self, width: int) -> RecordingColumns:
        return RecordingColumns.at(width, self._secs_width)

    def header_text(self, width: int) -> str | None:
        return self.columns(width).header()

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
        columns = self.columns(width)
        stamp = "%Y-%m-%d" if columns.compact else "%Y-%m-%d %H:%M"
        when = rec.timestamp.strftime(stamp) if rec and rec.timestamp else "-"
        # The serial, the transcript and the member name are input: escaped, never raw.
        device = printable(rec.device_serial) if rec and rec.device_serial else "-"
        text = printable(rec.transcript if rec else f"({r.member}: no voice-history row)")
        played = r.key in self._played
        tick = Segment("✓ " if played else "  ", style + self.style_of("recordings-list--played"))
        sample = Segment(
            "S " if r.sampled else "  ", style + self.style_of("recordings-list--sample")
        )
        body = columns.body(when, device, secs_text(r.duration_s), text)
        return [tick, sample, Segment(body, style)]
