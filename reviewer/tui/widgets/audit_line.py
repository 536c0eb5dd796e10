"""The supervisor's audit line: whether the hash chain and its signed checkpoints verify, and
when they were last checked (so `v` visibly checks again). Its tooltip holds the head hash."""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from reviewer.store.views import AuditStatus

VERIFYING = "Audit chain: verifying…"


class AuditLine(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(VERIFYING, id=id, markup=False)

    def verifying(self) -> None:
        self.update(VERIFYING)

    def show(self, status: AuditStatus) -> None:
        mark = "✓" if status.ok else "✗"
        checked = (
            f" · {status.checked_at.astimezone(UTC):%H:%M:%S} UTC"
            if status.checked_at is not None
            else ""
        )
        self.update(
            Text.assemble(
                ("Audit chain: ", "bold"),
                (f"{mark} {status.message}", "green" if status.ok else "bold red"),
                (checked, "dim"),
            )
        )
        self.set_class(not status.ok, "-broken")
        self.tooltip = f"head {status.head}" if status.head else None
