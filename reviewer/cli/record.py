"""`reviewer record REQUEST_ID --out FILE --as SUPERVISOR`: the disclosure record of a
request, as a regulator would be shown it."""

from __future__ import annotations

from pathlib import Path

import click

from reviewer.cli.acting import (
    acting_on_store,
    as_option,
    passphrase_stdin_option,
)
from reviewer.domain.text import printable


@click.command(short_help="Write the disclosure record of a request (JSON or HTML).")
@click.argument("request_id")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write it: FILE.html gives the readable page, any other name the "
    "JSON. An existing file is not overwritten.",
)
@as_option(help="The supervisor producing it (asks for their passphrase).")
@passphrase_stdin_option
@click.pass_context
def record(
    ctx: click.Context, request_id: str, out: Path, as_: str, passphrase_stdin: bool
) -> None:
    """Write REQUEST_ID's disclosure record: the request and the identity verified, the
    findings, every mark and correction with its reason and author, the redaction proof,
    what each signer played and viewed, their checklists and statements, both signatures,
    and the release with its audit checkpoint (the released version's, else the current
    one's). The same record is written beside every release.

    \b
    Exit codes:
      0  written
      1  refused: not a supervisor, a wrong passphrase, a lockout
      2  bad usage, unknown request, the file exists, or the store cannot be opened
    """
    from reviewer.correct.record_files import write_record
    from reviewer.store.errors import NotFound

    if out.exists() or out.is_symlink():
        raise click.UsageError(f"{out} exists: name a new file")
    with acting_on_store(ctx, as_, passphrase_stdin) as (svc, session):
        try:
            doc = svc.disclosure_record(session, request_id)
        except NotFound as exc:
            raise click.UsageError(str(exc)) from None
    try:
        write_record(doc, out)
    except OSError as exc:
        raise click.UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"wrote the disclosure record of {request_id} to {printable(str(out))}")
