"""A mark or a correction on one item: what kind (a mark's, or a correction's reason), the
text to redact where there is one, and a note. Returns a `CorrectionInput`, or None."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from reviewer.domain.corrections import MAX_NOTE_CHARS, MarkKind, Reason
from reviewer.tui.base import ReviewerDialog


@dataclass(frozen=True, slots=True)
class CorrectionInput:
    choice: str  # a MarkKind or a Reason value
    text: str  # the text to redact (redactions only)
    note: str


MARK_CHOICES = [(k.words.capitalize(), k.value) for k in MarkKind]
REASON_CHOICES = [(r.words.capitalize(), r.value) for r in Reason]


class CorrectionDialog(ReviewerDialog[CorrectionInput | None]):
    HELP_TITLE = "Mark or correct"
    HELP_TEXT = (
        "Choose what it is (a mark) or why it goes (a correction's reason), write a note, and "
        "press Enter or OK. Escape cancels; nothing is recorded."
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="correction.cancel")]

    def __init__(
        self,
        title: str,
        what: str,
        *,
        mark: bool,
        text: str | None = None,
        default: str | None = None,
    ) -> None:
        super().__init__(classes="dialog")
        self._title = title
        self._what = what
        self._mark = mark
        self._text = text
        self._default = default or (MarkKind.FOREIGN.value if mark else Reason.NOT_REQUESTERS.value)

    def compose(self) -> ComposeResult:
        choices = MARK_CHOICES if self._mark else REASON_CHOICES
        with Vertical(classes="dialog-box", id="correction-box"):
            yield Label(self._title, classes="dialog-title")
            yield Static(self._what, id="correction-what", markup=False)
            yield Label("Mark" if self._mark else "Reason", classes="section-title")
            yield Select(choices, value=self._default, allow_blank=False, id="correction-choice")
            if self._text is not None:
                yield Label("Text to redact everywhere", classes="section-title")
                yield Input(self._text, placeholder="a name, a phone number", id="correction-text")
            yield Label("Note", classes="section-title")
            yield Input(
                placeholder="what you saw (optional for a mark)",
                id="correction-note",
                max_length=MAX_NOTE_CHARS,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="correction-ok", variant="primary")
                yield Button("Cancel", id="correction-cancel")

    def on_mount(self) -> None:
        target = "#correction-text" if self._text is not None else "#correction-note"
        self.query_one(target, Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#correction-ok")
    def _ok(self) -> None:
        text = self.query_one("#correction-text", Input).value if self._text is not None else ""
        if self._text is not None and not text.strip():
            self.notify("Type the text to redact.", severity="warning", timeout=4)
            return
        choice = self.query_one("#correction-choice", Select).value
        self.dismiss(
            CorrectionInput(
                str(choice), text.strip(), self.query_one("#correction-note", Input).value
            )
        )

    @on(Button.Pressed, "#correction-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
