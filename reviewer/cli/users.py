"""`reviewer users add|list|disable|enable|unlock|reset-passphrase`: the accounts.

The first account of an empty store is a supervisor, added without `--as` (the bootstrap);
every later change is made by a supervisor who proves who they are with `--as`.
"""

from __future__ import annotations

import json

import click

from reviewer.cli.acting import (
    acting,
    as_option,
    open_service,
    passphrase_stdin_option,
    read_passphrase,
)
from reviewer.domain.signoff import MIN_PASSPHRASE_CHARS
from reviewer.domain.text import printable

AS_SUPERVISOR = "The supervisor making the change (asks for their passphrase)."
EXIT_CODES = """
    \b
    Exit codes:
      0  done
      1  refused: wrong passphrase, unknown name, lockout, or the actor may not change accounts
      2  bad usage or input (unknown role, short passphrase, name taken, no such account),
         or no store
"""


@click.group()
def users() -> None:
    """Manage the accounts of reviewers, approvers and supervisors.

    \b
    Roles:
      reviewer    first sign-off, reject
      approver    first or second sign-off, reject, release
      supervisor  accounts, policy, history and audit; never signs or releases

    The first account of a new store must be a supervisor; after that a supervisor makes
    every change (--as).
    """


ADD_HELP = f"""Add account NAME with ROLE. Its passphrase needs at least {MIN_PASSPHRASE_CHARS}
    characters: asked twice at the terminal, or the line after the supervisor's with
    --passphrase-stdin. Names are never reused.
"""


@users.command("add", help=ADD_HELP + EXIT_CODES)
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["reviewer", "approver", "supervisor"]),
    required=True,
    help="reviewer: first sign-off; approver: first or second, release; supervisor: accounts, "
    "policy, history (never signs).",
)
@click.option(
    "--as",
    "as_",
    metavar="SUPERVISOR",
    default=None,
    help="The supervisor adding the account (asks for their passphrase). Not needed "
    "for the first account of an empty store, which must be a supervisor.",
)
@passphrase_stdin_option
@click.pass_context
def add(ctx: click.Context, name: str, role: str, as_: str | None, passphrase_stdin: bool) -> None:
    with open_service(ctx, create=True) as svc:
        if as_ is None:
            if svc.has_accounts():
                raise click.UsageError(
                    "this store has accounts: a supervisor adds the next one with --as SUPERVISOR"
                )
            passphrase = read_passphrase(
                passphrase_stdin, confirm=True, prompt=f"New passphrase for {name}"
            )
            user = svc.add_user(None, name, role, passphrase)
            click.echo(f"added {user.name} ({user.role.value}), the store's first account")
            return
        mine = read_passphrase(passphrase_stdin, confirm=False, prompt=f"Passphrase of {as_}")
        passphrase = read_passphrase(
            passphrase_stdin, confirm=True, prompt=f"New passphrase for {name}"
        )
        with acting(svc, as_, mine) as session:
            user = svc.add_user(session, name, role, passphrase)
    click.echo(f"added {user.name} ({user.role.value}) as {as_}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the accounts as JSON.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List accounts with their role, who made them, and whether they are disabled or locked.

    \b
    Exit codes:
      0  listed
      2  no store
    """
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
                "created_by": u.created_by,
                "active_since": u.active_since.isoformat() if u.active_since else None,
            }
            for u in rows
        ]
        click.echo(json.dumps(doc, indent=2))
        return
    if not rows:
        click.echo("no accounts yet: reviewer users add NAME --role supervisor")
        return
    for u in rows:
        flags = []
        if u.disabled:
            flags.append("disabled")
        if u.locked_until:
            flags.append(f"locked until {u.locked_until:%Y-%m-%d %H:%M} UTC")
        made = f"by {u.created_by}" if u.created_by else "first account"
        click.echo(f"{u.name:<20} {u.role.value:<10} {made:<18} {', '.join(flags)}".rstrip())


def _account_change(verb: str, doc: str, method: str, *, new_passphrase: bool = False) -> None:
    """Register `users VERB NAME --as SUPERVISOR`, calling the service's `method`."""

    @users.command(verb, help=doc + EXIT_CODES)
    @click.argument("name")
    @as_option(help=AS_SUPERVISOR)
    @passphrase_stdin_option
    @click.pass_context
    def command(ctx: click.Context, name: str, as_: str, passphrase_stdin: bool) -> None:
        with open_service(ctx) as svc:  # a mistyped --db is said before any passphrase is asked
            mine = read_passphrase(passphrase_stdin, confirm=False, prompt=f"Passphrase of {as_}")
            new = (
                read_passphrase(passphrase_stdin, confirm=True, prompt=f"New passphrase for {name}")
                if new_passphrase
                else None
            )
            with acting(svc, as_, mine) as session:
                change = getattr(svc, method)
                user = change(session, name, new) if new_passphrase else change(session, name)
        state = "disabled" if user.disabled else "active"
        click.echo(f"{verb}: {printable(user.name)} ({user.role.value}, {state}) by {as_}")


_account_change(
    "disable",
    "Disable account NAME: it can no longer sign in, sign or release (history is kept). The "
    "last active supervisor cannot be disabled.",
    "disable_user",
)
_account_change(
    "enable",
    "Enable the disabled account NAME again. Its sign-offs are flagged on the supervisor "
    "screen for the policy's new-account period.",
    "enable_user",
)
_account_change(
    "unlock",
    "End NAME's lockout after failed sign-ins, and forget the failed tries.",
    "unlock_user",
)
_account_change(
    "reset-passphrase",
    f"Give NAME a new passphrase (at least {MIN_PASSPHRASE_CHARS} characters); NAME's open "
    "sessions are closed.",
    "reset_passphrase",
    new_passphrase=True,
)
