"""`reviewer audit verify [--json]` and `reviewer audit export --csv FILE`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from reviewer.cli.acting import (
    acting_on_store,
    as_option,
    passphrase_stdin_option,
)
from reviewer.domain.errors import ReviewerError
from reviewer.domain.text import printable
from reviewer.store.errors import StoreError


class AuditCommandError(ReviewerError):
    """The store or the audit trail cannot be opened."""


@click.group()
def audit() -> None:
    """Check and export the tamper-evident audit trail."""


@audit.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@click.option(
    "--key-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory with the audit public key(s) and checkpoint file "
    "(default: beside a SQLite store, else the user data dir).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes that share the work on a large log (default: one per CPU).",
)
@click.option(
    "--witness",
    "witnesses",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Another terminal's checkpoint file (its audit-checkpoints.jsonl), collected "
    "by the auditor; repeatable. A store cut back behind any checkpoint a "
    "witness holds does not verify.",
)
@click.pass_context
def verify(
    ctx: click.Context,
    as_json: bool,
    key_dir: Path | None,
    workers: int | None,
    witnesses: tuple[Path, ...],
) -> None:
    """Verify the whole hash chain and every signed checkpoint.

    Catches an edited, deleted, inserted or reordered event, a cut-off tail, a chain
    recomputed without the signing key, a decision without its signed checkpoint, times that
    go backwards, and any decision row (sign-off, release, delivery, account, policy,
    inspection) that disagrees with its event, or an event without its row.

    \b
    Checkpoints count only when signed by a key in the key dir (every
    audit-signing*.pub there). Each terminal signs with its own key pair.
    Team mode (one PostgreSQL store, several terminals): copy each
    terminal's audit-signing.pub into every other terminal's key dir as
    audit-signing-<name>.pub (e.g. audit-signing-desk2.pub); until then
    their checkpoints fail as signed by an untrusted key.
    Never copy the private audit-signing.key. An auditor also collects each
    terminal's audit-checkpoints.jsonl and passes it with --witness: a store
    cut back behind a checkpoint a witness holds then fails, even when its
    checkpoint rows were cut too.

    \b
    Exit codes:
      0  the chain and all its checkpoints verify
      1  they do not: the first bad event is named
      2  the store cannot be read
    """
    from reviewer.store.service import verify_store

    try:
        found = verify_store(
            ctx.obj.get("db_url"),
            key_dir,
            workers=workers or min(os.cpu_count() or 1, 8),
            witnesses=witnesses,
        )
    except StoreError as exc:
        raise AuditCommandError(str(exc)) from None
    result, directory = found.result, found.key_dir
    if found.privilege_warning:
        click.echo(f"reviewer: warning: {found.privilege_warning}", err=True)
    if as_json:
        doc = dict(result.to_dict(), key_dir=str(directory), witnesses=[str(w) for w in witnesses])
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    elif result.ok:
        line = (
            f"audit trail verifies: {result.size:,} events, head {result.head[:16]}, "
            f"{result.checkpoints:,} signed checkpoints"
        )
        if result.last_checkpoint:
            line += f" (the latest covers events 1..{result.last_checkpoint:,})"
        click.echo(line)
        if result.unsigned_tail:
            click.echo(
                f"note: the {result.unsigned_tail:,} latest events are not yet covered "
                f"by a signed checkpoint (protected by the hash chain alone)"
            )
    else:
        where = f"event {result.bad_seq}: " if result.bad_seq is not None else ""
        click.echo(f"audit trail does NOT verify: {where}{printable(result.reason or '')}")
        click.echo(f"key dir: {directory}")
    sys.exit(0 if result.ok else 1)


@audit.command()
@click.option(
    "--csv",
    "csv_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write every event to this CSV file.",
)
@as_option(help="The supervisor exporting the trail (asks for their passphrase).")
@passphrase_stdin_option
@click.pass_context
def export(ctx: click.Context, csv_path: Path, as_: str, passphrase_stdin: bool) -> None:
    """Export every audit event as CSV, fields exactly as stored and hashed. A supervisor's
    act, itself audited.

    \b
    Exit codes:
      0  written
      1  refused: wrong passphrase, unknown name, lockout, or not a supervisor
      2  bad usage, the store cannot be read or the file cannot be written

    FILE is a new path or a regular file, which is replaced whole once every event is
    written (a failed export leaves it as it was); a symbolic link, a named pipe, a device
    or anything else that is not a regular file is refused.
    """
    _check_target(csv_path)
    with acting_on_store(ctx, as_, passphrase_stdin) as (svc, session):
        count = svc.export_audit_csv(session, csv_path)
    click.echo(f"wrote {count:,} audit events to {csv_path}")


def _check_target(path: Path) -> None:
    """Write only to a new path or over a regular file (the store's rule for every file it
    writes), refused before the store is even opened."""
    from reviewer.store.files import TargetRefused, check_target

    try:
        check_target(path)
    except TargetRefused as exc:
        raise AuditCommandError(str(exc)) from None
