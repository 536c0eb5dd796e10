"""`reviewer users add|list|disable`: the people who may review, approve or supervise."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from reviewer.domain.errors import ReviewerError

if TYPE_CHECKING:
    from reviewer.store.service import ReviewService


def cli_actor() -> str:
    """Who ran the command, as the OS says (recorded, never trusted as identity)."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def open_service(ctx: click.Context, *, create: bool = False) -> ReviewService:
    """The store of `--db`. Only commands that put data in (ingest, users add) pass
    `create=True`; the others answer "no store at ..." rather than creating an empty one."""
    from reviewer.store.service import ReviewService

    return ReviewService.open((ctx.obj or {}).get("db_url"), create=create)


class PassphraseError(ReviewerError):
    """No passphrase could be read, or its confirmation differs."""


NO_PASSPHRASE = (
    "no passphrase given (input ended): type it at the prompt, or pipe it with "
    "--passphrase-stdin"
)


def read_passphrase(from_stdin: bool, *, confirm: bool) -> str:
    """The passphrase: stdin's first line with `from_stdin`; else asked for at the terminal
    (twice with `confirm`). When stdin is not a terminal nobody is there to answer a prompt:
    its lines are read as the answers, without prompts or getpass's echo warnings. Input that
    ends first, or a confirmation that differs, is one line of error (exit 2); Ctrl-C at the
    prompt is an interruption (130)."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    interactive = sys.stdin.isatty()

    def ask(text: str) -> str:
        if not interactive:
            line = sys.stdin.readline()
            if not line:
                raise PassphraseError(NO_PASSPHRASE)
            return line[:-1] if line.endswith("\n") else line
        try:
            return str(click.prompt(text, hide_input=True, err=True, show_default=False))
        except click.Abort as exc:
            if isinstance(exc.__context__, KeyboardInterrupt):
                raise KeyboardInterrupt from None
            raise PassphraseError(NO_PASSPHRASE) from None

    passphrase = ask("Passphrase")
    if confirm and ask("Repeat for confirmation") != passphrase:
        raise PassphraseError("the two passphrases do not match; nothing was changed")
    return passphrase


@click.group()
def users() -> None:
    """Manage reviewers.

    \b
    Exit codes:
      0  done
      2  bad input (unknown role, short passphrase, name taken, no such reviewer) or no store
    """


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["reviewer", "approver", "supervisor"]),
    required=True,
    help="reviewer: first sign-off; approver: first or second; supervisor: history and policy.",
)
@click.option(
    "--passphrase-stdin",
    is_flag=True,
    help="Read the passphrase from the first line of stdin instead of prompting twice.",
)
@click.pass_context
def add(ctx: click.Context, name: str, role: str, passphrase_stdin: bool) -> None:
    """Add reviewer NAME with ROLE. The passphrase needs at least 12 characters."""
    passphrase = read_passphrase(passphrase_stdin, confirm=True)
    with open_service(ctx, create=True) as svc:
        user = svc.add_user(name, role, passphrase, actor=cli_actor())
    click.echo(f"added {user.name} ({user.role.value})")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the reviewers as JSON.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List reviewers with their role and whether they are disabled or locked out."""
    with open_service(ctx) as svc:
        rows = svc.list_users()
    if as_json:
        doc = [
            {
                "name": u.name,
                "role": u.role.value,
                "disabled": u.disabled,
                "locked_until": u.locked_until.isoformat() if u.locked_until else None,
                "created_at": u.created_at.isoformat(),
            }
            for u in rows
        ]
        click.echo(json.dumps(doc, indent=2))
        return
    if not rows:
        click.echo("no reviewers yet: reviewer users add NAME --role ROLE")
        return
    for u in rows:
        flags = []
        if u.disabled:
            flags.append("disabled")
        if u.locked_until:
            flags.append(f"locked until {u.locked_until:%Y-%m-%d %H:%M} UTC")
        click.echo(f"{u.name:<20} {u.role.value:<10} {', '.join(flags)}".rstrip())


@users.command("disable")
@click.argument("name")
@click.pass_context
def disable(ctx: click.Context, name: str) -> None:
    """Disable reviewer NAME: they can no longer sign in or sign off (history is kept)."""
    with open_service(ctx) as svc:
        svc.disable_user(name, actor=cli_actor())
    click.echo(f"disabled {name}")
