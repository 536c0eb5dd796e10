"""A modal that says what went wrong in one or two lines, and goes away with Enter or Esc."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from reviewer.domain.text import printable


class ErrorDialog(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,enter", "dismiss_dialog", "Close", id="error.close"),
    ]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="error-box", classes="dialog-box -error"):
            yield Label(self._title, classes="dialog-title")
            # The message may quote input (a member's name): its control characters are escaped.
            yield Static(printable(self._message), id="error-message", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="error-ok", variant="error")

    def on_mount(self) -> None:
        self.query_one("#error-ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_dismiss_dialog(self) -> None:
        self.dismiss(None)
