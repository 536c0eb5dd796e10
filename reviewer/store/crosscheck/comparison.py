"""One cross-check of a store: the events after the marker read once, each fed to what it
records, then each kind's rows, then the first disagreement chosen."""

from __future__ import annotations

from collections.abc import Generator, Iterable
from contextlib import closing
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from reviewer.domain.audit import DECISIONS_SIGNED_MARKER
from reviewer.store.audit_log import EVENT_TABLE, _stream
from reviewer.store.crosscheck.kind import Event, Kind, Lookups
from reviewer.store.crosscheck.kinds import KINDS
from reviewer.store.crosscheck.pairing import Pairing, earliest
from reviewer.store.crosscheck.passphrases import PASSPHRASE_EVENTS, Passphrases
from reviewer.store.crosscheck.sealed import Sealed
from reviewer.store.crosscheck.state import STATE_ACTIONS, State
from reviewer.store.crosscheck.values import loads
from reviewer.store.crosscheck.versions import VERSION_ACTIONS, Versions

# The decisions' actions read in the one pass over the trail (with `PASSPHRASE_EVENTS`):
# those of every kind not read apart (`Kind.in_step`), the accounts' state and the policy.
ACTIONS = (
    *dict.fromkeys(a for kind in KINDS if not kind.in_step for a in kind.actions),
    *STATE_ACTIONS,
    *VERSION_ACTIONS,
)


@dataclass(frozen=True)
class Marker:
    """The store's signed `audit-decisions-signed` event: its seq, and what it recorded of the
    store before it (`before`: the disabled accounts and the policy), among which the highest
    row id of each table (`legacy`: rows up to it are not asked for events)."""

    since: int
    before: dict[str, Any]
    legacy: dict[str, int]

    @classmethod
    def read(cls, session: Session) -> Marker | None:
        found = session.execute(
            sa.text(
                f"SELECT seq, payload FROM {EVENT_TABLE} WHERE action = :a ORDER BY seq LIMIT 1"
            ),
            {"a": DECISIONS_SIGNED_MARKER},
        ).first()
        if found is None:
            return None
        before = loads(str(found[1]))
        rows = before.get("legacy_rows") or {}
        return cls(int(found[0]), before, {str(k): int(v) for k, v in rows.items()})


