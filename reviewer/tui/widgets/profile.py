"""The requester as the ticket describes them: identity, how it was verified, devices,
household and addresses. This is what every member of the export is compared with."""

from __future__ import annotations

from datetime import date, datetime

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from reviewer.domain.model import Request
from reviewer.domain.text import printable

LABEL_WIDTH = len("Verified")


def _d(value: date | datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


class _Identity:
    """The identity fields: two label/value pairs per line when the pane is wide enough (so
    the devices stay in view on an 80x24 terminal), one pair per line when it is narrow."""

    def __init__(self, pairs: list[tuple[str, str]], last: tuple[str, str]) -> None:
        self.pairs = pairs
        self.last = last  # a long field on a line of its own

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        left = max(len(value) for _, value in self.pairs[0::2])
        right = max(len(value) for _, value in self.pairs[1::2])
        # label, gap, value, gap, spacer, gap, label, gap, value
        columns = 2 if options.max_width >= 2 * (LABEL_WIDTH + 1) + 3 + left + right else 1
        grid = Table.grid(padding=(0, 1))
        for i in range(columns):
            if i:
                grid.add_column(width=1)  # a wider gap between the pairs
            grid.add_column(style="bold", no_wrap=True, min_width=LABEL_WIDTH)
            grid.add_column()
        for at in range(0, len(self.pairs), columns):
            row: list[str] = []
            for i, (label, value) in enumerate(self.pairs[at : at + columns]):
                row += ([""] if i else []) + [label, value]
            grid.add_row(*row)
        yield grid
        line = Table.grid(padding=(0, 1))
        line.add_column(style="bold", no_wrap=True, min_width=LABEL_WIDTH)
        line.add_column()
        line.add_row(*self.last)
        yield line


def _safe(text: str) -> str:
    """A ticket field for a table cell: control characters escaped, brackets not markup."""
    return escape(printable(text))


def render_profile(request: Request) -> RenderableType:
    r = request.requester
    verified = _safe(request.verification_method or "not recorded")
    ident = _Identity(
        [
            ("Name", _safe(r.name or "-")),
            ("Customer", _safe(r.customer_id)),
            ("E-mail", _safe(r.email or "-")),
            ("Phone", _safe(r.phone or "-")),
            ("Locale", _safe(r.locale or "-")),
            ("Account", f"created {_d(r.account_created_at)}"),
        ],
        ("Verified", f"{verified} ({_d(request.verified_at)})"),
    )
    parts: list[RenderableType] = [Text("Identity", style="bold underline"), ident]

    parts.append(Text(f"Devices ({len(r.devices)})", style="bold underline"))
    if r.devices:
        devices = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
        devices.add_column("Serial", no_wrap=True)
        devices.add_column("Type")
        devices.add_column("Registered", no_wrap=True)
        for d in r.devices:
            label = d.type + (f" ({d.name})" if d.name else "")
            devices.add_row(_safe(d.serial), _safe(label or "-"), _d(d.registered_at))
        parts.append(devices)
    else:
        parts.append(
            Text("No devices registered: any recording is someone else's.", style="yellow")
        )

    parts.append(Text(f"Household ({len(r.household)})", style="bold underline"))
    if r.household:
        for h in r.household:
            parts.append(
                Text(printable(f"  {h.name}" + (f" ({h.relation})" if h.relation else "")))
            )
    else:
        parts.append(Text("  none listed", style="dim"))

    parts.append(Text(f"Addresses ({len(r.addresses)})", style="bold underline"))
    for a in r.addresses:
        line = ", ".join(x for x in (a.street, f"{a.postcode} {a.city}".strip(), a.country) if x)
        parts.append(Text(printable(f"  {line or '-'}")))
    if not r.addresses:
        parts.append(Text("  none listed", style="dim"))
    return Group(*parts)


class ProfilePane(VerticalScroll):
    """Scrollable, focusable view of the requester's profile."""

    DEFAULT_CSS = """
    ProfilePane { height: 1fr; }
    ProfilePane > Static { width: 1fr; }
    """

    can_focus = True

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("Loading the request...", id="profile-body")

    def show(self, request: Request) -> None:
        self.border_title = f"Requester {_safe(request.requester.customer_id)}"
        self.query_one("#profile-body", Static).update(render_profile(request))
