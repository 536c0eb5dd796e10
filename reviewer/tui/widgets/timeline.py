"""Recordings per month per device, against the requester's device registrations.

    timeline = RecordingTimeline()
    timeline.show(index.recordings, request.requester)
    timeline.load_detail(detail)     # the same, from the store's RequestDetail

One row per device (the requester's registered devices first, then every serial the export
has that the requester never registered), one two-cell column per month, each cell shaded by
how many recordings fall in it (░ ▒ ▓ █, darker is more). `┃` marks the month a device was
registered and `◆` the month the account was created. Recordings made before the device was
registered (a previous owner's) or before the account existed, and every recording of an
unknown device, are drawn in red, and said in words under the grid, so nobody has to rely on
colour alone. Wide ranges scroll sideways; the device labels stay put.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reviewer.domain.devices import device_floors, recording_serial, serial_key, serial_of
from reviewer.domain.model import Recording, Requester
from reviewer.domain.text import printable

if TYPE_CHECKING:
    from reviewer.store.views import RequestDetail

SHADES = "░▒▓█"
LABEL_W = 22
COUNT_W = 6
FIXED_W = LABEL_W + COUNT_W
CELL_W = 2
MONTH_INITIALS = "JFMAMJJASOND"


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def month_label(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


@dataclass(slots=True)
class DeviceRow:
    serial: str
    label: str
    registered: date | None
    known: bool
    ok: dict[int, int] = field(default_factory=dict)  # month -> recordings that fit the ticket
    early: dict[int, int] = field(default_factory=dict)  # month -> recordings that do not
    undated: int = 0

    @property
    def total(self) -> int:
        return sum(self.ok.values()) + sum(self.early.values()) + self.undated

    @property
    def early_total(self) -> int:
        return sum(self.early.values())


@dataclass(slots=True)
class TimelineData:
    rows: list[DeviceRow]
    first: int  # month index of the first column
    last: int  # month index of the last column
    account_created: date | None
    peak: int  # the busiest cell's count

    @property
    def months(self) -> int:
        return self.last - self.first + 1 if self.rows else 0


def build_timeline(recordings: Sequence[Recording], requester: Requester | None) -> TimelineData:
    """Count recordings per device and month, splitting those the ticket cannot explain."""
    rows: dict[str, DeviceRow] = {}
    created = requester.account_created_at if requester else None
    floors = device_floors(requester) if requester else None
    for dev in requester.devices if requester else ():
        name = dev.name or dev.type or "device"
        rows[serial_key(dev.serial)] = DeviceRow(
            dev.serial, f"{name} {dev.serial[-6:]}", dev.registered_at, True
        )
    months: list[int] = []
    for rec in recordings:
        key = recording_serial(rec)
        row = rows.get(key)
        if row is None:
            kind = rec.device_type or "unknown device"
            serial = serial_of(rec) or "(no serial)"
            row = rows[key] = DeviceRow(serial_of(rec), f"{kind} {serial[-6:]}", None, False)
        if rec.timestamp is None:
            row.undated += 1
            continue
        m = month_index(rec.timestamp.date())
        months.append(m)
        # The previous-owner check's rule (`reviewer.domain.devices`): an unknown device's
        # recordings, and those before the device's floor (its registration, else the
        # account's creation), are not the requester's.
        foreign = not row.known or (floors is not None and floors.is_early(rec))
        bucket = row.early if foreign else row.ok
        bucket[m] = bucket.get(m, 0) + 1
    for row in rows.values():
        if row.registered is not None and (row.total or months):
            months.append(month_index(row.registered))
    if created is not None and months and month_index(created) >= min(months):
        months.append(month_index(created))
    ordered = sorted(rows.values(), key=lambda r: (not r.known, r.serial))
    peak = max((n for r in ordered for n in (*r.ok.values(), *r.early.values())), default=0)
    if not months:
        return TimelineData(ordered, 0, -1, created, peak)
    return TimelineData(ordered, min(months), max(months), created, peak)


def problems(data: TimelineData) -> list[str]:
    """Each red cell's reason, in words."""
    out: list[str] = []
    for row in data.rows:
        if not row.known:
            out.append(
                f"{row.serial or '(no serial)'}: {row.total} recording{'s' if row.total != 1 else ''}"
                " from a device the requester never registered"
            )
        elif row.early_total:
            n = row.early_total
            plural = "s" if n != 1 else ""
            if row.registered is not None:
                why = f"before it was registered on {row.registered.isoformat()}"
            else:
                created = data.account_created.isoformat() if data.account_created else "?"
                why = f"before the account was created on {created}"
            out.append(f"{row.serial}: {n} recording{plural} {why}")
    return out


