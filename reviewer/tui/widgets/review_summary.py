"""The review screen's summary line: the verdict badge, then what a signer must not miss.

    summary = ReviewSummary("DSAR-2018-0412", id="review-summary")
    summary.show(detail)      # BLOCK  DSAR-2018-0412 Jonas Weber  pending  v1  due ...  signed: ...

The state, the version and the signers come first: a narrow terminal cuts the end of the line,
where the archive's hash prefix is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from reviewer.domain.text import printable
from reviewer.tui.widgets.verdict_badge import VerdictBadge

if TYPE_CHECKING:
    from reviewer.store.views import RequestDetail

SIGNED = {"approve": "✓", "reject": "✗"}  # "bob ✓2nd": bob approved at the second stage
ORDINAL = {1: "1st", 2: "2nd"}


def summary_text(d: RequestDetail) -> Text:
    """The line after the badge: request, requester, state, version, due date, signers, hash."""
    r = d.request.requester
    text = Text()
    text.append(f" {d.request.request_id} ", style="bold")
    text.append(f"{printable(r.name or r.customer_id)}  ")  # input: escaped
    text.append(d.state.value, style="bold cyan")
    # What a signer must not miss comes first: a narrow terminal cuts the end of the line.
    text.append(f"  v{d.version_number}", style="bold")
    if d.clock is not None:
        text.append(f"  due {d.clock.due:%Y-%m-%d}")
        if d.clock.paused:
            text.append(" paused", style="cyan")
        if d.clock.extended:
            text.append(f" +{d.clock.extended_months}m", style="magenta")
    elif d.request.due_at:
        text.append(f"  due {d.request.due_at:%Y-%m-%d}")
    signed = ", ".join(
        f"{s.name} {SIGNED[s.decision.value]}{ORDINAL[s.stage.number]}" for s in d.signers
    )
    text.append(f"  signed: {signed or 'nobody yet'}", style="green" if d.signers else "dim")
    if d.hold is not None:  # whose first decision this is while they hold it
        text.append(f"  held by {printable(d.hold.holder)}", style="bold magenta")
    text.append(f"  {d.archive_sha256[:12]}", style="dim")
    return text


class ReviewSummary(Horizontal):
    """The verdict badge (`#review-verdict`) and the summary line (`#review-title`)."""

    def __init__(self, request_id: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.request_id = request_id

    def compose(self) -> ComposeResult:
        yield VerdictBadge(id="review-verdict")
        yield Static(f" {self.request_id}  loading...", id="review-title")

    def show(self, d: RequestDetail) -> None:
        self.query_one("#review-verdict", VerdictBadge).verdict = d.report.verdict.value
        self.query_one("#review-title", Static).update(summary_text(d))
