"""The supervisor's deadline view: every request by its statutory clock.

Open requests first, fewest days left first (overdue at the top), then the answered ones,
dimmed. Each row says when the request is due by the law's count (`reviewer.domain.deadline`),
how many days are left, whether its clock is paused or extended, and whether an extension
notice is still to be sent to the requester. Enter (or `w`) opens the request under the cursor
on the review screen, read-only for a supervisor: what its signers saw, with their marks and
corrections. `e` writes the view as CSV; `r` reloads it; Escape goes back to the history. Every store call runs on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from reviewer.domain.text import printable
from reviewer.tui.base import ReviewerScreen
from reviewer.tui.dialogs.export_csv import ExportCsvDialog
from reviewer.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from reviewer.store.views import QueueRow

# Fixed widths that fit 120 columns (the request id, the longest state, "paused 08-25 +2m",
# "not sent, due 2018-09-03"); at 80 the table scrolls sideways.
COLUMNS = (
    ("Request", "request", 15),
    ("State", "state", 13),
    ("Due", "due", 10),
    ("Left", "left", 10),
    ("Clock", "clock", 17),
    ("Extension notice", "notice", 24),
    ("Ticket says", "ticket", 11),
)


def left_text(row: QueueRow) -> Text:
    if row.clock is None:
        return Text("-", style="dim")
    if not row.open:
        return Text("answered", style="dim")
    days = row.clock.days_left
    if days < 0:
        return Text(f"{-days}d late", style="bold red")
    if days <= 3:
        return Text("today" if days == 0 else f"{days}d", style="bold yellow")
    return Text(f"{days}d")


def clock_text(row: QueueRow) -> Text:
    c = row.clock
    if c is None:
        return Text("no receipt time", style="dim")
    parts = []
    if c.paused_since is not None:
        parts.append(Text(f"paused {c.paused_since:%m-%d}", style="cyan"))
    if c.extended:
        parts.append(Text(f"+{c.extended_months}m", style="magenta"))
    if not parts:
        return Text("running" if row.open else "-", style="" if row.open else "dim")
    return Text(" ").join(parts)


def notice_text(row: QueueRow) -> Text:
    c = row.clock
    if c is None or not c.extended:
        return Text("-", style="dim")
    if c.notice_sent_at is not None:
        return Text(f"sent {c.notice_sent_at:%Y-%m-%d}", style="green")
    overdue = c.notice_due is not None and c.today > c.notice_due
    return Text(
        f"not sent, due {c.notice_due:%Y-%m-%d}", style="bold red" if overdue else "bold yellow"
    )


class DeadlinesTable(DataTable[Text | str]):
    DEFAULT_CSS = """
    DeadlinesTable {
        height: 1fr;
        border: round $primary-darken-2;
        border-title-color: $text-muted;
    }
    DeadlinesTable:focus {
        border: round $accent;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.border_title = "Deadlines"

    def on_mount(self) -> None:
        for label, key, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    def show(self, rows: list[QueueRow]) -> None:
        self.clear()
        for r in rows:
            dim = "" if r.open else "dim"
            ticket = ""
            if r.clock is not None and r.clock.upstream_differs and r.clock.upstream_due:
                ticket = f"{r.clock.upstream_due:%Y-%m-%d}"
            self.add_row(
                Text(printable(r.request_id), style=dim),
                Text(r.state.value, style=dim),
                Text(f"{r.clock.due:%Y-%m-%d}" if r.clock else "-", style=dim),
                left_text(r),
                clock_text(r),
                notice_text(r),
                Text(ticket, style="yellow"),
                key=r.request_id,
            )
        overdue = sum(1 for r in rows if r.open and r.clock and r.clock.overdue)
        notices = sum(1 for r in rows if r.open and r.clock and r.clock.notice_outstanding)
        self.border_subtitle = (
            f"{len(rows)} requests · {overdue} overdue · {notices} extension notices not sent"
        )


class DeadlinesScreen(ReviewerScreen):
    HELP_TITLE = "Deadlines"
    HELP_TEXT = (
        "Every request by its statutory clock: one month from receipt (or from the day identity "
        "was verified), to the corresponding date, moved to the next working day of the "
        "requester's country; longer by any extension, later by the days the clock was paused. "
        "Open requests first, overdue at the top. 'Extension notice' says whether the requester "
        "was told of an extension (due by the first due date). 'Ticket says' shows the "
        "ticket's own due date where it differs from the law's."
    )
    BINDINGS = [
        Binding(
            "w",
            "open_review",
            "Review",
            id="deadlines.review",
            tooltip="Open the request under the cursor as its signers saw it (read-only for a "
            "supervisor); Enter does the same",
        ),
        Binding("e", "export", "Export CSV", id="deadlines.export"),
        Binding("r", "refresh", "Refresh", id="deadlines.refresh"),
        Binding("escape", "back", "Back", id="deadlines.back"),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[QueueRow]

    @dataclass
    class Exported(Message):
        path: Path
        rows: int
        error: str = ""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[QueueRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield DeadlinesTable(id="deadlines-table")
        yield Static("", id="deadlines-status", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(DeadlinesTable).focus()
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="load-deadlines")
    def _load(self) -> None:
        self.post_message(self.Loaded(self.reviewer_app.service.deadlines()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="export-deadlines")
    def _export(self, path: Path) -> None:
        from reviewer.store.errors import PermissionDenied
        from reviewer.store.files import TargetRefused

        user = self.reviewer_app.user
        if user is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            rows = self.reviewer_app.service.deadlines_csv(user, path)
        except (TargetRefused, PermissionDenied) as exc:
            self.post_message(self.Exported(path, 0, str(exc)))
            return
        except OSError as exc:
            self.post_message(self.Exported(path, 0, f"cannot write {path}: {exc.strerror or exc}"))
            return
        self.post_message(self.Exported(path, rows))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows = message.rows
        self.query_one(DeadlinesTable).show(message.rows)

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        status = self.query_one("#deadlines-status", Static)
        if message.error:
            status.update(f"Not exported: {printable(message.error)}")
            return
        status.update(f"Wrote {message.rows} requests to {printable(str(message.path))}")

    def action_refresh(self) -> None:
        self._load()

    def action_open_review(self) -> None:
        from reviewer.tui.screens.review import ReviewScreen

        table = self.query_one(DeadlinesTable)
        if not self.rows or table.cursor_row < 0:
            return
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        if key is not None:
            self.app.push_screen(ReviewScreen(str(key), from_queue=False))

    @on(DataTable.RowSelected, "#deadlines-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_review()

    def action_back(self) -> None:
        self.dismiss()

    def action_export(self) -> None:
        from reviewer.tui.app import store_dir

        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        default = store_dir(self.reviewer_app.service) / "exports" / f"deadlines-{stamp}.csv"

        def chosen(path: Path | None) -> None:
            if path is not None:
                self._export(path)

        self.app.push_screen(
            ExportCsvDialog(default, "every request by its clock", title="Export the deadlines"),
            chosen,
        )
