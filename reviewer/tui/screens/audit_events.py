"""The supervisor's audit browser: the audit events themselves, newest first, filtered.

Filters (all optional, applied with Enter in any of them): what the event is about (a request
id, a member, anything its subject or payload names), the person who acted, the event's kind
(`sign-off`, `clock-change`, `inspection` ...) and a date range (YYYY-MM-DD, both ends
included). Enter on an event shows it whole: its fields, its payload and its place in the hash
chain. The texts people typed (notes, reasons) are shown as they were written; the chain
itself records their seal (`reviewer.domain.audit.sealed`), and a purge leaves "(purged)" in
their place. Escape goes back. Every store call runs on a worker thread; at most `LIMIT` events are
shown, the newest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Label, Static

from reviewer.domain.text import printable
from reviewer.tui.base import ReviewerDialog, ReviewerScreen
from reviewer.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from reviewer.domain.audit.sealed import ReadEvent

LIMIT = 1000
FILTERS = (
    ("audit-about", "about: request, member …"),
    ("audit-actor", "person"),
    ("audit-action", "kind: sign-off, clock-change …"),
    ("audit-since", "from YYYY-MM-DD"),
    ("audit-until", "to YYYY-MM-DD"),
)
COLUMNS = (
    ("Seq", "seq", 7),
    ("At (UTC)", "at", 19),
    ("Person", "actor", 12),
    ("Kind", "action", 20),
    ("Subject", "subject", 24),
    ("Payload", "payload", 60),
)


@dataclass(frozen=True)
class AuditFilter:
    about: str = ""
    actor: str = ""
    action: str = ""
    since: str = ""
    until: str = ""

    def describe(self) -> str:
        parts = [f"{k} {v}" for k, v in vars(self).items() if v]
        return ", ".join(parts) if parts else "all events"


def read_filter(values: dict[str, str]) -> AuditFilter:
    """The filter the inputs say; ValueError naming a date that is not YYYY-MM-DD."""
    for key in ("audit-since", "audit-until"):
        text = values.get(key, "").strip()
        if text:
            try:
                date.fromisoformat(text)
            except ValueError:
                raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    return AuditFilter(
        about=values.get("audit-about", "").strip(),
        actor=values.get("audit-actor", "").strip(),
        action=values.get("audit-action", "").strip(),
        since=values.get("audit-since", "").strip(),
        until=values.get("audit-until", "").strip(),
    )


class AuditEventDialog(ReviewerDialog[None]):
    """One audit event whole."""

    HELP_TITLE = "Audit event"
    HELP_TEXT = (
        "One event: its fields and hashes as the chain recorded them, and its payload as it "
        "was written. Texts people typed (notes, reasons) are sealed: the chain holds their "
        "digest and they are kept beside it until the request is purged. Esc or Enter closes it."
    )
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="audit_event.close")]

    def __init__(self, event: ReadEvent) -> None:
        super().__init__(classes="dialog")
        self._event = event

    def compose(self) -> ComposeResult:
        e = self._event.event
        payload = json.dumps(self._event.data, indent=2, sort_keys=True, ensure_ascii=False)
        sealed = e.data.get("sealed") if isinstance(e.data, dict) else None
        text = Text()
        for label, value in (
            ("Seq", str(e.seq)),
            ("At (UTC)", e.at),
            ("Person", e.actor),
            ("Kind", e.action),
            ("Subject", e.subject),
            ("Previous hash", e.prev_hash),
            ("Hash", e.hash),
        ):
            text.append(f"{label:<15}", style="bold")
            text.append(printable(value) + "\n")
        text.append("Payload\n", style="bold")
        text.append(printable(payload, lines=True))
        if isinstance(sealed, dict):
            fields = ", ".join(str(f) for f in sealed.get("fields") or [])
            kept = "removed by the purge" if self._event.purged else "kept beside the chain"
            text.append("\nSealed texts   ", style="bold")
            text.append(
                printable(f"{fields}: {kept}; the chain holds their digest {sealed.get('sha256')}")
            )
        with Vertical(classes="dialog-box"):
            yield Label(f"Audit event {e.seq}", classes="dialog-title")
            with VerticalScroll(id="audit-event-scroll"):
                yield Static(text, id="audit-event-body")
            yield Label("Esc closes.", classes="dim")

    def on_mount(self) -> None:
        self.query_one("#audit-event-scroll", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


class AuditEventsTable(DataTable[Text | str]):
    DEFAULT_CSS = """
    AuditEventsTable {
        height: 1fr;
        border: round $primary-darken-2;
        border-title-color: $text-muted;
    }
    AuditEventsTable:focus {
        border: round $accent;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.border_title = "Audit events"

    def on_mount(self) -> None:
        for label, key, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    def show(self, events: list[ReadEvent], description: str) -> None:
        self.clear()
        for r in events:
            e = r.event
            payload = printable(json.dumps(r.data, sort_keys=True, ensure_ascii=False))
            if len(payload) > COLUMNS[-1][2]:
                payload = payload[: COLUMNS[-1][2] - 1] + "…"
            self.add_row(
                str(e.seq),
                e.at[:19].replace("T", " "),
                Text(printable(e.actor)),
                Text(printable(e.action)),
                Text(printable(e.subject)),
                Text(payload, style="dim"),
                key=str(e.seq),
            )
        more = " (the newest)" if len(events) >= LIMIT else ""
        self.border_subtitle = f"{len(events)}{more} · {description}"


class AuditEventsScreen(ReviewerScreen):
    HELP_TITLE = "Audit events"
    HELP_TEXT = (
        "The audit events themselves, newest first. Filter by what an event is about (a "
        "request id, a member: anything its subject or payload names), the person, the kind "
        "(sign-off, rejection, release, clock-change, inspection, mark ...) and dates "
        "(YYYY-MM-DD, both ends included); Enter in a filter applies them. Enter on an event "
        "shows it whole. Each event's hash chains it to the one before: `v` on the history "
        "verifies the chain."
    )
    DEFAULT_CSS = """
    AuditEventsScreen #audit-filters { height: 3; }
    AuditEventsScreen #audit-filters Input { width: 1fr; }
    AuditEventsScreen #audit-status { height: 1; }
    """
    BINDINGS = [
        Binding("f", "filters", "Filter", id="audit_events.filter"),
        Binding("escape", "back", "Back", id="audit_events.back"),
    ]

    @dataclass
    class Loaded(Message):
        events: list[ReadEvent]
        filters: AuditFilter
        error: str = ""

    def __init__(self, about: str = "") -> None:
        super().__init__()
        self.events: list[ReadEvent] = []
        self.filters = AuditFilter(about=about)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-filters"):
            for key, placeholder in FILTERS:
                value = self.filters.about if key == "audit-about" else ""
                yield Input(value, placeholder=placeholder, id=key)
        yield AuditEventsTable(id="audit-events-table")
        yield Static("", id="audit-status", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(AuditEventsTable).focus()
        self._load(self.filters)

    @work(thread=True, exclusive=True, exit_on_error=False, group="load-audit-events")
    def _load(self, filters: AuditFilter) -> None:
        from reviewer.store.errors import PermissionDenied

        user = self.reviewer_app.user
        if user is None:
            return
        try:
            events = self.reviewer_app.service.audit_events(user, **vars(filters), limit=LIMIT)
        except PermissionDenied as exc:
            self.post_message(self.Loaded([], filters, str(exc)))
            return
        self.post_message(self.Loaded(events, filters))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.filters != self.filters:
            return  # the filters moved on while this was loading
        status = self.query_one("#audit-status", Static)
        status.update(f"Not shown: {printable(message.error)}" if message.error else "")
        self.events = message.events
        self.query_one(AuditEventsTable).show(message.events, message.filters.describe())

    @on(Input.Submitted)
    def _apply(self) -> None:
        values = {i.id or "": i.value for i in self.query(Input)}
        try:
            filters = read_filter(values)
        except ValueError as exc:
            self.query_one("#audit-status", Static).update(str(exc))
            return
        self.filters = filters
        self._load(filters)
        self.query_one(AuditEventsTable).focus()

    @on(DataTable.RowSelected, "#audit-events-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        table = self.query_one(AuditEventsTable)
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        chosen = next((e for e in self.events if str(e.event.seq) == key), None)
        if chosen is not None:
            self.app.push_screen(AuditEventDialog(chosen))

    def action_filters(self) -> None:
        self.query_one("#audit-about", Input).focus()

    def action_back(self) -> None:
        self.dismiss()
