"""`reviewer claim`, `unclaim`, `assign` and `handover`: who holds a request.

A claim reserves the request's first decision (the first sign-off, or a rejection before any)
for its holder; anyone may still read it, and the second sign-off is never held up. Each
command names its actor with `--as` and proves it with their passphrase, is refused with the
reason (exit 1) when the access rule says no, and is audited.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from reviewer.cli.acting import as_option, make_change, passphrase_stdin_option
from reviewer.domain.text import printable

if TYPE_CHECKING:
    from reviewer.domain.access import Hold
    from reviewer.store.service import ReviewService
    from reviewer.store.views import SignedIn

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print who holds the request as JSON on stdout."
)


def hold_dict(request_id: str, hold: Hold | None) -> dict[str, object]:
    """What --json prints: the request and who holds it (null: nobody)."""
    return {
        "request_id": request_id,
        "held_by": hold.holder if hold else None,
        "held_since": hold.since.isoformat() if hold else None,
        "given_by": hold.by if hold else None,
        "note": hold.note if hold else None,
    }


def _run(
    ctx: click.Context,
    request_id: str,
    as_: str,
    passphrase_stdin: bool,
    as_json: bool,
    what: str,
    change: Callable[[ReviewService, SignedIn], Hold | None],
) -> None:
    hold = make_change(ctx, as_, passphrase_stdin, what, change)
    if as_json:
        click.echo(json.dumps(hold_dict(request_id, hold), indent=2))
    elif hold is None:
        click.echo(f"{printable(request_id)}: nobody holds it now")
    else:
        click.echo(f"{printable(request_id)}: {printable(hold.words())}")


@click.command(short_help="Take a request to work on: its first decision is yours.")
@click.argument("request_id")
@click.option("--note", default="", help="What you are doing with it (optional).")
@as_option(help="The reviewer or approver claiming (asks for their passphrase).")
@passphrase_stdin_option
@json_option
@click.pass_context
def claim(
    ctx: click.Context, request_id: str, note: str, as_: str, passphrase_stdin: bool, as_json: bool
) -> None:
    """Claim REQUEST_ID: while you hold it, the first sign-off (or a rejection before any) is
    yours alone. Others may still open and read it, and give the second sign-off. Refused while
    someone else holds it (they hand it over, or a supervisor assigns it).

    \b
    Exit codes:
      0  done; who holds the request now on stdout
      1  refused (the reason on stderr, nothing changed): someone else holds it, nobody
         does, a wrong passphrase, an unknown name, a lockout, or a role that may not do it
      2  bad usage, unknown request or person, or the store cannot be opened
    """
    _run(
        ctx,
        request_id,
        as_,
        passphrase_stdin,
        as_json,
        "claim",
        lambda svc, session: svc.claim(session, request_id, note),
    )


@click.command(short_help="Let go of a request you hold.")
@click.argument("request_id")
@as_option(help="Its holder, or a supervisor (asks for their passphrase).")
@passphrase_stdin_option
@json_option
@click.pass_context
def unclaim(
    ctx: click.Context, request_id: str, as_: str, passphrase_stdin: bool, as_json: bool
) -> None:
    """Release REQUEST_ID: nobody holds it afterwards, and anyone may give its first decision.
    Its holder may, and a supervisor.
    \b
    Exit codes:
      0  done; who holds the request now on stdout
      1  refused (the reason on stderr, nothing changed): someone else holds it, nobody
         does, a wrong passphrase, an unknown name, a lockout, or a role that may not do it
      2  bad usage, unknown request or person, or the store cannot be opened
    """

    def release(svc: ReviewService, session: SignedIn) -> None:
        svc.unclaim(session, request_id)

    _run(ctx, request_id, as_, passphrase_stdin, as_json, "release", release)


@click.command(short_help="Give a request to a reviewer or approver (supervisors).")
@click.argument("request_id")
@click.option("--to", "to", metavar="NAME", required=True, help="Who is to hold it.")
@click.option("--note", default="", help="What they need to know (optional).")
@as_option(help="The supervisor assigning (asks for their passphrase).")
@passphrase_stdin_option
@json_option
@click.pass_context
def assign(
    ctx: click.Context,
    request_id: str,
    to: str,
    note: str,
    as_: str,
    passphrase_stdin: bool,
    as_json: bool,
) -> None:
    """Assign REQUEST_ID to --to, an active reviewer or approver, ending anyone else's hold
    on it. Supervisors only.

    \b
    Exit codes:
      0  done; who holds the request now on stdout
      1  refused (the reason on stderr, nothing changed): someone else holds it, nobody
         does, a wrong passphrase, an unknown name, a lockout, or a role that may not do it
      2  bad usage, unknown request or person, or the store cannot be opened
    """
    _run(
        ctx,
        request_id,
        as_,
        passphrase_stdin,
        as_json,
        "assignment",
        lambda svc, session: svc.assign(session, request_id, to, note),
    )


@click.command(short_help="Hand a request you hold over to someone else, with a note.")
@click.argument("request_id")
@click.option("--to", "to", metavar="NAME", required=True, help="Who is to hold it next.")
@click.option("--note", required=True, help="What the next holder needs to know.")
@as_option(help="Its holder, or a supervisor (asks for their passphrase).")
@passphrase_stdin_option
@json_option
@click.pass_context
def handover(
    ctx: click.Context,
    request_id: str,
    to: str,
    note: str,
    as_: str,
    passphrase_stdin: bool,
    as_json: bool,
) -> None:
    """Hand REQUEST_ID over to --to (an active reviewer or approver) with --note, the state of
    the work. Its holder may, and a supervisor.

    \b
    Exit codes:
      0  done; who holds the request now on stdout
      1  refused (the reason on stderr, nothing changed): someone else holds it, nobody
         does, a wrong passphrase, an unknown name, a lockout, or a role that may not do it
      2  bad usage, unknown request or person, or the store cannot be opened
    """
    _run(
        ctx,
        request_id,
        as_,
        passphrase_stdin,
        as_json,
        "hand-over",
        lambda svc, session: svc.hand_over(session, request_id, to, note),
    )
