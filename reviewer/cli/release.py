"""`reviewer release REQUEST_ID --outbox DIR`: deliver an export both sign-offs approved."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from reviewer.cli.users import cli_actor, open_service, read_passphrase
from reviewer.domain.text import printable


@click.command(short_help="Deliver an export both sign-offs approved to an outbox.")
@click.argument("request_id")
@click.option(
    "--outbox",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder that receives REQUEST_ID/export.zip and REQUEST_ID/release.json.",
)
@click.option(
    "--by",
    "by",
    default=None,
    help="Release as this approver (asks for their passphrase). Default: the OS user, recorded.",
)
@click.option("--passphrase-stdin", is_flag=True, help="With --by: read the passphrase from stdin.")
@click.option("--json", "as_json", is_flag=True, help="Print the release receipt as JSON.")
@click.pass_context
def release(
    ctx: click.Context,
    request_id: str,
    outbox: Path,
    by: str | None,
    passphrase_stdin: bool,
    as_json: bool,
) -> None:
    """Release REQUEST_ID into the outbox once two different people approved it.

    The archive is hashed again and must be exactly the bytes both sign-offs were bound to.
    DIR/REQUEST_ID appears whole (export.zip and the release.json receipt) or not at all.

    \b
    Exit codes:
      0  released
      1  refused (the reason on stderr: the gate, the archive, the passphrase or a role
         that may not release); nothing was written
      2  bad usage, unknown request, or the store cannot be opened
    """
    from reviewer.store.errors import PermissionDenied, ReleaseError, SignInError

    with open_service(ctx) as svc:
        actor = cli_actor()
        if by:
            passphrase = read_passphrase(passphrase_stdin, confirm=False)
            try:
                svc.sign_in(by, passphrase)
            except SignInError as exc:
                click.echo(f"reviewer: {printable(str(exc))}", err=True)
                sys.exit(1)
            actor = by
        try:
            receipt = svc.release(actor, request_id, outbox)
        except (ReleaseError, PermissionDenied) as exc:  # a role that may not release: refused
            click.echo(f"reviewer: release refused: {printable(str(exc))}", err=True)
            sys.exit(1)
    if as_json:
        click.echo(json.dumps(receipt.to_dict(), indent=2))
        return
    approvers = " and ".join(f"{a.name} ({a.role.value})" for a in receipt.approvers)
    click.echo(f"released {receipt.request_id} to {printable(str(receipt.outbox_dir))}")
    click.echo(f"  archive sha256 {receipt.archive_sha256}")
    click.echo(f"  approved by    {approvers}")
    click.echo(f"  audit head     {receipt.audit_head}")
