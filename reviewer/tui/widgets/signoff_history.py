"""The supervisor's sign-off history: one row per sign-off, newest first.

    table = SignOffHistory(id="history-table")
    table.show(rows, "by alice, rejects only")
    table.current_key()      # the row key (the sign-off's id) under the cursor, or None

Voided sign-offs (of a superseded version) are struck through; a sign-off by an account still
new is marked "(new)". Notes, names and request ids are input: escaped, one line each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import DataTable

from reviewer.domain.text import printable
from reviewer.tui.dialogs.signoff_detail import duration_text

if TYPE_CHECKING:
    from reviewer.store.views import SignOffRow

NOTE_WIDTH = 60
# Fixed column widths: the table is refilled whenever a filter changes, and columns that
# resized with their contents left rows drawn at different widths.
COLUMNS = (
    ("When (UTC)", "when", 16),
    ("Request", "request", 16),
    ("Reviewer", "reviewer", 12),
    ("Stage", "stage", 6),
    ("Decision", "decision", 14),
    ("Review time", "time", 11),
    ("Note", "note", NOTE_WIDTH),
)


class SignOffHistory(DataTable[Text | str]):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.border_title = "Sign-off history"

    def on_mount(self) -> None:
        for label, key, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    def show(self, rows: Sequence[SignOffRow], description: str) -> None:
        """Fill the table with `rows`; the subtitle counts them and says what they are."""
        self.clear()
        for r in rows:
            style = "dim strike" if r.voided else ""
            decision = Text(
                r.decision.value + (" (void)" if r.voided else ""),
                style="dim" if r.voided else ("green" if r.decision.value == "approve" else "red"),
            )
            note = printable(r.note.replace("\n", " "))  # one line, control characters escaped
            if len(note) > NOTE_WIDTH:
                note = note[: NOTE_WIDTH - 1] + "…"
            self.add_row(
                Text(r.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"), style=style),
                Text(printable(r.request_id), style=style),
                Text(
                    printable(r.reviewer) + (" (new)" if r.new_account else ""),
                    style=style or ("bold yellow" if r.new_account else ""),
                ),
                Text(r.stage.value, style=style),
                decision,
                duration_text(r.review_seconds),
                Text(note, style="dim" if r.voided else ""),
                key=str(r.id),
            )
        self.border_subtitle = f"{len(rows)} · {description}"

    def current_key(self) -> str | None:
        """The key of the row under the cursor (the sign-off's id), None when empty."""
        if not self.row_count:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
