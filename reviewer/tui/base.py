"""Base classes every screen and dialog of the app derives from.

They route worker failures to the app's one error handler (`ReviewerApp.worker_failed`), and
give `?` help something to say about the screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual import on
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from reviewer.tui.commands import ScreenActionsProvider

if TYPE_CHECKING:
    from reviewer.tui.app import ReviewerApp

T = TypeVar("T")


class ReviewerScreen(Screen[None]):
    HELP_TITLE = ""
    HELP_TEXT = ""
    COMMANDS = {ScreenActionsProvider}

    @property
    def reviewer_app(self) -> ReviewerApp:
        return cast("ReviewerApp", self.app)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.reviewer_app.worker_failed(event.worker)


class ReviewerDialog(ModalScreen[T]):
    HELP_TITLE = ""
    HELP_TEXT = ""
    COMMANDS = {ScreenActionsProvider}

    @property
    def reviewer_app(self) -> ReviewerApp:
        return cast("ReviewerApp", self.app)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.reviewer_app.worker_failed(event.worker)
