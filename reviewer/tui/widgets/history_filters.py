"""The supervisor's filters over the sign-off history: reviewer, decision and a date range.

    filters = HistoryFilters(id="supervisor-filters")
    filters.read()          # HistoryFilter(reviewer="alice", ...), or ValueError saying why not
    filters.set_people(["alice", "bob"])

When a choice changes, or a date is whole (YYYY-MM-DD, both ends included), cleared or
submitted, the widget posts `HistoryFilters.Changed` with the filters as set, or
`HistoryFilters.Invalid` saying which field is wrong and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select

DECISIONS = (("approved", "approve"), ("rejected", "reject"))
DATE_FIELDS = ("filter-since", "filter-until")


def parse_day(text: str, field: str) -> date | None:
    """'' -> None; 'YYYY-MM-DD' -> date; anything else -> ValueError naming the field."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{field}: not a date (use YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    reviewer: str | None = None
    decision: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive

    def as_kwargs(self) -> dict[str, Any]:
        """The service's filters: `until` is exclusive there, so the day after."""
        return {
            "reviewer": self.reviewer,
            "decision": self.decision,
            "since": datetime.combine(self.since, datetime.min.time(), UTC) if self.since else None,
            "until": (
                datetime.combine(self.until + timedelta(days=1), datetime.min.time(), UTC)
                if self.until
                else None
            ),
        }

    def describe(self) -> str:
        parts = []
        if self.reviewer:
            parts.append(f"by {self.reviewer}")
        if self.decision:
            parts.append(f"{self.decision}s only")
        if self.since:
            parts.append(f"from {self.since.isoformat()}")
        if self.until:
            parts.append(f"to {self.until.isoformat()}")
        return ", ".join(parts) or "all sign-offs"


class HistoryFilters(Horizontal):
    """Reviewer (`#filter-reviewer`), decision (`#filter-decision`), from (`#filter-since`) and
    to (`#filter-until`)."""

    @dataclass
    class Changed(Message):
        """The filters as now set (maybe the same as before)."""

        filters: HistoryFilter

    @dataclass
    class Invalid(Message):
        """A date that is none, or a backwards range: which field, and why."""

        why: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._people: list[str] = []

    def compose(self) -> ComposeResult:
        yield Select[str]([], prompt="Reviewer", id="filter-reviewer")
        yield Select[str](
            [(label, value) for label, value in DECISIONS],
            prompt="Decision",
            id="filter-decision",
        )
        yield Input(placeholder="from YYYY-MM-DD", id="filter-since", max_length=10)
        yield Input(placeholder="to YYYY-MM-DD", id="filter-until", max_length=10)

    def read(self) -> HistoryFilter:
        """The filters as set; ValueError (its message says which field, and why) if a date is
        not one or the range is backwards."""
        reviewer = self.query_one("#filter-reviewer", Select).value
        decision = self.query_one("#filter-decision", Select).value
        since = parse_day(self.query_one("#filter-since", Input).value, "from")
        until = parse_day(self.query_one("#filter-until", Input).value, "to")
        if since and until and until < since:
            raise ValueError("to: before from")
        return HistoryFilter(
            reviewer=reviewer if isinstance(reviewer, str) else None,
            decision=decision if isinstance(decision, str) else None,
            since=since,
            until=until,
        )

    def changed(self) -> None:
        """Post the filters as set (`Changed`), or why they cannot be read (`Invalid`)."""
        try:
            self.post_message(self.Changed(self.read()))
        except ValueError as exc:
            self.post_message(self.Invalid(str(exc)))

    @on(Select.Changed)
    @on(Input.Submitted)
    def _field_done(self) -> None:
        self.changed()

    @on(Input.Changed)
    def _date_typed(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if not text or len(text) == 10:  # a whole date, or cleared
            self.changed()

    def raw_text(self) -> str:
        """What is typed in the date fields, whole or not."""
        return "".join(self.query_one(f"#{name}", Input).value for name in DATE_FIELDS)

    def clear(self) -> None:
        self.query_one("#filter-reviewer", Select).clear()
        self.query_one("#filter-decision", Select).clear()
        self.query_one("#filter-since", Input).value = ""
        self.query_one("#filter-until", Input).value = ""

    def set_people(self, people: Sequence[str]) -> None:
        """The reviewers to choose from (the one chosen stays, if still there)."""
        people = sorted(people)
        if people == self._people:
            return
        self._people = people
        select = self.query_one("#filter-reviewer", Select)
        current = select.value
        select.set_options([(n, n) for n in people])
        if isinstance(current, str) and current in people:
            select.value = current
