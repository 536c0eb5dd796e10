"""`reviewer release REQUEST_ID --outbox DIR --as APPROVER`: deliver an export both sign-offs
approved."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reviewer.cli.acting import (
    acting_on_store,
    as_option,
    passphrase_stdin_option,
    refuse,
)
from reviewer.domain.text import printable


@click.command(short_help="Deliver an export both sign-offs approved to an outbox.")
@click.argument("request_id")
@click.option(
    "--outbox",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder that receives REQUEST_ID/export.zip and REQUEST_ID/release.json (a real "
    "folder: a symbolic link is refused).",
)
@as_option("--by", help="The approver releasing (asks for their passphrase); --by is the same.")
@passphrase_stdin_option
@click.option(
    "--redeliver",
    is_flag=True,
    help="Write a released export's files again to the outbox it was released to, when they "
    "are gone from there (needs --reason; audited).",
)
@click.option("--reason", default="", help="Why the export is delivered again (with --redeliver).")
@click.option("--json", "as_json", is_flag=True, help="Print the release receipt as JSON.")
@click.pass_context
def release(
    ctx: click.Context,
    request_id: str,
    outbox: Path,
    as_: str,
    passphrase_stdin: bool,
    redeliver: bool,
    reason: str,
    as_json: bool,
) -> None:
    """Release REQUEST_ID into the outbox once two different people approved it.

    The archive is hashed again and must be exactly the bytes both sign-offs were bound to.
    DIR/REQUEST_ID appears whole (export.zip and the release.json receipt) or not at all. An
    export goes out once: delivering it again is a deliberate act (--redeliver --reason).

    \b
    Exit codes:
      0  released
      1  refused (the reason on stderr, nothing written): the gate, a changed archive, a
         wrong passphrase, an unknown name, a lockout, or a role that may not release
      2  bad usage (no --as), unknown request, or the store cannot be opened
    """
    from reviewer.store.errors import ReleaseError

    if redeliver and not reason.strip():
        raise click.UsageError("--redeliver needs --reason saying why")
    with acting_on_store(ctx, as_, passphrase_stdin) as (svc, session):
        try:
            receipt = svc.release(session, request_id, outbox, redeliver=redeliver, reason=reason)
        except ReleaseError as exc:
            refuse(f"release refused: {exc}")
            return
    if as_json:
        click.echo(json.dumps(receipt.to_dict(), indent=2))
        return
    approvers = " and ".join(f"{a.name} ({a.role.value})" for a in receipt.approvers)
    verb = "delivered again" if redeliver else "released"
    click.echo(f"{verb} {receipt.request_id} to {printable(str(receipt.outbox_dir))}")
    click.echo(f"  archive sha256 {receipt.archive_sha256}")
    click.echo(f"  approved by    {approvers}")
    click.echo(f"  released by    {receipt.released_by}")
    click.echo(f"  audit head     {receipt.audit_head}")
