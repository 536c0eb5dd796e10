"""A recording's waveform drawn in the terminal, with a playhead.

    wave = Waveform(id="waveform")
    wave.clip = Clip.from_member(data, name)  # or None for "no recording"
    wave.position_s = 1.25               # moves the playhead (the player pane sets it)

The envelope is drawn in braille: each cell holds two columns of four dots, so a 60-cell wide,
4-row widget shows 120 min/max pairs at 16 levels. What has been played is drawn in the
accent colour, the playhead column is highlighted, the rest is dim. Lines are rendered on
demand (line API) from a grid cached per size.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from reviewer.audio.clip import Clip, peaks

# Dot bits of a braille cell: [row][column] for rows 0..3 (top to bottom), columns 0..1.
_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))
_BRAILLE = 0x2800


def braille_rows(envelope: list[tuple[float, float]], height: int) -> list[str]:
    """Draw min/max pairs (two per cell) as `height` rows of braille characters."""
    width = (len(envelope) + 1) // 2
    dots_high = height * 4
    cells = [[0] * width for _ in range(height)]

    def dot_row(v: float) -> int:
        return min(dots_high - 1, max(0, round((1.0 - v) / 2.0 * (dots_high - 1))))

    for col, (lo, hi) in enumerate(envelope):
        top, bottom = dot_row(hi), dot_row(lo)
        x, side = divmod(col, 2)
        for r in range(top, bottom + 1):
            y, sub = divmod(r, 4)
            cells[y][x] |= _DOTS[sub][side]
    return ["".join(chr(_BRAILLE + bits) for bits in row) for row in cells]


class Waveform(Widget):
    """The selected recording's envelope and a playhead that follows `position_s`."""

    DEFAULT_CSS = """
    Waveform {
        height: 4;
        min-height: 2;
        width: 1fr;
        background: $surface;
    }
    Waveform > .waveform--played { color: $accent; }
    Waveform > .waveform--unplayed { color: $text-muted; }
    Waveform > .waveform--playhead { color: $text; background: $accent 40%; }
    Waveform > .waveform--empty { color: $text-disabled; }
    """

    COMPONENT_CLASSES = {
        "waveform--played",
        "waveform--unplayed",
        "waveform--playhead",
        "waveform--empty",
    }

    clip: reactive[Clip | None] = reactive(None, layout=False)
    position_s: reactive[float] = reactive(0.0)
    empty_text: reactive[str] = reactive("no recording selected")

    def __init__(
        self,
        clip: Clip | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._grid: list[str] = []
        self._grid_size: Size | None = None
        self.set_reactive(Waveform.clip, clip)

    # ------------------------------------------------------------------ state

    def watch_clip(self) -> None:
        self._grid_size = None
        self.position_s = 0.0
        self.refresh()

    def validate_position_s(self, value: float) -> float:
        duration = self.clip.duration_s if self.clip is not None else 0.0
        return min(max(value, 0.0), duration)

    @property
    def duration_s(self) -> float:
        return self.clip.duration_s if self.clip is not None else 0.0

    @property
    def playhead_column(self) -> int | None:
        """The cell column the playhead is in (None without a clip)."""
        width = self.size.width
        if self.clip is None or width <= 0:
            return None
        if self.duration_s <= 0:
            return 0
        return min(width - 1, int(self.position_s / self.duration_s * width))

    def _ensure_grid(self) -> list[str]:
        size = self.size
        if self._grid_size != size:
            self._grid_size = size
            if self.clip is None or size.width <= 0 or size.height <= 0:
                self._grid = []
            else:
                self._grid = braille_rows(peaks(self.clip, size.width * 2), size.height)
        return self._grid

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        grid = self._ensure_grid()
        if not grid:
            style = base + self.get_component_rich_style("waveform--empty")
            text = self.empty_text if y == self.size.height // 2 else ""
            text = text[:width].center(width)
            return Strip([Segment(text, style)], width)
        row = grid[y] if y < len(grid) else " " * width
        head = self.playhead_column or 0
        played: Style = base + self.get_component_rich_style("waveform--played")
        playhead: Style = base + self.get_component_rich_style("waveform--playhead")
        unplayed: Style = base + self.get_component_rich_style("waveform--unplayed")
        segments = []
        if head > 0:
            segments.append(Segment(row[:head], played))
        segments.append(Segment(row[head : head + 1], playhead))
        if head + 1 < width:
            segments.append(Segment(row[head + 1 :], unplayed))
        return Strip(segments, width)

    def watch_position_s(self, old: float, new: float) -> None:
        self.refresh()
