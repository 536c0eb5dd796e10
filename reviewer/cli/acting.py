"""What every acting command shares: the store, passphrases, and acting as a named person.

An acting command names its actor with `--as NAME` and proves it with NAME's passphrase, asked
at the terminal without echo or read from standard input with `--passphrase-stdin` (one per
line: the acting person's first, then any new one). Never from an argument or the environment.
The OS user is recorded where nobody acts (ingest), and never trusted as an identity.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reviewer.domain.errors import ReviewerError
from reviewer.domain.text import printable

if TYPE_CHECKING:
    from reviewer.store.service import ReviewService
    from reviewer.store.views import SignedIn

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

NO_PASSPHRASE = (
    "no passphrase given (input ended): type it at the prompt, or pipe it with --passphrase-stdin"
)


class PassphraseError(ReviewerError):
    """No passphrase could be read, or its confirmation differs."""


def cli_actor() -> str:
    """Who ran the command, as the OS says (recorded where nobody acts, never trusted)."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def open_service(ctx: click.Context, *, create: bool = False) -> ReviewService:
    """The store of `--db`. Only commands that put data in (ingest, users add) pass
    `create=True`; the others answer "no store at ..." rather than creating an empty one.

    The store's stack (SQLAlchemy, SQLModel, the tables and their mappers: hundreds of
    thousands of objects) lives as long as the command, so no garbage collection needs to walk
    it: none runs while it is imported and opened, and it is frozen once the store is open
    (`gc.freeze`). Otherwise each full collection, and the one at exit, walks it all again."""
    import gc

    gc.disable()
    try:
        from reviewer.store.service import ReviewService

        svc = ReviewService.open((ctx.obj or {}).get("db_url"), create=create)
    finally:
        gc.enable()
    gc.freeze()
    return svc


def as_option(*names: str, help: str) -> Callable[[F], F]:  # noqa: A002 - click's word
    """`--as NAME` (with any alias in `names`), required: an acting command names its actor."""
    return click.option("--as", *names, "as_", metavar="NAME", required=True, help=help)


passphrase_stdin_option = click.option(
    "--passphrase-stdin",
    is_flag=True,
    help="Read passphrases from standard input, one per line: the acting person's first, then "
    "any new one. Without it they are asked at the terminal, without echo.",
)


def read_passphrase(from_stdin: bool, *, confirm: bool, prompt: str = "Passphrase") -> str:
    """One passphrase: the next line of stdin with `from_stdin`; else asked at the terminal
    (twice with `confirm`). When stdin is not a terminal nobody is there to answer a prompt:
    its lines are read as the answers, without prompts or getpass's echo warnings. Input that
    ends first, or a confirmation that differs, is one line of error (exit 2); Ctrl-C at the
    prompt is an interruption (130)."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise PassphraseError(NO_PASSPHRASE)
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

    passphrase = ask(prompt)
    if confirm and ask("Repeat for confirmation") != passphrase:
        raise PassphraseError("the two passphrases do not match; nothing was changed")
    return passphrase


def refuse(message: str) -> None:
    """The command ran and said no: one line on stderr, exit 1."""
    click.echo(f"reviewer: {printable(message)}", err=True)
    sys.exit(1)


@contextmanager
def acting(svc: ReviewService, name: str, passphrase: str) -> Iterator[SignedIn]:
    """Sign `name` in for one command and out again after it. A refused sign-in (wrong
    passphrase, unknown name, lockout, disabled) and a refused action are exit 1, and count
    toward the lockout as any sign-in does."""
    from reviewer.store.errors import PermissionDenied, SignInError

    try:
        session = svc.sign_in(name, passphrase)
    except SignInError as exc:
        refuse(f"{name}: {exc}")
        raise AssertionError("unreachable") from None
    try:
        yield session
    except PermissionDenied as exc:
        refuse(f"refused: {exc}")
    finally:
        svc.sign_out(session)


@contextmanager
def acting_on_store(
    ctx: click.Context, name: str, passphrase_stdin: bool
) -> Iterator[tuple[ReviewService, SignedIn]]:
    """The store of `--db`, and `name` signed in on it for one command (their passphrase asked
    at the terminal, or read with `--passphrase-stdin`), signed out after; refusals as
    `acting` says."""
    with (
        open_service(ctx) as svc,
        acting(
            svc,
            name,
            read_passphrase(passphrase_stdin, confirm=False, prompt=f"Passphrase of {name}"),
        ) as session,
    ):
        yield svc, session


def make_change(
    ctx: click.Context,
    name: str,
    passphrase_stdin: bool,
    what: str,
    change: Callable[[ReviewService, SignedIn], T],
) -> T:
    """`change(service, session)` made by `name` (see `acting_on_store`); the store's refusal
    of it (UserError) is one line, ``<what> refused: <why>``, and exit 1."""
    from reviewer.store.errors import UserError

    with acting_on_store(ctx, name, passphrase_stdin) as (svc, session):
        try:
            return change(svc, session)
        except UserError as exc:
            refuse(f"{what} refused: {exc}")
            raise AssertionError("unreachable") from None
