"""The queue: every request with its state, verdict, when it is due and who signed.

The Due column says how urgent an open request is by its statutory clock ("in 12d", "today",
"3013d late"), and marks a paused clock ("paused") and an extended one ("+2m"); closed ones
show their due date, dimmed. The exact due date of an open one is on its review screen.

The Held by column names who holds a request (`reviewer claim`); `c` claims the request under
the cursor, or lets it go when you hold it. A claim reserves the first decision for its holder;
anyone may still open and read the request.

`/` filters (free text, or `state:pending`, `verdict:block`, `signed:alice`, `held:alice`,
`held:me`, `held:none`), `s` changes the sort, Enter opens the request under the cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Static

from reviewer.domain.states import State
from reviewer.domain.text import printable
from reviewer.tui.base import ReviewerScreen
from reviewer.tui.columns import ColumnSpec, fit_widths, natural_widths, shorten
from reviewer.tui.widgets.footer import KeysFooter
from reviewer.tui.widgets.verdict_badge import verdict_text

if TYPE_CHECKING:
    from reviewer.store.views import QueueRow

STATE_STYLES = {
    State.PENDING: "",
    State.LAPSED: "yellow",
    State.FIRST_SIGNOFF: "cyan",
    State.APPROVED: "bold green",
    State.RELEASED: "green",
    State.REJECTED: "red",
    State.SUPERSEDED: "dim",
}
CLOSED = frozenset({State.RELEASED, State.REJECTED, State.SUPERSEDED})

SORTS: tuple[tuple[str, str], ...] = (
    ("due", "due date"),
    ("verdict", "verdict"),
    ("state", "state"),
    ("request", "request id"),
)
# Columns give way in this order when the terminal is narrow: the requester's name shortens
# first (to 10), then the signers and the holder; then the holder, the signers, the due date,
# the state, the name and the verdict are left out, in that order. The request id always shows,
# whole.
COLUMNS = (
    ColumnSpec("Request", "request"),
    ColumnSpec("Requester", "requester", max_width=24, min_width=10, drop=5),
    ColumnSpec("Verdict", "verdict", drop=6),
    ColumnSpec("State", "state", drop=4),
    ColumnSpec("Due", "due", drop=3),
    ColumnSpec("Signed by", "signed", min_width=9, drop=2),
    ColumnSpec("Held by", "held", max_width=16, min_width=7, drop=1),
)
FILTER_KEYS = ("state", "verdict", "signed", "by", "held")
VERDICT_ORDER = {"block": 0, "review": 1, "pass": 2}
STATE_ORDER = {state.value: n for n, state in enumerate(STATE_STYLES)}


def matches(row: QueueRow, query: str, me: str | None = None) -> bool:
    """Every word must match: `state:X`, `verdict:X`, `signed:NAME`, `held:NAME` (`held:me`:
    held by `me`, the person signed in; `held:none`: held by nobody), or free text."""
    for word in query.lower().split():
        key, _, value = word.partition(":")
        if value and key == "state":
            if not row.state.value.startswith(value):
                return False
        elif value and key == "verdict":
            if not row.verdict.value.startswith(value):
                return False
        elif value and key in ("signed", "by"):
            if not any(s.name.lower().startswith(value) for s in row.signers):
                return False
        elif value and key == "held":
            if not _held_matches(row.held_by, value, me):
                return False
        else:
            hay = " ".join(
                (
                    row.request_id,
                    row.requester_name,
                    row.customer_id,
                    row.state.value,
                    row.verdict.value,
                    row.held_by or "",
                )
            ).lower()
            if word not in hay:
                return False
    return True


def _held_matches(holder: str | None, value: str, me: str | None) -> bool:
    if value == "none":
        return holder is None
    if value == "me":
        return holder is not None and holder == me
    return holder is not None and holder.lower().startswith(value)


def filter_problem(query: str) -> str:
    """Why a filter word can match nothing, in words ("" when every word makes sense)."""
    for word in query.lower().split():
        key, _, value = word.partition(":")
        if not value:
            continue
        if key == "state" and not any(s.startswith(value) for s in STATE_ORDER):
            return f"no state starts with {value!r}: {', '.join(STATE_ORDER)}"
        if key == "verdict" and not any(v.startswith(value) for v in VERDICT_ORDER):
            return f"no verdict starts with {value!r}: {', '.join(VERDICT_ORDER)}"
        if key not in FILTER_KEYS and not any(c.isdigit() for c in key):
            return (
                f"{key}: is not a filter (state:, verdict:, signed:, held:); it is matched as text"
            )
    return ""


def sort_key(name: str):  # type: ignore[no-untyped-def]
    if name == "verdict":
        return lambda r: (VERDICT_ORDER.get(r.verdict.value, 9), r.request_id)
    if name == "state":
        return lambda r: (STATE_ORDER.get(r.state.value, 9), r.request_id)
    if name == "request":
        return lambda r: r.request_id
    return lambda r: (
        r.days_left is None,
        r.days_left if r.days_left is not None else 0,
        r.request_id,
    )


def due_text(
    days: int | None, state: str, due: str, *, paused: bool = False, extended_months: int = 0
) -> Text:
    """The Due cell: days left or late while open (a paused clock says so, an extended one
    adds "+2m"), the dimmed date once closed."""
    if days is None:
        return Text("-", style="dim")
    if state in CLOSED:
        return Text(due, style="dim")
    if paused:
        text = Text(f"paused {days}d", style="cyan")
    elif days < 0:
        text = Text(f"{-days}d late", style="bold red")
    elif days == 0:
        text = Text("today", style="bold yellow")
    elif days <= 3:
        text = Text(f"in {days}d", style="bold yellow")
    else:
        text = Text(f"in {days}d")
    if extended_months:
        text.append(f" +{extended_months}m", style="magenta")
    return text


def due_date(row: QueueRow) -> str:
    if row.due is not None:
        return f"{row.due:%Y-%m-%d}"
    return row.due_at.strftime("%Y-%m-%d") if row.due_at else "-"


def signers_text(row: QueueRow) -> Text:
    text = Text()
    for i, s in enumerate(row.signers):
        if i:
            text.append(", ")
        style = "green" if s.decision.value == "approve" else "red"
        mark = "✓" if s.decision.value == "approve" else "✗"
        text.append(f"{s.name}{mark}", style=style)
    if not row.signers:
        text.append("-", style="dim")
    return text


def held_text(row: QueueRow, me: str | None = None) -> Text:
    """Who holds the request ("-" dimmed: nobody); bold when it is the person signed in."""
    if row.held_by is None:
        return Text("-", style="dim")
    return Text(printable(row.held_by), style="bold" if row.held_by == me else "")


class QueueScreen(ReviewerScreen):
    AUTO_FOCUS = "#queue-table"
    HELP_TITLE = "Queue"
    HELP_TEXT = (
        "Every request in the store. Verdict is the automatic check: BLOCK (a critical finding: "
        "the export can only be rejected), REVIEW (warnings to acknowledge), PASS. State follows "
        "the sign-offs: pending, first-signoff, approved, released, rejected.\n"
        "Held by: who claimed the request, or was given it; their claim reserves its first "
        "sign-off (or a rejection before any), never the reading or the second sign-off. c "
        "claims the request under the cursor, or lets it go when you hold it.\n"
        "Filter with words: state:pending verdict:block signed:alice held:me held:none, or any "
        "text."
    )
    BINDINGS = [
        Binding(
            "enter", "open", "Open", id="queue.open", tooltip="Review the request under the cursor"
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            id="queue.filter",
            tooltip="Filter by text, state:, verdict:, signed:, held:",
        ),
        Binding(
            "c",
            "claim",
            "Claim",
            id="queue.claim",
            tooltip="Claim the request under the cursor, or let it go when you hold it",
        ),
        Binding("s", "sort", "Sort", id="queue.sort", tooltip="Change the sort order"),
        Binding(
            "r", "refresh", "Refresh", id="queue.refresh", tooltip="Reload the queue from the store"
        ),
        Binding("escape", "clear_filter", "Clear filter", id="queue.clear_filter"),
        Binding("q", "app.quit", "Quit", id="queue.quit"),
    ]

    @dataclass
    class Loaded(Message):
        rows: list[QueueRow]

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[QueueRow] = []
        self._sort = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="filter: text, state:pending, verdict:block, signed:alice, held:me",
            id="queue-filter",
        )
        yield DataTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="queue-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        self._columns(table, [])
        table.focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        # Back from a review: sign-offs may have changed the state.
        if self._rows:
            self.action_refresh()

    # ------------------------------------------------------------------ data

    @work(thread=True, exclusive=True, exit_on_error=False, group="load-the-queue")
    def action_refresh(self) -> None:
        rows = self.reviewer_app.service.queue()
        self.post_message(self.Loaded(rows))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self._rows = message.rows
        self._fill()

    def _visible(self) -> Sequence[QueueRow]:
        query = self.query_one("#queue-filter", Input).value
        rows = [r for r in self._rows if matches(r, query, self._me())]
        return sorted(rows, key=sort_key(SORTS[self._sort][0]))

    def _fill(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        current = None
        if table.row_count and table.cursor_row >= 0:
            current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        rows = self._visible()
        me = self._me()
        cells = [
            (
                Text(r.request_id),
                Text(printable(r.requester_name or r.customer_id)),  # Text: no markup
                verdict_text(r.verdict),
                Text(r.state.value, style=STATE_STYLES.get(r.state, "")),
                due_text(
                    r.days_left,
                    r.state.value,
                    due_date(r),
                    paused=r.paused,
                    extended_months=r.extended_months,
                ),
                signers_text(r),
                held_text(r, me),
            )
            for r in rows
        ]
        table.clear(columns=True)
        widths = self._columns(table, cells)
        for row, request in zip(cells, rows, strict=True):
            cut = [shorten(c, w) for c, w in zip(row, widths, strict=True) if w is not None]
            table.add_row(*cut, key=request.request_id)
        if current is not None and current in table.rows:
            table.move_cursor(row=table.get_row_index(current))
        count = (
            f"{len(rows)} of {len(self._rows)} requests"
            if len(rows) != len(self._rows)
            else f"{len(rows)} requests"
        )
        problem = filter_problem(self.query_one("#queue-filter", Input).value)
        if problem:
            self.query_one("#queue-status", Static).update(f"{count}: {problem}")
            return
        self.query_one("#queue-status", Static).update(
            f"{count}, sorted by {SORTS[self._sort][1]}.  Enter opens, / filters, s sorts, ? help"
        )

    def _columns(
        self, table: DataTable[object], cells: Sequence[Sequence[Text]]
    ) -> list[int | None]:
        """Add the columns that fit the terminal, each as wide as its header or its widest cell
        in `cells` allows (None: left out). Fixed widths: a table sizing its own columns while
        it is refilled could draw them cut to the header's width ("pendi", "in" for "in 12d").
        The room is the terminal's width, known at once, where the table's own may not be yet
        (a first fill, a resize)."""
        room = self.app.size.width - table.styles.gutter.width
        room -= table.styles.scrollbar_size_vertical  # kept free for the scrollbar
        widths = fit_widths(
            COLUMNS, natural_widths(COLUMNS, cells), room, padding=2 * table.cell_padding
        )
        for spec, width in zip(COLUMNS, widths, strict=True):
            if width is not None:
                table.add_column(spec.label, key=spec.key, width=width)
        return widths

    def on_resize(self) -> None:
        if self._rows:
            self._fill()

    # ------------------------------------------------------------------ actions

    def action_open(self) -> None:
        table = self.query_one("#queue-table", DataTable)
        if not table.row_count:
            return
        request_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if request_id:
            from reviewer.tui.screens.review import ReviewScreen

            self.app.push_screen(ReviewScreen(request_id))

    @on(DataTable.RowSelected, "#queue-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def _me(self) -> str | None:
        user = self.reviewer_app.user
        return user.name if user is not None else None

    def _cursor_row(self) -> QueueRow | None:
        table = self.query_one("#queue-table", DataTable)
        if not table.row_count:
            return None
        request_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self._rows if r.request_id == request_id), None)

    def action_claim(self) -> None:
        row = self._cursor_row()
        user = self.reviewer_app.user
        if row is None or user is None:
            return
        self._claim(row.request_id, row.held_by == user.name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="claim-the-request")
    def _claim(self, request_id: str, let_go: bool) -> None:
        from reviewer.store.errors import PermissionDenied, UserError

        service, user = self.reviewer_app.service, self.reviewer_app.user
        if user is None:
            return
        try:
            if let_go:
                service.unclaim(user, request_id)
                said = f"You let go of {request_id}."
            else:
                service.claim(user, request_id)
                said = f"You hold {request_id}: its first sign-off is yours."
        except (PermissionDenied, UserError) as exc:
            reason = str(exc)
            self.app.call_from_thread(
                self.notify, reason[:1].upper() + reason[1:] + ".", severity="warning"
            )
        else:
            self.app.call_from_thread(self.notify, said)
        self.post_message(self.Loaded(service.queue()))

    def action_filter(self) -> None:
        self.query_one("#queue-filter", Input).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#queue-filter", Input)
        box.value = ""
        self.query_one("#queue-table", DataTable).focus()

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#queue-filter")
    def _filter_done(self) -> None:
        self.query_one("#queue-table", DataTable).focus()

    def action_sort(self) -> None:
        self._sort = (self._sort + 1) % len(SORTS)
        self._fill()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            return bool(self._rows)
        if action == "clear_filter":
            return bool(
                self.query("#queue-filter") and self.query_one("#queue-filter", Input).value
            )
        return True
