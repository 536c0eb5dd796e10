"""The requester as the ticket describes them: identity, how it was verified, devices,
household and addresses. This is what every member of the export is compared with."""

from __future__ import annotations

from datetime import date, datetime

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from reviewer.domain.model import Request


def _d(value: date | datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def render_profile(request: Request) -> RenderableType:
    r = request.requester
    ident = Table.grid(padding=(0, 1))
    ident.add_column(style="bold", no_wrap=True)
    ident.add_column()
    ident.add_row("Name", r.name or "-")
    ident.add_row("Customer", r.customer_id)
    ident.add_row("E-mail", r.email or "-")
    ident.add_row("Phone", r.phone or "-")
    ident.add_row("Locale", r.locale or "-")
    ident.add_row("Account", f"created {_d(r.account_created_at)}")
    verified = request.verification_method or "not recorded"
    ident.add_row("Verified", f"{verified} ({_d(request.verified_at)})")
    parts: list[RenderableType] = [Text("Identity", style="bold underline"), ident]

    parts.append(Text(f"\nDevices ({len(r.devices)})", style="bold underline"))
    if r.devices:
        devices = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
        devices.add_column("Serial", no_wrap=True)
        devices.add_column("Type")
        devices.add_column("Registered", no_wrap=True)
        for d in r.devices:
            label = d.type + (f" ({d.name})" if d.name else "")
            devices.add_row(d.serial, label or "-", _d(d.registered_at))
        parts.append(devices)
    else:
        parts.append(Text("No devices registered: any recording is someone else's.", style="yellow"))

    parts.append(Text(f"\nHousehold ({len(r.household)})", style="bold underline"))
    if r.household:
        for h in r.household:
            parts.append(Text(f"  {h.name}" + (f" ({h.relation})" if h.relation else "")))
    else:
        parts.append(Text("  none listed", style="dim"))

    parts.append(Text(f"\nAddresses ({len(r.addresses)})", style="bold underline"))
    for a in r.addresses:
        line = ", ".join(x for x in (a.street, f"{a.postcode} {a.city}".strip(), a.country) if x)
        parts.append(Text(f"  {line or '-'}"))
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
        self.border_title = f"Requester {request.requester.customer_id}"
        self.query_one("#profile-body", Static).update(render_profile(request))
