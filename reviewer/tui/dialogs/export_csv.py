"""Where the supervisor's filtered sign-off history (or the deadline view) is written as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from reviewer.domain.text import printable
from reviewer.tui.base import ReviewerDialog

if TYPE_CHECKING:
    pass


class ExportCsvDialog(ReviewerDialog[Path | None]):
    """Asks where to write the CSV; returns the path, or None when cancelled."""

    HELP_TITLE = "Export the sign-off history"
    HELP_TEXT = "Enter writes the history, as filtered on the screen beneath, to this file."
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(
        self, default: Path, what: str, *, title: str = "Export the sign-off history"
    ) -> None:
        super().__init__(classes="dialog")
        self._default = default
        self._what = what
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(f"{self._title} as CSV", classes="dialog-title")
            yield Static(f"Rows: {printable(self._what)}.", markup=False)
            yield Input(str(self._default), id="export-path")
            yield Label("Enter writes the file.  Esc cancels.", classes="dim")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(Path(text).expanduser() if text else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
