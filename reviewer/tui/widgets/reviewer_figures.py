"""The supervisor's figures per reviewer: how each one works.

Reviews given, median review time (first look at the export to sign-off), recordings played
per review, approvals given with nothing played (red: the sample was not listened to), and the
approver each one most often pairs with (yellow: the same pair PAIR_WARN times or more).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

from reviewer.domain.states import Role
from reviewer.domain.text import printable
from reviewer.tui.dialogs.signoff_detail import duration_text

if TYPE_CHECKING:
    from reviewer.store.views import ReviewerFigures

PAIR_WARN = 3  # the same two people approving together this often is worth a look
COLUMNS = (
    ("Reviewer", "name", 12),
    ("Role", "role", max(len(r.value) for r in Role)),
    ("Reviews", "reviews", 7),
    ("Median", "median", 8),
    ("Played/rev", "played", 10),
    ("Unplayed approvals", "unplayed", 18),
    ("Pairs with", "pair", 14),
)


class ReviewerFiguresTable(DataTable[Text | str]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.border_title = "Reviewers"

    def on_mount(self) -> None:
        for label, key, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    def show(self, figures: Sequence[ReviewerFigures]) -> None:
        self.clear()
        for f in figures:
            unplayed = Text(
                str(f.approvals_nothing_played),
                style="bold red" if f.approvals_nothing_played else "",
            )
            pair = Text("-", style="dim")
            if f.pairs:
                other, times = max(f.pairs, key=lambda p: (p[1], p[0]))
                pair = Text(
                    f"{printable(other)} ×{times}",
                    style="bold yellow" if times >= PAIR_WARN else "",
                )
            self.add_row(
                Text(printable(f.name)),
                f.role.value,
                str(f.reviews),
                duration_text(f.median_review_seconds),
                f"{f.recordings_played_per_review:.1f}" if f.reviews else "-",
                unplayed,
                pair,
                key=f.name,
            )
