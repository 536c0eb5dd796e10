"""The recordings of the export: the sample marked (S), the ones this reviewer has played
ticked, flagged ones (named by a finding) in red. Moving the cursor posts
`RecordingsList.Highlighted` with the recording under it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import DataTable

from reviewer.domain.model import Recording

BATCH = 500
TEXT_WIDTH = 80  # the transcript column; the whole text is beside the player


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


class RecordingsList(DataTable[Text | str]):
    @dataclass
    class Highlighted(Message):
        row: RecordingRow

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._rows: dict[str, RecordingRow] = {}
        self._order: list[str] = []
        self._played: set[str] = set()

    def on_mount(self) -> None:
        self.add_column("", key="played", width=1)
        self.add_column("S", key="sample", width=1)
        self.add_column("When", key="when", width=16)
        self.add_column("Device", key="device", width=16)
        self.add_column("Secs", key="secs", width=5)
        self.add_column("Transcript", key="text", width=TEXT_WIDTH)

    def show(self, rows: Sequence[RecordingRow], played: Iterable[str] = ()) -> None:
        self.clear()
        self._rows = {r.key: r for r in rows}
        self._order = [r.key for r in rows]
        self._played = set(played)
        batch: list[tuple[list[Text | str], str]] = []
        for r in rows:
            batch.append((self._cells(r), r.key))
            if len(batch) >= BATCH:
                self._add(batch)
                batch = []
        self._add(batch)
        sampled = sum(1 for r in rows if r.sampled)
        self.border_title = f"Recordings {len(rows):,}, sample {sampled}"

    def _add(self, batch: list[tuple[list[Text | str], str]]) -> None:
        for cells, key in batch:
            self.add_row(*cells, key=key)

    def _cells(self, r: RecordingRow) -> list[Text | str]:
        rec = r.recording
        style = "red" if r.flagged else ""
        when = rec.timestamp.strftime("%Y-%m-%d %H:%M") if rec and rec.timestamp else "-"
        secs = f"{r.duration_s:.1f}" if r.duration_s is not None else "-"
        text = rec.transcript if rec else f"({r.member}: no voice-history row)"
        return [
            Text("✓", style="bold green") if r.key in self._played else "",
            Text("S", style="bold magenta") if r.sampled else "",
            Text(when, style=style),
            Text(rec.device_serial if rec and rec.device_serial else "-", style=style),
            secs,
            Text(text, style=style),
        ]

    def mark_played(self, key: str) -> None:
        self._played.add(key)
        if key in self._rows:
            self.update_cell(key, "played", Text("✓", style="bold green"))

    @property
    def current(self) -> RecordingRow | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= len(self._order):
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self._rows.get(key or "")

    def select_key(self, key: str) -> bool:
        if key not in self._rows:
            return False
        self.move_cursor(row=self.get_row_index(key))
        return True

    def step_sample(self, direction: int) -> RecordingRow | None:
        """Move to the next (1) or previous (-1) sampled recording, wrapping around."""
        if not self._order:
            return None
        n = len(self._order)
        start = self.cursor_row
        for step in range(1, n + 1):
            i = (start + direction * step) % n
            row = self._rows[self._order[i]]
            if row.sampled:
                self.move_cursor(row=i)
                return row
        return None

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        key = event.row_key.value
        if key in self._rows:
            self.post_message(self.Highlighted(self._rows[key]))
