"""The `reviewer` command line. Each subcommand lives in its own module of this package.

Exit codes shared by every command: 0 success, 1 the command ran and said no (a blocked export,
a refused release, a chain that does not verify, something skipped), 2 bad usage or input that
cannot be read at all. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from reviewer import __version__
from reviewer.domain.errors import ReviewerError

DB_HELP = "Store URL (sqlite:///path or postgresql://...). Default: $REVIEWER_DB, else the user data dir."


class ReviewerGroup(click.Group):
    """Turns every error into one line on stderr and a documented exit code."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("standalone_mode", True)
        try:
            return super().main(*args, **kwargs)
        except SystemExit:
            raise
        except ReviewerError as exc:
            click.echo(f"reviewer: {one_line(str(exc))}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("reviewer: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the one place that keeps tracebacks off screen
            click.echo(f"reviewer: internal error: {type(exc).__name__}: {one_line(str(exc))}",
                       err=True)
            sys.exit(2)

def one_line(message: str) -> str:
    """Errors are one line: line breaks and other control characters in data are escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


@click.group(cls=ReviewerGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
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

        open_app(db_url)


def _register() -> None:
    from reviewer.cli.audit import audit
    from reviewer.cli.check import check
    from reviewer.cli.ingest import ingest
    from reviewer.cli.release import release
    from reviewer.cli.status import status
    from reviewer.cli.users import users

    main.add_command(check)
    main.add_command(audit)
    for command in (users, ingest, status, release):
        main.add_command(command)


_register()
