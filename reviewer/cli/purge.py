"""`reviewer purge`: remove the personal content of requests decided longer ago than the
policy's retention period (`reviewer.store.service.purge`).

A supervisor names themself with `--as` and proves it with their passphrase. Without request
ids every request past the period is purged; a request named explicitly that is not due (open,
or still within the period) is refused with the reason (exit 1) while the due ones are purged.
`--dry-run` says what would be purged and changes nothing. Each request is committed on its
own: a purge stopped part-way is carried on by the next run.
"""

from __future__ import annotations

import json
import sys

import click

from reviewer.cli.acting import acting_on_store, as_option, passphrase_stdin_option
from reviewer.domain.text import printable


@click.command(short_help="Remove the personal content of requests past the retention period.")
@click.argument("request_ids", nargs=-1, metavar="[REQUEST_ID]...")
@click.option("--dry-run", is_flag=True, help="Say what would be purged; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON on stdout.")
@as_option(help="The supervisor purging (asks for their passphrase).")
@passphrase_stdin_option
@click.pass_context
def purge(
    ctx: click.Context,
    request_ids: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
    as_: str,
    passphrase_stdin: bool,
) -> None:
    """Purge released or rejected requests past the retention period (all, or REQUEST_IDs).

    Removes each request's personal content (the ticket's personal fields, the stored index,
    finding texts, sample items, notes, reasons, corrected archives); keeps what proves the
    decision (hashes, verdicts, finding codes, who signed what and when, the audit chain, the
    disclosure record's digest). Set the period with the policy (supervisor screen, `p`).

    \b
    Exit codes:
      0  done (or, with --dry-run, said)
      1  refused: a named request is not due (the reason on stderr), a wrong passphrase,
         a lockout, or not a supervisor
      2  bad usage, an unknown request, or the store cannot be opened
    """
    from reviewer.store.service.purge import Purged

    def said(p: Purged) -> None:
        if not as_json:
            removed = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in p.removed.items())
            click.echo(f"{printable(p.request_id)}: purged ({removed})")

    with acting_on_store(ctx, as_, passphrase_stdin) as (svc, session):
        run = svc.purge(session, request_ids=request_ids or None, dry_run=dry_run, on_purged=said)
    if as_json:
        click.echo(json.dumps(run.as_dict(), indent=2))
    else:
        if dry_run:
            for r in run.due:
                decided = "" if r.decided_at is None else f" on {r.decided_at:%Y-%m-%d}"
                click.echo(f"{printable(r.request_id)}: would be purged ({r.state.value}{decided})")
        kept = f"kept {run.retention_days} days after release or rejection"
        done = len(run.due) if dry_run else len(run.purged)
        verb = "would be purged" if dry_run else "purged"
        click.echo(f"{done} request(s) {verb} ({kept})")
        for request_id, why in run.refused.items():
            click.echo(f"reviewer: {printable(request_id)} refused: {printable(why)}", err=True)
    if run.log_kept:
        click.echo(f"reviewer: warning: {run.log_kept}", err=True)
    if run.refused:
        sys.exit(1)
