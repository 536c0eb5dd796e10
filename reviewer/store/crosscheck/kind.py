"""What one kind of decision declares (`Kind`), and what its keys are made from: an audit
event (`Event`), or a row with the accounts' names and the purged requests (`Lookups`). The
kinds themselves are declared in `kinds`.

A text people typed (a note, a reason) is part of a key through `typed`: None once its request
is purged, so a purged request's rows and events still pair.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from reviewer.store.crosscheck.values import typed

Row = Sequence[Any]
Keys = list[Hashable]


class Event(NamedTuple):
    """An audit event as the kinds read it: its payload with its sealed texts back."""

    seq: int
    actor: str
    action: str
    subject: str
    payload: dict[str, Any]
    gone: bool  # its request was purged

    def get(self, name: str) -> Any:
        return self.payload.get(name)

    def typed(self, name: str) -> str | None:
        return typed(self.payload.get(name), self.gone)


@dataclass(frozen=True)
class Lookups:
    """What a row's key is made with: the accounts' names by id and the purged requests."""

    names: dict[int, str]
    purged: set[str]

    def name(self, reviewer_id: Any) -> str | None:
        return self.names.get(int(reviewer_id))

    def typed(self, value: object, request_id: Any) -> str | None:
        return typed(value, request_id in self.purged)


def _row_id(row: Row) -> object:
    return row[0]


@dataclass(frozen=True, eq=False)
class Kind:
    """One kind of decision, as its rows and its events are made keys."""

    what: str  # a row of this kind, in words
    event_name: str  # its events, in words
    actions: tuple[str, ...]  # the audit actions whose events record it
    event_keys: Callable[[Event], Keys]  # the keys one event records (most: one)
    # the tables its rows are in ("table.column" for a column): a store older than one of them
    # has none of these rows
    needs: tuple[str, ...]
    rows: str  # the rows, in id order, the row's id first ("{after}": see `legacy`)
    row_key: Callable[[Row, Lookups], Hashable]
    # the table whose rows up to the marker's `legacy_rows` for it came before the trail
    # recorded them: `rows` reads only those after ("id > {after}")
    legacy: str | None = None
    label: Callable[[Row], object] = _row_id  # how a row is named in words
    # rows written in step with their events (many, each in its event's transaction): first
    # compared one for one in order, each event's key made from its actor and payload alone
    # by this function (the kind's one key per event; such events seal no texts), as
    # multisets only if that fails
    in_step: Callable[[str, dict[str, Any]], Hashable] | None = None
