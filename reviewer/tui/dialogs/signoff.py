"""The sign-off: the regulator's checklist, the warnings to acknowledge, the sampling
statement, a note and the passphrase again. Approve stays disabled, with the reason shown,
until the gate holds; the rules are the domain's (`reviewer.domain.signoff.check_sign_off`)
and the service checks them again when the sign-off is recorded.

Nothing is ticked for the reviewer: every checklist box starts unticked. When the service
refuses the sign-off (a wrong passphrase, a lockout, a gate that changed), the dialog stays
open with everything typed kept, says why on its own line, and puts the focus back in the
passphrase field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Static

from reviewer.domain.signoff import (
    GateDecision,
    SignOffRefused,
    check_sign_off,
)
from reviewer.domain.states import Decision
from reviewer.domain.text import printable
from reviewer.tui.base import ReviewerDialog
from reviewer.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from reviewer.store.views import Gate, RequestDetail, SignOffRow


def _escape(text: str) -> str:
    """Text for a markup Static: control characters written as escapes (`printable`: a
    finding's title or detail quotes names from the input), brackets not taken as markup."""
    from rich.markup import escape

    return escape(printable(text))


class TickBox(Checkbox):
    """A checklist box that is empty until ticked (Textual's draws a dim X either way, which
    reads as ticked): what a sign-off records as checked must look checked, and only then."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        return "✓" if self.value else " "


class SignOffDialog(ReviewerDialog["SignOffRow | None"]):
    HELP_TITLE = "Sign-off"
    HELP_TEXT = (
        "Tick every checklist item that is true, acknowledge each warning with a note, read the "
        "sampling statement, then type your passphrase and approve or reject. Approve stays "
        "disabled until the gate holds; the reason is shown beside it. A rejection needs a note."
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="signoff.cancel"),
        Binding("f2", "approve", "Approve", id="signoff.approve"),
        Binding("f3", "reject", "Reject", id="signoff.reject"),
    ]

    @dataclass
    class Refused(Message):
        reason: str  # shown as it is: a full sentence that says the sign-off was not recorded

    @dataclass
    class Done(Message):
        row: SignOffRow

    def __init__(self, detail: RequestDetail, gate: Gate) -> None:
        super().__init__(classes="dialog")
        self.detail = detail
        self.gate = gate
        self._busy = False
        self._passphrase_edited = False  # typed into while the last sign-off was being recorded
        self._problem_sticky = False  # the service's refusal stays until the next attempt

    def compose(self) -> ComposeResult:
        g = self.gate
        stage = f"{g.stage.value} sign-off" if g.stage is not None else "no sign-off possible"
        with Vertical(id="signoff-box", classes="dialog-box"):
            yield Label(
                f"Sign off {self.detail.request.request_id}: {stage}", classes="dialog-title"
            )
            with VerticalScroll(id="signoff-scroll"):
                yield Label("Checklist", classes="section-title")
                for key, text in g.checklist:
                    yield TickBox(text, id=f"check-{key}", classes="checklist")
                if g.warnings:
                    yield Label(
                        f"Warnings to acknowledge ({len(g.warnings)})", classes="section-title"
                    )
                    for w in g.warnings:
                        yield Static(
                            f"[b yellow]{_escape(w.finding.title)}[/]  {_escape(w.finding.detail)}",
                            classes="warning-text",
                        )
                        yield Input(
                            placeholder="note: why this is acceptable or what was done",
                            id=f"ack-{_safe_id(w.key)}",
                            classes="ack-note",
                        )
                if g.marks:
                    yield Label(f"Reviewers' marks ({len(g.marks)})", classes="section-title")
                    yield Static("\n".join(_escape(line) for line in g.marks), id="signoff-marks")
                if g.corrections:
                    yield Label("Corrections in this version", classes="section-title")
                    yield Static(
                        "\n".join(_escape(line) for line in g.corrections), id="signoff-corrections"
                    )
                    yield Label("Proof", classes="section-title")
                    yield Static("\n".join(_escape(line) for line in g.proof), id="signoff-proof")
                yield Label("Sampling", classes="section-title")
                # The statement the sign-off records (the gate's), never the ingest-time plan.
                yield Static(_escape(g.sampling_statement), id="signoff-sampling")
                yield Label("Note", classes="section-title")
                yield Input(placeholder="note (required to reject)", id="signoff-note")
                yield Label("Passphrase", classes="section-title")
                yield Input(
                    placeholder="your passphrase, again", password=True, id="signoff-passphrase"
                )
            yield Static("", id="signoff-problem")
            yield Static("", id="signoff-reason")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Approve", id="signoff-approve", variant="success", disabled=True)
                yield Button("Reject", id="signoff-reject", variant="error")
                yield Button("Cancel", id="signoff-cancel")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#signoff-problem", Static).display = False
        first = self.query(Checkbox).first() if self.query(Checkbox) else None
        if first is not None:
            first.focus()
        self._update()

    # ------------------------------------------------------------------ state

    def _checklist(self) -> dict[str, bool]:
        return {
            key: self.query_one(f"#check-{key}", Checkbox).value for key, _ in self.gate.checklist
        }

    def _acks(self) -> dict[str, str]:
        return {
            w.key: self.query_one(f"#ack-{_safe_id(w.key)}", Input).value
            for w in self.gate.warnings
        }

    def _refusal(self, decision: Decision) -> list[str]:
        g = self.gate
        decision_gate = GateDecision(
            allowed=g.allowed,
            stage=g.stage,
            reasons=g.reasons,
            can_reject=g.can_reject,
            reject_reasons=g.reject_reasons,
            missing=g.missing,
        )
        try:
            check_sign_off(
                decision_gate,
                decision=decision,
                note=self.query_one("#signoff-note", Input).value,
                checklist=self._checklist(),
                acknowledgements=self._acks(),
                warnings=g.warnings,
                items=g.checklist,
            )
        except SignOffRefused as refused:
            return list(refused.reasons)
        return []

    def _update(self) -> None:
        approve_reasons = self._refusal(Decision.APPROVE)
        approve = self.query_one("#signoff-approve", Button)
        approve.disabled = bool(approve_reasons) or self._busy
        reject = self.query_one("#signoff-reject", Button)
        reject.disabled = not self.gate.can_reject or self._busy
        reason = self.query_one("#signoff-reason", Static)
        if not self.gate.can_reject:
            # What blocks Reject blocks Approve too (the gate's common reasons).
            reason.update("[b]Approve and Reject are disabled:[/] " + _escape(self._reject_why()))
            reason.set_class(True, "-refused")
        elif approve_reasons:
            reason.update(
                "[b]Approve is disabled:[/] "
                + _escape("; ".join(_short(r) for r in approve_reasons))
            )
            reason.set_class(True, "-refused")
        else:
            reason.update("[b green]The gate holds: you may approve.[/]")
            reason.set_class(False, "-refused")
        self.refresh_bindings()

    def _reject_why(self) -> str:
        return "; ".join(self.gate.reject_reasons) or "no sign-off is possible now"

    @on(Checkbox.Changed)
    @on(Input.Changed)
    def _changed(self, event: Checkbox.Changed | Input.Changed) -> None:
        if self._busy and event.control.id == "signoff-passphrase":
            self._passphrase_edited = True
        if not self._busy and not self._problem_sticky:
            self._say("")  # a hint about the last key press, now out of date
        self._update()

    def on_key(self, event: events.Key) -> None:
        """F2 or F3 while it is not available says why, instead of doing nothing."""
        action = {"f2": "approve", "f3": "reject"}.get(event.key)
        if action is None or self._busy or self.check_action(action, ()):
            return
        if action == "reject":
            self._say(f"Reject is not available: {self._reject_why()}.")
        else:
            reasons = self._refusal(Decision.APPROVE)
            self._say("Approve is not available: " + "; ".join(_short(r) for r in reasons) + ".")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "approve":
            return not self._refusal(Decision.APPROVE) and not self._busy
        if action == "reject":
            return self.gate.can_reject and not self._busy
        return True

    # ------------------------------------------------------------------ actions

    @on(Button.Pressed, "#signoff-approve")
    def action_approve(self) -> None:
        self._submit(Decision.APPROVE)

    @on(Button.Pressed, "#signoff-reject")
    def action_reject(self) -> None:
        self._submit(Decision.REJECT)

    @on(Button.Pressed, "#signoff-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _submit(self, decision: Decision) -> None:
        if self._busy:
            return
        reasons = self._refusal(decision)
        if reasons:
            self._say("; ".join(reasons))
            return
        passphrase = self.query_one("#signoff-passphrase", Input).value
        if not passphrase:
            self._say("Type your passphrase to sign.")
            self.query_one("#signoff-passphrase", Input).focus()
            return
        self._busy = True
        self._passphrase_edited = False
        self._say("")
        self._update()
        self.query_one("#signoff-reason", Static).update("Recording the sign-off...")
        self._sign(
            decision,
            passphrase,
            self.query_one("#signoff-note", Input).value,
            self._checklist(),
            self._acks() if decision is Decision.APPROVE else {},
        )

    def _say(self, text: str, *, sticky: bool = False) -> None:
        """Why the last attempt did nothing, on its own line: the reason line below it keeps
        describing the gate as boxes are ticked and fields typed. A `sticky` one (the service
        refused) stays until the next attempt; any other goes at the next change."""
        self._problem_sticky = sticky and bool(text)
        problem = self.query_one("#signoff-problem", Static)
        problem.update(f"[b red]{_escape(text)}[/]")
        problem.display = bool(text)

    # An explicit description: the default one repeats the arguments, passphrase included.
    @work(
        thread=True, exclusive=True, exit_on_error=False, group="sign-off", description="sign off"
    )
    def _sign(
        self,
        decision: Decision,
        passphrase: str,
        note: str,
        checklist: dict[str, bool],
        acks: dict[str, str],
    ) -> None:
        from reviewer.domain.errors import first_line
        from reviewer.store.errors import SignInError, StoreError

        user = self.reviewer_app.user
        if user is None:
            self.post_message(self.Refused("Not recorded: nobody is signed in."))
            return
        try:
            row = self.reviewer_app.service.sign_off(
                user.name,
                passphrase,
                self.detail.version_id,
                decision,
                note,
                checklist,
                acks,
            )
        except SignInError as exc:
            self.post_message(self.Refused(str(exc)))
            return
        except StoreError as exc:
            self.post_message(self.Refused(f"Not recorded: {exc}"))
            return
        except Exception as exc:  # the dialog must never wait forever on a failed worker
            self.post_message(self.Refused(f"Not recorded: {first_line(exc)}"))
            return
        self.post_message(self.Done(row))

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self._busy = False
        passphrase = self.query_one("#signoff-passphrase", Input)
        if not self._passphrase_edited:
            passphrase.value = ""  # the one that failed; anything typed since is kept
        self._update()
        self._say(message.reason, sticky=True)
        passphrase.focus()

    @on(Done)
    def _done(self, message: Done) -> None:
        self.dismiss(message.row)


def _short(reason: str) -> str:
    """The checklist reason names every unticked item; on screen the count is enough."""
    head, sep, items = reason.partition(": ")
    if sep and head == "checklist not complete":
        n = len(items.split("; "))
        return f"{n} checklist item{'s' if n != 1 else ''} not ticked"
    return reason


def _safe_id(key: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in key)
