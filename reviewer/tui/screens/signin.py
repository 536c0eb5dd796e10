"""Sign-in: a reviewer's name and passphrase. The demo store shows its demo passphrases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.table import Table
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.message import Message
from textual.widgets import Button, Header, Input, Label, Static

from reviewer.domain.signoff import LOCKOUT, MAX_FAILED_SIGN_INS
from reviewer.tui.base import ReviewerScreen
from reviewer.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from reviewer.store.views import SignedIn


class SignInScreen(ReviewerScreen):
    AUTO_FOCUS = "#signin-name"
    HELP_TITLE = "Sign in"
    HELP_TEXT = (
        f"Type your reviewer name and passphrase, then Enter. After {MAX_FAILED_SIGN_INS} wrong "
        f"passphrases the name is locked for {LOCKOUT.total_seconds() / 60:g} minutes. Ctrl+O "
        "signs out later, so a second approver can sign in at this terminal."
    )
    BINDINGS = [
        Binding("f1", "app.help", "Help", id="signin.help"),
        Binding("ctrl+q", "app.quit", "Quit", id="signin.quit"),
    ]

    @dataclass
    class Succeeded(Message):
        user: SignedIn

    @dataclass
    class Failed(Message):
        reason: str

    @dataclass
    class DemoInfo(Message):
        credentials: list[tuple[str, str, str]]  # name, role, passphrase

    def compose(self) -> ComposeResult:
        yield Header()
        with Center(id="signin-center"), Vertical(id="signin-box"):
            yield Label("Sign in to review", classes="dialog-title")
            yield Label("Name", classes="field-label")
            yield Input(placeholder="reviewer name", id="signin-name")
            yield Label("Passphrase", classes="field-label")
            yield Input(placeholder="passphrase", password=True, id="signin-passphrase")
            yield Button("Sign in", id="signin-submit", variant="primary")
            yield Static("", id="signin-message")
        with Center(id="signin-demo-center"):
            yield Static("", id="signin-demo")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#signin-name", Input).focus()
        self.query_one("#signin-demo", Static).display = False
        self._load_demo_info()

    def reset(self) -> None:
        self.query_one("#signin-name", Input).value = ""
        self.query_one("#signin-passphrase", Input).value = ""
        self.query_one("#signin-message", Static).update("")
        self.query_one("#signin-name", Input).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, group="read-the-store")
    def _load_demo_info(self) -> None:
        service = self.reviewer_app.service
        if not service.is_demo():
            return
        creds: list[tuple[str, str, str]] = []
        for item in service.demo_credentials():
            creds.append(_cred(item))
        self.post_message(self.DemoInfo(creds))

    @on(DemoInfo)
    def _show_demo(self, message: DemoInfo) -> None:
        if not message.credentials:
            return
        table = Table(
            title="Demo store only: these reviewers exist", box=None, title_style="bold yellow"
        )
        table.add_column("Name", style="bold")
        table.add_column("Role")
        table.add_column("Passphrase", style="cyan")
        for name, role, passphrase in message.credentials:
            table.add_row(name, role, passphrase)
        demo = self.query_one("#signin-demo", Static)
        demo.update(table)
        demo.display = True

    @on(Input.Submitted, "#signin-name")
    def _name_done(self) -> None:
        self.query_one("#signin-passphrase", Input).focus()

    @on(Input.Submitted, "#signin-passphrase")
    @on(Button.Pressed, "#signin-submit")
    def _submit(self) -> None:
        name = self.query_one("#signin-name", Input).value.strip()
        passphrase = self.query_one("#signin-passphrase", Input).value
        message = self.query_one("#signin-message", Static)
        if not name:
            message.update("[b red]Type your name first.[/]")
            self.query_one("#signin-name", Input).focus()
            return
        if not passphrase:
            message.update("[b red]Type your passphrase.[/]")
            self.query_one("#signin-passphrase", Input).focus()
            return
        message.update("Checking...")
        self.query_one("#signin-submit", Button).disabled = True
        self._sign_in(name, passphrase)

    # An explicit description: the default one repeats the arguments, passphrase included.
    @work(thread=True, exclusive=True, exit_on_error=False, group="sign-in", description="sign in")
    def _sign_in(self, name: str, passphrase: str) -> None:
        from reviewer.store.errors import StoreError

        try:
            user = self.reviewer_app.service.sign_in(name, passphrase)
        except StoreError as exc:
            self.post_message(self.Failed(str(exc)))
            return
        self.post_message(self.Succeeded(user))

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.query_one("#signin-submit", Button).disabled = False
        self.query_one("#signin-message", Static).update(f"[b red]{_escape(message.reason)}[/]")
        passphrase = self.query_one("#signin-passphrase", Input)
        passphrase.value = ""
        passphrase.focus()

    @on(Succeeded)
    def _succeeded(self, message: Succeeded) -> None:
        self.query_one("#signin-submit", Button).disabled = False
        self.query_one("#signin-passphrase", Input).value = ""
        self.query_one("#signin-message", Static).update("")
        self.reviewer_app.signed_in(message.user)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _cred(item: Any) -> tuple[str, str, str]:
    if isinstance(item, tuple | list):
        name, role, passphrase = (list(item) + ["", "", ""])[:3]
        return str(name), str(getattr(role, "value", role)), str(passphrase)
    role = getattr(item, "role", "")
    return (
        str(getattr(item, "name", "")),
        str(getattr(role, "value", role)),
        str(getattr(item, "passphrase", "")),
    )
