"""The comparison engine: the keys of one kind's rows against the keys of its events, as two
multisets, and which disagreement comes first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Any

# A disagreement: (the event's seq, or 0 for a row with no event; the words that tell it).
Problem = tuple[int, str]


class Pairing:
    """One kind of decision: a multiset of keys from the rows and one from the events."""

    def __init__(self, what: str, event_name: str) -> None:
        self.what = what
        self.event_name = event_name
        self.rows: Counter[Hashable] = Counter()
        self.events: Counter[Hashable] = Counter()
        self.first_row: dict[Hashable, Any] = {}
        self.first_event: dict[Hashable, int] = {}

    def row(self, key: Hashable, row_id: Any) -> None:
        self.rows[key] += 1
        self.first_row.setdefault(key, row_id)

    def event(self, key: Hashable, seq: int) -> None:
        self.events[key] += 1
        self.first_event.setdefault(key, seq)

    def problem(self) -> Problem | None:
        """The first disagreement, as (event seq or 0, words)."""
        found: list[Problem] = []
        for key, n in (self.rows - self.events).items():
            found.append(
                (
                    0,
                    f"{self.what} row {self.first_row[key]} ({show(key)}) has no "
                    f"{self.event_name} event in the audit trail: it was written "
                    f"around the reviewer{'' if n == 1 else f' ({n} such rows)'}",
                )
            )
        for key, _n in (self.events - self.rows).items():
            seq = self.first_event[key]
            found.append(
                (
                    seq,
                    f"event {seq} ({self.event_name}: {show(key)}) has no "
                    f"{self.what} row that agrees with it: the row was removed or "
                    "changed, or the event forged",
                )
            )
        return earliest(found)


def earliest(found: list[Problem]) -> Problem | None:
    """The problem at the earliest event, else the first row with none; of two at the same
    event, the one found first."""
    return min(found, key=lambda p: (p[0] == 0, p[0])) if found else None


def show(key: Iterable[object] | object) -> str:
    parts: Iterable[object] = key if isinstance(key, tuple) else (key,)
    return ", ".join(str(x) for x in parts if x is not None)
