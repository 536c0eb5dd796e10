"""`reviewer extend`, `pause`, `resume` and `notice`: the statutory clock's changes.

Each names its actor with `--as` and proves it with their passphrase, is refused with the
reason (exit 1) when the access rule or the clock's rules say no, and is audited.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from reviewer.cli.acting import as_option, make_change, passphrase_stdin_option
from reviewer.domain.text import printable

if TYPE_CHECKING:
    from reviewer.domain.deadline import Clock
    from reviewer.store.service import ReviewService
    from reviewer.store.views import SignedIn

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the request's clock as JSON on stdout."
)


def _run(
    ctx: click.Context,
    request_id: str,
    as_: str,
    passphrase_stdin: bool,
    as_json: bool,
    what: str,
    change: Callable[[ReviewService, SignedIn], Clock],
) -> None:
    clock = make_change(ctx, as_, passphrase_stdin, what, change)
    if as_json:
        click.echo(json.dumps({"request_id": request_id, **clock.as_dict()}, indent=2))
    else:
        click.echo(f"{printable(request_id)}: {clock.status_words()}")


@click.command(short_help="Extend a request's time limit by one or two months, with reasons.")
@click.argument("request_id")
@click.option("--months", type=click.IntRange(1, 2), required=True, help="1 or 2 further months.")
@click.option(
    "--reason", required=True, help="Why the request needs longer (the requester is told)."
)
@as_option(help="The approver or supervisor extending (asks for their passphrase).")
@passphrase_stdin_option
@json_option
@click.pass_context
def extend(
    ctx: click.Context,
    request_id: str,
    months: int,
    reason: str,
    as_: str,
    passphrase_stdin: bool,
    as_json: bool,
) -> None:
    """Extend REQUEST_ID's time limit by --months (GDPR Art. 12(3)).

    Allowed by the first due date, three months from the start in all, with the reasons. The
    requester must be told of the extension by the first due date: record it with `reviewer
    notice` once they were.

    \b
    Exit codes:
      0  done; the request's clock as it is now on stdout
      1  refused (the reason on stderr, nothing changed): the clock's rules, a wrong
         passphrase, an unknown name, a lockout, or a role that may not do it
      2  bad usage, unknown request, or the store cannot be opened
    """
    _run(
        ctx,
        request_id,
        as_,
        passphrase_stdin,
        as_json,
        "extension",
        lambda svc, session: svc.extend(session, request_id, months, reason),
    )


@click.command(short_help="Stop a request's clock while waiting for the requester.")
@click.argument("request_id")
@click.option(
    "--reason", required=True, help="What the requester was asked for (identity, clarification)."
)
@as_option(help="Who pauses the clock (asks for their passphrase).")
@passphrase_stdin_option
@json_option
@click.pass_context
def pause(
    ctx: click.Context,
    request_id: str,
    reason: str,
    as_: str,
    passphrase_stdin: bool,
    as_json: bool,
) -> None:
    """Stop REQUEST_ID's clock while waiting for the requester; `reviewer resume` starts it
    again, and every due date moves by the days it stood still. A clock that ran out (the
    request is overdue) cannot be stopped.

    \b
    Exit codes:
      0  done; the request's clock as it is now on stdout
      1  refused (the reason on stderr, nothing changed): the clock's rules, a wrong
         passphrase, an unknown name, a lockout, or a role that may not do it
      2  bad usage, unknown request, or the store cannot be opened
    """
    _run(
        ctx,
        request_id,
        as_,
        passphrase_stdin,
        as_json,
        "pause",
        lambda svc, session: svc.pause(session, request_id, reason),
    )


@click.command(short_help="Start a paused clock again.")
@click.argument("request_id")
@click.option("--reason", default="", help="What arrived (optional).")
@as_option(help="Who resumes the clock (asks for their passphrase).")
@passphrase_stdin_option
@json_option
@click.pass_context
def resume(
    ctx: click.Context,
    request_id: str,
    reason: str,
    as_: str,
    passphrase_stdin: bool,
    as_json: bool,
) -> None:
    """Start REQUEST_ID's paused clock again: its due date has moved by the days it stood
    still.

    \b
    Exit codes:
      0  done; the request's clock as it is now on stdout
      1  refused (the reason on stderr, nothing changed): the clock's rules, a wrong
         passphrase, an unknown name, a lockout, or a role that may not do it
      2  bad usage, unknown request, or the store cannot be opened
    """
    _run(
        ctx,
        request_id,
        as_,
        passphrase_stdin,
        as_json,
        "resume",
        lambda svc, session: svc.resume(session, request_id, reason),
    )


@click.command(short_help="Record that the requester was told of the extension.")
@click.argument("request_id")
@click.option("--note", default="", help="How and when they were told (optional).")
@as_option(help="Who records it (asks for their passphrase).")
@passphrase_stdin_option
@json_option
@click.pass_context
def notice(
    ctx: click.Context,
    request_id: str,
    note: str,
    as_: str,
    passphrase_stdin: bool,
    as_json: bool,
) -> None:
    """Record that REQUEST_ID's requester was told of its extension and the reasons (due by
    the first due date; `reviewer status` lists the notices not yet sent).

    \b
    Exit codes:
      0  done; the request's clock as it is now on stdout
      1  refused (the reason on stderr, nothing changed): the clock's rules, a wrong
         passphrase, an unknown name, a lockout, or a role that may not do it
      2  bad usage, unknown request, or the store cannot be opened
    """
    _run(
        ctx,
        request_id,
        as_,
        passphrase_stdin,
        as_json,
        "notice",
        lambda svc, session: svc.record_notice(session, request_id, note),
    )
