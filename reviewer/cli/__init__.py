"""The `reviewer` command line. Each subcommand lives in its own module of this package.

Exit codes shared by every command: 0 success, 1 the command ran and said no (a blocked export,
a refused release, a chain that does not verify, something skipped), 2 bad usage or input that
cannot be read at all. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import sys

from reviewer.cli.early import start_pdf_reader

start_pdf_reader(sys.argv)  # before the imports below, which it overlaps

import re  # noqa: E402
from typing import Any  # noqa: E402

import click  # noqa: E402

from reviewer import __version__  # noqa: E402
from reviewer.cli import exiting, interrupt  # noqa: E402
from reviewer.domain.errors import ReviewerError  # noqa: E402

DB_HELP = (
    "Store URL: sqlite:///PATH, postgresql://USER@HOST/DB, or a plain path to a SQLite file. "
    "Default: $REVIEWER_DB, else the user data dir. Only ingest and users add create a store."
)


class ReviewerGroup(click.Group):
    """Turns every error into one line on stderr and a documented exit code; loads each
    subcommand from `COMMANDS` when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:  # "Did you mean ...?" from every name
            raise click.exceptions.NoSuchCommand(
                exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return super().get_command(ctx, cmd_name)
        import importlib

        module, attribute = where
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False  # every outcome is decided here, in one place
        # without arguments (the console script, python -m reviewer) this process is the
        # command: `exiting.finish` may end it without the interpreter's teardown
        exiting.standalone = not args and kwargs.get("args") is None
        interrupt.install()
        try:
            result = super().main(*args, **kwargs)
            interrupt.check()  # a Ctrl-C swallowed on the way still ends the command as one
        except SystemExit:
            raise
        except click.exceptions.NoArgsIsHelpError as exc:  # `reviewer users`: its help
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            click.echo(usage_line(exc), err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"reviewer: {one_line(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort as exc:  # click turns Ctrl-C (and end of input) into Abort
            if isinstance(exc.__cause__ or exc.__context__, EOFError):
                click.echo("reviewer: input ended", err=True)
                sys.exit(2)
            click.echo("reviewer: interrupted", err=True)
            sys.exit(130)
        except ReviewerError as exc:
            click.echo(f"reviewer: {one_line(str(exc))}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("reviewer: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the one place that keeps tracebacks off screen
            click.echo(
                f"reviewer: internal error: {type(exc).__name__}: {one_line(str(exc))}", err=True
            )
            sys.exit(2)
        sys.exit(result if isinstance(result, int) else 0)


def usage_line(exc: click.UsageError) -> str:
    """Click's usage error as one line: `reviewer check: missing argument REQUEST_DIR (see
    reviewer check --help)`, instead of the usage block, a blank line and the error."""
    message = one_line(" ".join(exc.format_message().split())).rstrip(".")
    message = re.sub(r"^(Missing \w+) '([^']+)'", r"\1 \2", message)
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    where = exc.ctx.command_path if exc.ctx is not None else "reviewer"
    return f"{where}: {message} (see {where} --help)"


def one_line(message: str) -> str:
    """Errors are one line: line breaks and other control characters in data are escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


@click.group(
    cls=ReviewerGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option("--db", "db_url", envvar="REVIEWER_DB", default=None, help=DB_HELP)
@click.version_option(__version__, prog_name="reviewer")
@click.pass_context
def main(ctx: click.Context, db_url: str | None) -> None:
    """DSAR Reviewer: check a data subject access export against the person who asked.

    Without a subcommand, opens the reviewer's terminal app on the configured store.
    """
    ctx.ensure_object(dict)
    ctx.obj["db_url"] = db_url
    if ctx.invoked_subcommand is None:
        from reviewer.cli.tui import open_app
        from reviewer.store.service import ReviewService

        # The app works on a store that exists (`make run` builds the demo one first): it
        # never creates an empty one under a mistyped --db.
        with ReviewService.open(db_url, create=False) as service:
            warning = service.privilege_warning()
        if warning:
            click.echo(f"reviewer: warning: {warning}", err=True)
        open_app(db_url)


# Each subcommand's module is imported only when that command runs (or help lists them all):
# `reviewer ingest` need not import what `reviewer redact` needs. Name -> (module, attribute).
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("reviewer.cli.check", "check"),
    "audit": ("reviewer.cli.audit", "audit"),
    "users": ("reviewer.cli.users", "users"),
    "ingest": ("reviewer.cli.ingest", "ingest"),
    "status": ("reviewer.cli.status", "status"),
    "release": ("reviewer.cli.release", "release"),
    "redact": ("reviewer.cli.redact", "redact"),
    "record": ("reviewer.cli.record", "record"),
    "extend": ("reviewer.cli.clock", "extend"),
    "pause": ("reviewer.cli.clock", "pause"),
    "resume": ("reviewer.cli.clock", "resume"),
    "notice": ("reviewer.cli.clock", "notice"),
    "purge": ("reviewer.cli.purge", "purge"),
    "claim": ("reviewer.cli.claims", "claim"),
    "unclaim": ("reviewer.cli.claims", "unclaim"),
    "assign": ("reviewer.cli.claims", "assign"),
    "handover": ("reviewer.cli.claims", "handover"),
}