class RecordingTimeline(ScrollView, can_focus=True):
    """Recordings per month per device, with registrations and the account's creation marked."""

    DEFAULT_CSS = """
    RecordingTimeline {
        height: auto;
        max-height: 16;
        overflow-y: auto;
        overflow-x: auto;
        background: $surface;
    }
    RecordingTimeline > .timeline--axis { color: $text-muted; }
    RecordingTimeline > .timeline--label { color: $text; }
    RecordingTimeline > .timeline--ok { color: $primary; }
    RecordingTimeline > .timeline--early { color: $error; text-style: bold; }
    RecordingTimeline > .timeline--empty { color: $text-disabled; }
    RecordingTimeline > .timeline--registered { color: $accent; text-style: bold; }
    RecordingTimeline > .timeline--account { color: $warning; text-style: bold; }
    RecordingTimeline > .timeline--problem { color: $error; }
    """

    COMPONENT_CLASSES = {
        "timeline--axis",
        "timeline--label",
        "timeline--ok",
        "timeline--early",
        "timeline--empty",
        "timeline--registered",
        "timeline--account",
        "timeline--problem",
    }

    def __init__(
        self,
        recordings: Sequence[Recording] = (),
        requester: Requester | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.data = build_timeline(recordings, requester)
        self._lines: list[list[tuple[str, str]]] = []  # (text, component class) runs
        self._fixed: list[bool] = []  # line has a fixed label part followed by the grid

    def on_mount(self) -> None:
        self._layout_lines()

    def show(self, recordings: Sequence[Recording], requester: Requester | None) -> None:
        self.data = build_timeline(recordings, requester)
        self._layout_lines()
        self.scroll_to(x=0, y=0, animate=False)

    def load_detail(self, detail: RequestDetail) -> None:
        """Show the recordings of a stored export version against its request."""
        self.show(detail.index.recordings, detail.request.requester)

    @property
    def problems(self) -> list[str]:
        return problems(self.data)

    # ------------------------------------------------------------------ layout

    def _layout_lines(self) -> None:
        data = self.data
        lines: list[list[tuple[str, str]]] = []
        fixed: list[bool] = []
        legend = [
            f"{SHADES} recordings a month (darker: more)   ┃ device registered   ◆ account created",
            "red: before registration or account creation, or from an unknown device",
        ]
        if not data.rows or data.months == 0:
            lines.append([("No dated recordings to place on a timeline.", "timeline--axis")])
            fixed.append(False)
        else:
            initials = [
                MONTH_INITIALS[m % 12].ljust(CELL_W) for m in range(data.first, data.last + 1)
            ]
            year_line = ""
            for k, m in enumerate(range(data.first, data.last + 1)):
                # Each January gets its year; so does the first column unless a January is near.
                if m % 12 == 0 or (k == 0 and m % 12 <= 9):
                    year_line = year_line.ljust(k * CELL_W) + str(m // 12)
            width = data.months * CELL_W
            lines.append(
                [(" " * FIXED_W, "timeline--axis"), (year_line.ljust(width), "timeline--axis")]
            )
            lines.append([(" " * FIXED_W, "timeline--axis"), ("".join(initials), "timeline--axis")])
            fixed += [True, True]
            lines.append(self._account_line())
            fixed.append(True)
            for row in data.rows:
                lines.append(self._device_line(row))
                fixed.append(True)
            for text in problems(data):  # each names a serial from the input: escaped
                lines.append([("⚠ " + printable(text), "timeline--problem")])
                fixed.append(False)
        for text in legend:
            lines.append([(text, "timeline--axis")])
            fixed.append(False)
        self._lines, self._fixed = lines, fixed
        widest = max(sum(len(t) for t, _ in line) for line in lines)
        self.virtual_size = Size(widest, len(lines))
        self.refresh(layout=True)

    def _account_line(self) -> list[tuple[str, str]]:
        data = self.data
        created = data.account_created
        label = "Account created"
        runs: list[tuple[str, str]] = [
            (label.ljust(LABEL_W)[:LABEL_W], "timeline--label"),
            (" " * COUNT_W, "timeline--axis"),
        ]
        if created is None:
            runs.append(("not known", "timeline--axis"))
            return runs
        if month_index(created) < data.first:
            runs.append((f"◀ {created.isoformat()}, before this range", "timeline--account"))
            return runs
        for m in range(data.first, data.last + 1):
            mark = m == month_index(created)
            runs.append(("◆ " if mark else "  ", "timeline--account"))
        return runs

    def _device_line(self, row: DeviceRow) -> list[tuple[str, str]]:
        data = self.data
        label_class = "timeline--label" if row.known else "timeline--early"
        label = printable(row.label if row.known else f"? {row.label}")  # names are input
        runs: list[tuple[str, str]] = [
            (label.ljust(LABEL_W - 1)[: LABEL_W - 1] + " ", label_class),
            (str(row.total).rjust(COUNT_W - 1) + " ", label_class),
        ]
        reg = month_index(row.registered) if row.registered else None
        for m in range(data.first, data.last + 1):
            ok, early = row.ok.get(m, 0), row.early.get(m, 0)
            count = ok + early
            if count:
                level = min(len(SHADES) - 1, (count * len(SHADES) - 1) // max(data.peak, 1))
                shade, cls = SHADES[level], "timeline--early" if early else "timeline--ok"
            else:
                shade, cls = "·", "timeline--empty"
            if m == reg:
                runs.append(("┃", "timeline--registered"))
                runs.append((shade, cls))
            else:
                runs.append((shade * CELL_W if count else shade + " ", cls))
        return runs

    # ------------------------------------------------------------------ drawing

    def _style(self, cls: str) -> Style:
        return self.rich_style + self.get_component_rich_style(cls, partial=True)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        runs = self._lines[index]
        if self._fixed[index] and len(runs) >= 2:
            head = Strip([Segment(t, self._style(c)) for t, c in runs[:2]])
            grid = Strip([Segment(t, self._style(c)) for t, c in runs[2:]])
            grid_w = max(width - head.cell_length, 0)
            grid = grid.crop(scroll_x, scroll_x + grid_w)
            strip = Strip.join([head, grid])
        else:
            strip = Strip([Segment(t, self._style(c)) for t, c in runs]).crop(
                scroll_x, scroll_x + width
            )
        return strip.adjust_cell_length(width, self.rich_style)

    def text_lines(self) -> list[str]:
        """Every line as plain text, unscrolled (for screenshots and tests)."""
        return ["".join(t for t, _ in runs).rstrip() for runs in self._lines]


# The name the review screen looks the timeline up by.
TimelinePane = RecordingTimeline
