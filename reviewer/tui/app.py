"""The reviewer's terminal app.

`ReviewerApp` holds the review service and who is signed in; each screen is a thin view over
`reviewer.store.service.ReviewService`, which holds every rule. Blocking work (database calls,
archive reads, audio) runs in thread workers; their failures reach `worker_failed`, the one
place that turns them into an error dialog.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.worker import Worker

from reviewer.domain.errors import first_line
from reviewer.tui.dialogs.error import ErrorDialog
from reviewer.tui.screens.help import HelpScreen
from reviewer.tui.screens.signin import SignInScreen

if TYPE_CHECKING:
    from textual.screen import Screen

    from reviewer.store.service import ReviewService
    from reviewer.store.views import SignedIn

OUTBOX_ENV = "REVIEWER_OUTBOX"


class ReviewerApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "DSAR Reviewer"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding(
            "question_mark", "help", "Help", id="app.help", tooltip="List every key that works here"
        ),
        Binding(
            "f1",
            "help",
            "Help",
            show=False,
            id="app.help_f1",
            tooltip="List every key that works here",
        ),
        Binding(
            "ctrl+o",
            "switch_user",
            "Switch user",
            id="app.switch_user",
            tooltip="Sign out and let someone else sign in at this terminal",
        ),
    ]

    def __init__(self, service: ReviewService, outbox: Path | None = None) -> None:
        super().__init__()
        self.service = service
        self.outbox = outbox or default_outbox(service)
        self.user: SignedIn | None = None

    # ------------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        self.push_screen(SignInScreen())

    def signed_in(self, user: SignedIn) -> None:
        """Route a freshly signed-in person to their first screen: the supervisor screen for
        those who audit the history, the queue for those who review."""
        from reviewer.domain.access import Action, permission

        self.user = user
        self.sub_title = f"{user.name} ({user.role.value})"
        from reviewer.tui.screens.queue import QueueScreen

        if permission(user.actor, Action.EXPORT_HISTORY):
            try:
                from reviewer.tui.screens.supervisor import SupervisorScreen
            except ImportError:
                # Without the supervisor view, the queue (who signed what) is the history.
                self.push_screen(QueueScreen())
                return
            self.push_screen(SupervisorScreen())
        else:
            self.push_screen(QueueScreen())

    # ------------------------------------------------------------------ actions

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        title = getattr(screen, "HELP_TITLE", "") or screen.__class__.__name__
        about = getattr(screen, "HELP_TEXT", "")
        self.push_screen(HelpScreen(title, about, dict(screen.active_bindings)))

    def action_switch_user(self) -> None:
        """Back to sign-in without quitting, so a second approver can sign in here. The
        session is closed in the store: its token no longer acts for anyone."""
        if self.user is not None:
            self._sign_out(self.user)
        self.user = None
        self.sub_title = ""
        self.clear_notifications()  # what the last person was told is not the next one's
        while len(self.screen_stack) > 1 and not isinstance(self.screen, SignInScreen):
            self.pop_screen()
        if isinstance(self.screen, SignInScreen):
            self.screen.reset()
        else:
            self.push_screen(SignInScreen())

    @work(thread=True, exit_on_error=False, group="sign-out")
    def _sign_out(self, user: SignedIn) -> None:
        self.service.sign_out(user)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_user":
            return self.user is not None
        return True

    # ------------------------------------------------------------------ no screenshots

    # Textual can save an SVG of the screen (customer names, transcripts) to the downloads
    # folder, unaudited: its palette's "Screenshot" command is left out, and the action and the
    # methods behind it write nothing, whatever reaches them (a key, a link, the palette).

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        pass

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        return None

    def save_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str:
        raise RuntimeError("the reviewer does not save screenshots")

    # ------------------------------------------------------------------ failures

    def worker_failed(self, worker: Worker[object]) -> None:
        """The one place a failed worker becomes something the user sees."""
        error = worker.error
        self.log.error(f"worker {worker.name} ({worker.group}) failed: {error!r}")
        title = "Something went wrong"
        if worker.group:
            title = f"Could not {worker.group.replace('-', ' ')}"
        self.push_screen(ErrorDialog(title, first_line(error)))


def store_dir(service: ReviewService) -> Path:
    """Where the store lives: the SQLite file's folder, else the user data directory."""
    return service.key_dir


def default_outbox(service: ReviewService) -> Path:
    env = os.environ.get(OUTBOX_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return store_dir(service) / "outbox"


def run_app(db_url: str | None) -> None:
    """Open the store at `db_url` (or the configured default) and run the app on it."""
    from reviewer.archive.pdfservice import keep_warm
    from reviewer.store.service import ReviewService

    keep_warm()  # the app proves one corrected copy after another
    service = ReviewService.open(db_url)
    try:
        ReviewerApp(service).run()
    finally:
        close = getattr(service, "close", None)
        if callable(close):
            close()
