"""Everything one sign-off recorded, for an auditor to read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from reviewer.domain.text import printable
from reviewer.tui.base import ReviewerDialog

if TYPE_CHECKING:
    from reviewer.domain.model import Finding
    from reviewer.store.views import SignOffRow

NEW_ACCOUNT_TEXT = "created or re-enabled shortly before this sign-off (policy): look twice"


def duration_text(seconds: float | None) -> str:
    """45s, 12m 05s, 3h 10m."""
    if seconds is None:
        return "-"
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def signoff_detail(row: SignOffRow, findings: Mapping[str, Finding] | None = None) -> Group:
    """Everything one sign-off recorded, for an auditor to read. `findings` (acknowledgement
    key -> the warning it acknowledges) names each acknowledged warning by its title. Notes,
    statements and titles quoting names are input: control characters are shown as escapes
    (`printable`), line breaks kept. A long value wraps under itself, not under its label."""
    from reviewer.domain.signoff import CHECKLIST, warning_code

    fields = Table.grid(padding=(0, 1))
    fields.add_column(style="bold", no_wrap=True, min_width=17)
    fields.add_column(ratio=1, overflow="fold")
    text = Text()

    def field(label: str, value: str, style: str = "") -> None:
        fields.add_row(label, Text(printable(value, lines=True), style=style))

    field("Request", f"{row.request_id} v{row.version}")
    field("Archive SHA-256", row.archive_sha256)
    field("Reviewer", f"{row.reviewer} ({row.role.value})")
    if row.new_account:
        field("Account", NEW_ACCOUNT_TEXT, "bold yellow")
    field("Stage", row.stage.value)
    decision_style = "bold green" if row.decision.value == "approve" else "bold red"
    field("Decision", row.decision.value, decision_style)
    field("At (UTC)", row.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"))
    field("Review time", duration_text(row.review_seconds))
    if row.voided:
        field("Status", "void: a newer archive arrived or the unlock lapsed", "yellow")
    field("Sampling", row.sampling_statement or "-")
    field("Note", row.note or "-")
    text.append("Checklist\n", style="bold")
    known = dict(CHECKLIST)
    for key, answer in row.checklist.items() if row.checklist else ():
        mark, style = ("✓", "green") if answer else ("✗", "red")
        text.append(f"  {mark} ", style=style)
        text.append(printable(known.get(key, key)) + "\n")
    if not row.checklist:
        text.append("  (none: a rejection does not need one)\n", style="dim")
    if row.acknowledged:
        text.append("Warnings acknowledged\n", style="bold")
        for key, note in row.acknowledged.items():
            finding = (findings or {}).get(key)
            text.append(f"  {finding.code if finding else warning_code(key)}", style="yellow")
            if finding is not None:
                text.append(f" — {printable(finding.title)}")
            text.append(": ", style="yellow")
            text.append(printable(note, lines=True) + "\n")
    text.rstrip()
    return Group(fields, text)


class SignOffDetailDialog(ReviewerDialog[None]):
    """One sign-off in full: checklist answers, acknowledged warnings, sampling statement.
    The body scrolls (arrows, Page Up/Down, Home/End) when the terminal is too short for it."""

    HELP_TITLE = "Sign-off"
    HELP_TEXT = (
        "Everything this sign-off recorded. Up/Down, Page Up/Down, Home and End scroll it. "
        "Esc or Enter closes it."
    )
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="signoff_detail.close")]

    def __init__(self, row: SignOffRow, findings: Mapping[str, Finding] | None = None) -> None:
        super().__init__(classes="dialog")
        self._row = row
        self._findings = dict(findings or {})

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="signoff-detail-box"):
            yield Label(
                Text(printable(f"Sign-off by {self._row.reviewer} on {self._row.request_id}")),
                classes="dialog-title",
            )
            with VerticalScroll(id="signoff-detail-scroll"):
                yield Static(signoff_detail(self._row, self._findings), id="signoff-detail")
            yield Label("Esc closes.", id="signoff-detail-keys", classes="dim")

    def on_mount(self) -> None:
        self.query_one("#signoff-detail-scroll", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
