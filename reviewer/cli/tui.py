"""`reviewer` with no subcommand: open the terminal app."""

from __future__ import annotations

import click


def open_app(db_url: str | None) -> None:
    try:
        from reviewer.tui.app import run_app
    except ImportError as exc:  # the TUI is part of the package; this guards a broken install
        raise click.ClickException(f"the terminal app cannot start: {exc}") from None
    run_app(db_url)
