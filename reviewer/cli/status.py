"""`reviewer status [--json]`: every request with its state, verdict, statutory due date
(`reviewer.domain.deadline`) and sign-offs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from reviewer.cli.acting import open_service

if TYPE_CHECKING:
    from datetime import datetime

    from rich.console import Console
    from rich.table import Table

    from reviewer.domain.deadline import Clock


@click.command(short_help="Every request with its state, verdict, due date and sign-offs.")
@click.option("--json", "as_json", is_flag=True, help="Print the queue as JSON on stdout.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Show every request in the store: state, verdict, due date, days left, who signed and
    who holds it.

    The due date is the statutory one, computed from the ticket's receipt (or identity
    verification) by the ICO's rule with the requester's bank holidays, moved by extensions
    and pauses; the ticket's own `due_at` is shown beside it when it differs. In --json each
    request carries `due` (YYYY-MM-DD), `days_left`, `extended`, `paused`, `clock` (the whole
    clock), `clock.history` (every change: who, when, why), and `held_by` / `held_since`
    (who holds the request, null when nobody does: `reviewer claim`).

    \b
    Exit codes:
      0  shown
      2  the store cannot be opened
    """
    with open_service(ctx) as svc:
        rows = svc.queue()
    if as_json:
        doc = [
            {
                "request_id": r.request_id,
                "requester": r.requester_name,
                "customer_id": r.customer_id,
                "state": r.state.value,
                "verdict": r.verdict.value,
                "due": f"{clock.due:%Y-%m-%d}" if (clock := r.clock) else None,
                "days_left": clock.days_left if clock else r.days_left,
                "extended": bool(clock and clock.extended),
                "paused": bool(clock and clock.paused),
                "due_at": r.due_at.isoformat() if r.due_at else None,
                "clock": clock.as_dict() if clock else None,
                "held_by": r.held_by,
                "held_since": r.held_since.isoformat() if r.held_since else None,
                "version": r.version,
                "version_id": r.version_id,
                "archive_sha256": r.archive_sha256,
                "critical": r.critical,
                "warnings": r.warnings,
                "signoffs": [
                    {
                        "name": s.name,
                        "role": s.role.value,
                        "stage": s.stage.value,
                        "decision": s.decision.value,
                        "at": s.at.isoformat(),
                    }
                    for s in r.signers
                ],
                "unlock_expires_at": r.unlock_expires_at.isoformat()
                if r.unlock_expires_at
                else None,
            }
            for r in rows
        ]
        click.echo(json.dumps(doc, indent=2))
        return
    if not rows:
        click.echo("no requests in the store: reviewer ingest INBOX")
        return
    from rich.table import Table
    from rich.text import Text

    from reviewer.cli.render import StdoutConsole
    from reviewer.domain.text import printable

    table = Table(box=None, pad_edge=False)
    for col in (
        "request",
        "requester",
        "state",
        "verdict",
        "due",
        "days left",
        "sign-offs",
        "held by",
    ):
        table.add_column(col)
    for r in rows:
        signed = ", ".join(f"{s.name} ({s.decision.value})" for s in r.signers) or "-"
        clock = r.clock
        table.add_row(  # data as Text: control characters escaped, brackets not markup
            Text(printable(r.request_id)),
            Text(printable(r.requester_name or r.customer_id)),
            r.state.value,
            r.verdict.value,
            _due_cell(clock, r.due_at),
            "-" if clock is None else str(clock.days_left),
            Text(printable(signed)),
            Text(printable(r.held_by or "-")),
        )
    _keep_whole(table, ("request", "state", "verdict", "due", "days left"))
    console = StdoutConsole(highlight=False)
    narrowest = _narrowest(console, table)
    if narrowest > console.width:
        console = StdoutConsole(highlight=False, width=narrowest)
    console.print(table)


def _due_cell(clock: Clock | None, upstream: datetime | None) -> str:
    """2018-09-03, with what sets it apart: paused, extended, the ticket's differing date."""
    if clock is None:
        return f"{upstream:%Y-%m-%d} (ticket)" if upstream else "-"
    marks = []
    if clock.paused:
        marks.append("paused")
    if clock.extended:
        marks.append(f"+{clock.extended_months}m")
    if clock.upstream_differs and clock.upstream_due is not None:
        marks.append(f"ticket {clock.upstream_due:%Y-%m-%d}")
    return f"{clock.due:%Y-%m-%d}" + (f" ({', '.join(marks)})" if marks else "")


def _keep_whole(table: Table, headers: tuple[str, ...]) -> None:
    """These columns never wrap or shorten (a cut request id names another request): they
    are as wide as their longest cell, and the requester and sign-offs columns give way."""
    from rich.cells import cell_len
    from rich.text import Text

    for column in table.columns:
        if column.header in headers:
            column.no_wrap = True
            column.min_width = max(
                (c.cell_len if isinstance(c, Text) else cell_len(str(c)) for c in column.cells),
                default=0,
            )
        else:  # wraps, but never shrinks out of sight
            column.min_width = cell_len(str(column.header))


def _narrowest(console: Console, table: Table) -> int:
    """The least width that shows every column at its minimum: on a terminal narrower than
    that the lines run on (the terminal wraps them) rather than cutting a request id."""
    from rich.measure import Measurement

    unbounded = console.options.update(max_width=10_000)
    return Measurement.get(console, unbounded, table).minimum
