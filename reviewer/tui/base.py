"""Base classes every screen and dialog of the app derives from.

They route worker failures to the app's one error handler (`ReviewerApp.worker_failed`), and
give `?` help something to say about the screen. A widget that runs workers of its own routes
their failures with `report_failed_worker` (Textual does not bubble a worker's state changes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

from textual.command import Provider
from textual.message_pump import MessagePump
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from reviewer.tui.commands import ScreenActionsProvider

if TYPE_CHECKING:
    from reviewer.tui.app import ReviewerApp

T = TypeVar("T")


def report_failed_worker(node: MessagePump, event: Worker.StateChanged) -> None:
    """Hand a failed worker of `node` to the app's one error route."""
    if event.state is WorkerState.ERROR:
        cast("ReviewerApp", node.app).worker_failed(event.worker)


class ReviewerScreenMixin:
    """What screens and dialogs share: help text, the palette's actions, the failure route."""

    HELP_TITLE = ""
    HELP_TEXT = ""
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {ScreenActionsProvider}

    @property
    def reviewer_app(self) -> ReviewerApp:
        return cast("ReviewerApp", self.app)  # type: ignore[attr-defined]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.reviewer_app.worker_failed(event.worker)


class ReviewerScreen(ReviewerScreenMixin, Screen[None]):
    pass


class ReviewerDialog(ReviewerScreenMixin, ModalScreen[T]):
    pass