class Comparison:
    """The decision rows against their events, kind by kind (`KINDS`), with the accounts'
    state and the policy (`State`), the sealed texts (`Sealed`) and the passphrase hashes
    (`Passphrases`) beside them."""

    def __init__(self, session: Session, tables: set[str], marker: Marker) -> None:
        self.session = session
        self.tables = tables
        self.marker = marker
        self.columns: dict[str, set[str]] = {}
        self.pairings = [(kind, Pairing(kind.what, kind.event_name)) for kind in KINDS]
        self.purged: set[str] = set()
        if self.has("requests.purged_at"):
            self.purged = set(
                session.execute(
                    sa.text("SELECT request_id FROM requests WHERE purged_at IS NOT NULL")
                ).scalars()
            )
        self.sealed = Sealed(session, tables)
        self.state = State(marker.before, marker.since)
        self.passphrases = Passphrases()
        self.versions = Versions()

    def has(self, need: str) -> bool:
        """Whether the store has a table, or a "table.column"."""
        table, _, column = need.partition(".")
        if table not in self.tables or not column:
            return table in self.tables
        if table not in self.columns:
            inspector = sa.inspect(self.session.connection())
            self.columns[table] = {c["name"] for c in inspector.get_columns(table)}
        return column in self.columns[table]

    def read_events(self) -> None:
        """One pass over the trail after the marker, each event given to what it records."""
        by_action: dict[str, list[tuple[Kind, Pairing]]] = {}
        for kind, pairing in self.pairings:
            if not kind.in_step:
                for action in kind.actions:
                    by_action.setdefault(action, []).append((kind, pairing))
        for seq, actor, action, subject, payload in self._events((*ACTIONS, *PASSPHRASE_EVENTS)):
            opened = self.sealed.opened(seq, subject, loads(payload))
            e = self._event(seq, actor, action, subject, opened)
            if action in PASSPHRASE_EVENTS:
                self.passphrases.event(e)
            self.state.event(e)
            if action in VERSION_ACTIONS:
                self.versions.event(e)
            for kind, pairing in by_action.get(action, ()):
                for key in kind.event_keys(e):
                    pairing.event(key, seq)

    def read_rows(self) -> None:
        """Each kind's rows (a kind whose tables the store lacks has none)."""
        names = {
            int(i): str(n)
            for i, n in self.session.execute(sa.text("SELECT id, name FROM reviewers"))
        }
        at = Lookups(names, self.purged)
        for kind, pairing in self.pairings:
            if not all(self.has(need) for need in kind.needs):
                continue
            if not kind.in_step:
                self._pair_rows(kind, pairing, at)
            elif not self._in_step(kind, at):
                # Something disagrees: the full comparison names the first row or event that does.
                for e in self._kind_events(kind):
                    for key in kind.event_keys(e):
                        pairing.event(key, e.seq)
                self._pair_rows(kind, pairing, at)

    def problem(self) -> str | None:
        """The first disagreement: the one at the earliest event, else the first row with
        none; a passphrase hash only when nothing else disagrees."""
        found = [p for _, pairing in self.pairings if (p := pairing.problem()) is not None]
        policy = self.state.policy_problem(self.session)
        if policy is not None:
            found.append(policy)
        versions = self.versions.problem(self.session)
        if versions is not None:
            found.append(versions)
        sealed = self.sealed.problem(self.purged)
        if sealed is not None:  # first: at the same event it says more than a pairing does
            found.insert(0, sealed)
        first = earliest(found)
        return self.passphrases.problem(self.session) if first is None else first[1]

    def _pair_rows(self, kind: Kind, pairing: Pairing, at: Lookups) -> None:
        for row in _stream(self.session, self._rows_sql(kind)):
            pairing.row(kind.row_key(row, at), kind.label(row))

    def _in_step(self, kind: Kind, at: Lookups) -> bool:
        """Whether the kind's rows, in id order, are its events, in chain order, one for one:
        each row is written in its event's transaction while the chain's head is held, so in a
        store nobody touched they come in the same order. One pass, nothing kept; False at the
        first difference (the caller then compares them as multisets)."""
        step_key = kind.in_step
        assert step_key is not None
        events = self._events(kind.actions, "actor, payload")
        rows = _stream(self.session, self._rows_sql(kind))
        row_key = kind.row_key
        try:
            for event, row in zip_longest(events, rows):
                if event is None or row is None:
                    return False
                if step_key(event[0], loads(event[1])) != row_key(row, at):
                    return False
            return True
        finally:
            events.close()
            rows.close()

    def _kind_events(self, kind: Kind) -> Generator[Event, None, None]:
        """A kind's events as recorded (a kind read apart seals no texts)."""
        with closing(self._events(kind.actions)) as events:
            for seq, actor, action, subject, payload in events:
                yield self._event(seq, actor, action, subject, loads(payload))

    def _events(
        self, actions: Iterable[str], columns: str = "seq, actor, action, subject, payload"
    ) -> Generator[Any, None, None]:
        """The events of `actions` after the marker, in chain order: `columns` of each."""
        listed = ", ".join(f"'{a}'" for a in dict.fromkeys(actions))
        return _stream(
            self.session,
            f"SELECT {columns} FROM {EVENT_TABLE} "
            f"WHERE seq > {self.marker.since} AND action IN ({listed}) ORDER BY seq",
        )

    def _event(
        self, seq: int, actor: str, action: str, subject: str, payload: dict[str, Any]
    ) -> Event:
        gone = subject.removeprefix("request:") in self.purged  # its texts were emptied, or are
        return Event(seq, actor, action, subject, payload, gone)

    def _rows_sql(self, kind: Kind) -> str:
        if kind.legacy is None:
            return kind.rows
        return kind.rows.format(after=self.marker.legacy.get(kind.legacy, 0))
