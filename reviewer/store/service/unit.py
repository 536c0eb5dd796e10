"""The unit of work every collaborator of the service shares: one store (SQLite file or
PostgreSQL database), its clock, its passphrase hasher, and short transactions with retries.

An operation is a function of one session: `transact(fn, ...)` runs it in a write
transaction (BEGIN IMMEDIATE on SQLite) and runs it again after a serialization failure,
deadlock or lock timeout; `read()` opens a read-only transaction. The time a change is
recorded at comes from `stamp(s)`, taken once the audit chain's head is held.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

from argon2 import PasswordHasher
from sqlalchemy import Engine, func
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session, select

from reviewer.domain.audit import DECISIONS_SIGNED_MARKER
from reviewer.domain.audit.decisions import PERSONAL_KEYS_MARKER
from reviewer.domain.audit.personal import KeyRecipe
from reviewer.domain.errors import first_line
from reviewer.store import audit_log, trail
from reviewer.store.engine import READONLY, make_engine
from reviewer.store.errors import StoreError
from reviewer.store.migrate import NewerStore, current_revision, upgrade
from reviewer.store.paths import NoStore, key_dir, resolve_url, sqlite_file
from reviewer.store.service.rows import is_postgres, legacy_rows, safe_url
from reviewer.store.tables import ReviewerRow, StoreMetaRow

T = TypeVar("T")
P = ParamSpec("P")
RETRIES = 8
SIGNED_DECISIONS_KEY = "decisions_signed"
PERSONAL_KEYS_KEY = "personal_keys"


def utcnow() -> datetime:
    return datetime.now(UTC)


def default_hasher() -> PasswordHasher:
    """The passphrase hasher of a store opened without one: Argon2id at the library's RFC 9106
    defaults. A sign-in renews any hash made with other parameters."""
    return PasswordHasher()


class UnitOfWork:
    """Engine, clock, hasher and transactions of one store."""

    def __init__(
        self,
        engine: Engine,
        url: str,
        clock: Callable[[], datetime] | None = None,
        hasher: PasswordHasher | None = None,
    ):
        self.engine = engine
        self.url = url
        self.now: Callable[[], datetime] = clock or utcnow
        self.hasher = hasher or default_hasher()
        self._ro = engine.execution_options(**READONLY)
        self._recipe: KeyRecipe | None = None

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        hasher: PasswordHasher | None = None,
        create: bool = True,
    ) -> Self:
        """Open the store at `url` (None: $REVIEWER_DB, else the user data dir), creating it
        or upgrading its schema to the latest migration. With `create=False` (commands that
        only read) a store that does not exist yet raises NoStore and nothing is created: no
        SQLite file, no folder, no schema."""
        resolved = resolve_url(url)
        file = sqlite_file(resolved)
        if not create and file is not None and not file.is_file():
            raise NoStore(str(file.absolute()))
        engine: Engine | None = None
        try:
            engine = make_engine(resolved)
            if not create and current_revision(engine) is None:
                raise NoStore(str(file.absolute()) if file is not None else safe_url(resolved))
            upgrade(engine, clock=clock)
        except (DBAPIError, OSError, NewerStore) as exc:
            if engine is not None:
                engine.dispose()
            reason = first_line(exc)
            if isinstance(exc, FileExistsError | NotADirectoryError) and exc.filename:
                reason = f"{exc.filename} is not a folder"  # a file where a folder must be
            raise StoreError(f"cannot open the store {safe_url(resolved)}: {reason}") from None
        except BaseException:
            if engine is not None:
                engine.dispose()
            raise
        unit = cls(engine, resolved, clock, hasher)
        try:
            unit.mark_signed_decisions()
            unit.mark_personal_keys()
        except BaseException:
            engine.dispose()
            raise
        return unit

    def mark_signed_decisions(self) -> None:
        """Record once, signed, that from here on every decision in the trail is signed when it
        is made (`reviewer.domain.audit.DECISIONS_SIGNED_MARKER`): `audit verify` holds every
        later decision to it. A store made by this version has it as its first event."""
        with self.read() as s:
            if s.get(StoreMetaRow, SIGNED_DECISIONS_KEY) is not None:
                return
        self.transact(self._mark_signed_decisions)

    def _mark_signed_decisions(self, s: Session) -> None:
        if s.get(StoreMetaRow, SIGNED_DECISIONS_KEY) is not None:
            return
        now = self.stamp(s)
        trail.append(s, "system", DECISIONS_SIGNED_MARKER, "audit", legacy_rows(s), at=now)
        s.add(StoreMetaRow(key=SIGNED_DECISIONS_KEY, value={"at": now.isoformat()}))

    def mark_personal_keys(self) -> None:
        """Record once, signed, that from here on every decision carries its maker's personal
        signature (`reviewer.domain.audit.personal`), with the store's key recipe (a fresh salt,
        the passphrase hasher's cost) and the accounts that hold no key yet (with their roles
        and whether they are disabled): they enroll theirs at their next sign-in. A store made
        by this version has it before any account."""
        if self.recipe() is None:
            self.transact(self._mark_personal_keys)

    def _mark_personal_keys(self, s: Session) -> None:
        if s.get(StoreMetaRow, PERSONAL_KEYS_KEY) is not None:
            return
        now = self.stamp(s)
        marked = audit_log.find_events(s, action=PERSONAL_KEYS_MARKER, limit=1)
        if marked:  # the row was deleted: the era began once, with the recipe it recorded
            kept = marked[0].payload_object().get("recipe")
            s.add(StoreMetaRow(key=PERSONAL_KEYS_KEY, value=kept if isinstance(kept, dict) else {}))
            return
        h = self.hasher
        recipe = KeyRecipe.new(h.time_cost, h.memory_cost, h.parallelism).to_dict()
        accounts = s.execute(select(ReviewerRow.name, ReviewerRow.role, ReviewerRow.disabled))
        held = sorted((str(n), str(r), bool(d)) for n, r, d in accounts)
        payload = {
            "recipe": recipe,
            "without_key": [n for n, _, _ in held],
            "roles": {n: r for n, r, _ in held},
            "disabled": [n for n, _, d in held if d],
        }
        trail.append(s, "system", PERSONAL_KEYS_MARKER, "audit", payload, at=now)
        s.add(StoreMetaRow(key=PERSONAL_KEYS_KEY, value=recipe))

    def recipe(self) -> KeyRecipe | None:
        """How a passphrase becomes a personal key in this store (None before the era)."""
        if self._recipe is None:
            with self.read() as s:
                row = s.get(StoreMetaRow, PERSONAL_KEYS_KEY)
            if row is not None:
                self._recipe = KeyRecipe.from_dict(row.value)
        return self._recipe

    def close(self) -> None:
        self.engine.dispose()

    @property
    def key_dir(self) -> Path:
        """Where the audit key and checkpoint file of this store live."""
        return key_dir(self.url)

    # ------------------------------------------------------------------ transactions

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """One read-only transaction (no write lock on SQLite)."""
        with Session(self._ro, expire_on_commit=False) as s, s.begin():
            yield s

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One read-then-write transaction (BEGIN IMMEDIATE on SQLite), without retries."""
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s

    def transact(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`fn(session, ...)` in one write transaction, run again after a serialization
        failure, deadlock or lock timeout."""

        def once() -> T:
            with self.write() as s:
                return fn(s, *args, **kwargs)

        return self.retry(once)

    def transact_or_refuse(
        self,
        refusal: Callable[[IntegrityError], Exception],
        fn: Callable[Concatenate[Session, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """`transact`, and again when a constraint refused a row another terminal committed at
        the same moment (the next attempt sees it and decides); `refusal` makes the error
        raised when that keeps happening."""
        for attempt in range(RETRIES):
            try:
                return self.transact(fn, *args, **kwargs)
            except IntegrityError as exc:
                if attempt == RETRIES - 1:
                    raise refusal(exc) from None
        raise AssertionError("unreachable")

    def retry(self, fn: Callable[[], T]) -> T:
        """Run `fn` (one transaction), again after a serialization failure, deadlock or lock
        timeout."""
        delay = 0.01
        for attempt in range(RETRIES):
            try:
                return fn()
            except OperationalError as exc:
                if not _is_retryable(exc):  # a full disk, a file size limit, a lost server
                    raise StoreError(f"the store cannot be written: {first_line(exc)}") from None
                if attempt == RETRIES - 1:
                    raise StoreError(f"the store is busy: {first_line(exc)}") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        raise AssertionError("unreachable")

    def audit(self, actor: str, action: str, subject: str, payload: dict[str, Any]) -> None:
        """Record an event that changes nothing else (a refusal, say), in its own transaction."""
        self.transact(self._append, actor, action, subject, payload)

    def _append(
        self, s: Session, actor: str, action: str, subject: str, payload: dict[str, Any]
    ) -> None:
        trail.append(s, actor, action, subject, payload, at=self.stamp(s))

    # ------------------------------------------------------------------ the clock

    def decision_now(self, s: Session) -> datetime:
        """The time a time-based rule (a lockout, a session's age, an unlock's lapse) is decided
        by: on PostgreSQL the database server's clock, which no terminal can set; on SQLite,
        where the database has no clock of its own, the service's."""
        if is_postgres(s):
            # clock_timestamp(), not now(): now() is when the transaction began, and a
            # transaction that began earlier may record after one that began later.
            value: datetime = s.execute(select(func.clock_timestamp())).scalar_one()
            return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return self.now()

    def stamp(self, s: Session) -> datetime:
        """The time a change is recorded at (its rows and its audit events), taken inside its
        write transaction once the chain's head is held, so that it is never earlier than the
        event before it: on PostgreSQL the server's clock, on SQLite the service's (a time
        earlier than the last event's is refused when the event is appended)."""
        trail.hold_head(s)
        return self.decision_now(s)


def _is_retryable(exc: BaseException) -> bool:
    """PostgreSQL serialization failure / deadlock, or a SQLite lock that outlived the timeout."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in ("40001", "40P01"):
        return True
    return "database is locked" in str(orig or exc)
