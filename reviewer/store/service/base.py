"""The review service's foundation: one store (SQLite file or PostgreSQL database), its clock,
short transactions with retries, and the row queries the parts share."""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self, TypeVar

from argon2 import PasswordHasher
from sqlalchemy import Engine, func
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from reviewer.domain.audit import DECISIONS_SIGNED_MARKER
from reviewer.domain.corrections import (
    Correction,
    CorrectionKind,
    MarkFact,
    MarkKind,
    MarkTarget,
    Reason,
    mark_findings,
)
from reviewer.domain.errors import first_line
from reviewer.domain.model import Finding
from reviewer.domain.signoff import SignOffFact, version_status
from reviewer.domain.states import Decision, Role, Stage, State
from reviewer.store import trail
from reviewer.store.codec import index_from_json
from reviewer.store.engine import READONLY, make_engine
from reviewer.store.errors import (
    NotFound,
    StoreError,
)
from reviewer.store.migrate import current_revision, upgrade
from reviewer.store.paths import NoStore, key_dir, resolve_url, sqlite_file
from reviewer.store.tables import (
    CorrectionRow,
    ExportVersionRow,
    InspectionRow,
    MarkRow,
    PolicyRow,
    ReleaseRow,
    ReviewerRow,
    SignOffRowT,
    StoreMetaRow,
)
from reviewer.store.views import (
    CorrectionView,
    MarkView,
    Signer,
    SignOffRow,
)

T = TypeVar("T")
# The stored export index is large (a 100,000-member export holds tens of MB of JSON): only the
# review detail loads it; everything else reads the version row without it.
NO_INDEX = (defer(ExportVersionRow.index_summary),)  # type: ignore[arg-type]
ROW_ONLY = (
    *NO_INDEX,
    defer(ExportVersionRow.report),  # type: ignore[arg-type]
    defer(ExportVersionRow.sample),  # type: ignore[arg-type]
)
RETRIES = 8
SIGNED_DECISIONS_KEY = "decisions_signed"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _is_retryable(exc: BaseException) -> bool:
    """PostgreSQL serialization failure / deadlock, or a SQLite lock that outlived the timeout."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in ("40001", "40P01"):
        return True
    return "database is locked" in str(orig or exc)


class ServiceBase:
    """The store under every part of the service: engine, clock, transactions, retries, and
    the row queries several parts share."""

    def __init__(
        self,
        engine: Engine,
        url: str,
        clock: Callable[[], datetime] | None = None,
        hasher: PasswordHasher | None = None,
    ):
        self._engine = engine
        self._ro = engine.execution_options(**READONLY)
        self._url = url
        self._now = clock or _utcnow
        self._hasher = hasher or PasswordHasher()  # Argon2id, the library's RFC 9106 default

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
        SQLite file, no folder, no schema. `clock` and `hasher` (other Argon2id parameters)
        are for tests and benchmarks."""
        resolved = resolve_url(url)
        file = sqlite_file(resolved)
        if not create and file is not None and not file.is_file():
            raise NoStore(str(file.absolute()))
        engine: Engine | None = None
        try:
            engine = make_engine(resolved)
            if not create and current_revision(engine) is None:
                raise NoStore(str(file.absolute()) if file is not None else _safe_url(resolved))
            upgrade(engine, clock=clock)
        except (DBAPIError, OSError) as exc:
            if engine is not None:
                engine.dispose()
            reason = first_line(exc)
            if isinstance(exc, FileExistsError | NotADirectoryError) and exc.filename:
                reason = f"{exc.filename} is not a folder"  # a file where a folder must be
            raise StoreError(f"cannot open the store {_safe_url(resolved)}: {reason}") from None
        except BaseException:
            if engine is not None:
                engine.dispose()
            raise
        service = cls(engine, resolved, clock, hasher)
        try:
            service._mark_signed_decisions()
        except BaseException:
            engine.dispose()
            raise
        return service

    def _mark_signed_decisions(self) -> None:
        """Record once, signed, that from here on every decision in the trail is signed when it
        is made (`reviewer.domain.audit.DECISIONS_SIGNED_MARKER`): `audit verify` holds every
        later decision to it. A store made by this version has it as its first event."""
        with self._read() as s:
            if s.get(StoreMetaRow, SIGNED_DECISIONS_KEY) is not None:
                return

        def go() -> None:
            with self._write() as s:
                if s.get(StoreMetaRow, SIGNED_DECISIONS_KEY) is not None:
                    return
                now = self._stamp(s)
                trail.append(s, "system", DECISIONS_SIGNED_MARKER, "audit", _legacy(s), at=now)
                s.add(StoreMetaRow(key=SIGNED_DECISIONS_KEY, value={"at": now.isoformat()}))

        self._retry(go)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self._url

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def key_dir(self) -> Path:
        """Where the audit key and checkpoint file of this store live."""
        return key_dir(self._url)

    # ------------------------------------------------------------------ transactions

    @contextlib.contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self._ro, expire_on_commit=False) as s, s.begin():
            yield s

    @contextlib.contextmanager
    def _write(self) -> Iterator[Session]:
        """One read-then-write transaction (BEGIN IMMEDIATE on SQLite)."""
        with Session(self._engine, expire_on_commit=False) as s, s.begin():
            yield s

    def _retry(self, fn: Callable[[], T]) -> T:
        """Run one transaction, again after a serialization failure, deadlock or lock timeout."""
        delay = 0.01
        for attempt in range(RETRIES):
            try:
                return fn()
            except OperationalError as exc:
                if attempt == RETRIES - 1 or not _is_retryable(exc):
                    raise StoreError(f"the store is busy: {first_line(exc)}") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        raise AssertionError("unreachable")

    def _retry_conflicts(
        self, fn: Callable[[], T], refusal: Callable[[IntegrityError], Exception]
    ) -> T:
        """`_retry`, and again when a constraint refused a row another terminal committed at
        the same moment (the next attempt sees it and decides); `refusal` makes the error
        raised when that keeps happening."""
        for attempt in range(RETRIES):
            try:
                return self._retry(fn)
            except IntegrityError as exc:
                if attempt == RETRIES - 1:
                    raise refusal(exc) from None
        raise AssertionError("unreachable")

    def _audit(self, actor: str, action: str, subject: str, payload: dict[str, Any]) -> None:
        """Record an event that changes nothing else (a refusal, say), in its own transaction."""

        def go() -> None:
            with self._write() as s:
                trail.append(s, actor, action, subject, payload, at=self._stamp(s))

        self._retry(go)

    def privilege_warning(self) -> str | None:
        """On PostgreSQL, a warning when this terminal connects as a superuser or as the
        tables' owner: such a role can switch the store's triggers off (README, Team mode)."""
        with self._read() as s:
            return privilege_warning(s)

    def _decision_now(self, s: Session) -> datetime:
        """The time a time-based rule (a lockout, a session's age, an unlock's lapse) is decided
        by: on PostgreSQL the database server's clock, which no terminal can set; on SQLite,
        where the database has no clock of its own, the service's."""
        if is_postgres(s):
            # clock_timestamp(), not now(): now() is when the transaction began, and a
            # transaction that began earlier may record after one that began later.
            value: datetime = s.execute(select(func.clock_timestamp())).scalar_one()
            return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return self._now()

    def _stamp(self, s: Session) -> datetime:
        """The time a change is recorded at (its rows and its audit events), taken inside its
        write transaction once the chain's head is held, so that it is never earlier than the
        event before it: on PostgreSQL the server's clock, on SQLite the service's (a time
        earlier than the last event's is refused when the event is appended)."""
        trail.hold_head(s)
        return self._decision_now(s)

    def _version(self, s: Session, version_id: int, *options: Any) -> ExportVersionRow:
        v = s.get(ExportVersionRow, version_id, options=options)
        if v is None:
            raise NotFound(f"no export version {version_id}")
        return v

    def _lock_version(self, s: Session, version_id: int) -> ExportVersionRow:
        stmt = (
            select(ExportVersionRow)
            .where(col(ExportVersionRow.id) == version_id)
            .options(*NO_INDEX)
        )
        if is_postgres(s):
            stmt = stmt.with_for_update()
        row: ExportVersionRow | None = s.execute(stmt).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no export version {version_id}")
        return row

    def _reviewer(self, s: Session, name: str, *, lock: bool = False) -> ReviewerRow | None:
        stmt = select(ReviewerRow).where(ReviewerRow.name == name)
        if lock and is_postgres(s):
            stmt = stmt.with_for_update()
        return s.execute(stmt).scalar_one_or_none()

    def _policy_row(self, s: Session) -> PolicyRow:
        row = s.get(PolicyRow, 1)
        assert row is not None, "the policy row is created by migration 0002"
        return row

    def _facts(
        self, s: Session, version_ids: Sequence[int | None]
    ) -> dict[int, list[tuple[int, Signer]]]:
        """(round, Signer) per version id."""
        out: dict[int, list[tuple[int, Signer]]] = defaultdict(list)
        if not version_ids:
            return out
        rows = s.execute(
            select(SignOffRowT, ReviewerRow.name)
            .join(ReviewerRow, ReviewerRow.id == SignOffRowT.reviewer_id)  # type: ignore[arg-type]
            .where(SignOffRowT.version_id.in_([i for i in version_ids if i is not None]))  # type: ignore[attr-defined]
            .order_by(SignOffRowT.id)  # type: ignore[arg-type]
        ).all()
        for so, name in rows:
            out[so.version_id].append(
                (
                    so.round,
                    Signer(
                        name=name,
                        role=Role(so.reviewer_role),
                        stage=Stage.FIRST if so.stage == 1 else Stage.SECOND,
                        decision=Decision(so.decision),
                        at=so.at,
                    ),
                )
            )
        return out

    def _released(self, s: Session, version_ids: Sequence[int | None]) -> set[int]:
        if not version_ids:
            return set()
        return set(
            s.execute(
                select(ReleaseRow.version_id).where(
                    ReleaseRow.version_id.in_([i for i in version_ids if i is not None])  # type: ignore[attr-defined]
                )
            ).scalars()
        )

    def _state(
        self, s: Session, v: ExportVersionRow, now: datetime
    ) -> tuple[State, tuple[Signer, ...], int, datetime | None]:
        """`version_state` of one version, read from the store."""
        vid = int(v.id or 0)
        return version_state(
            v,
            self._facts(s, [vid]).get(vid, []),
            vid in self._released(s, [vid]),
            now,
            self._policy_row(s).unlock_lapse_days,
        )

    def _marks(self, s: Session, version_id: int) -> list[MarkView]:
        """The standing (not withdrawn) marks on a version, oldest first."""
        rows = s.execute(
            select(MarkRow, ReviewerRow.name)
            .join(ReviewerRow, ReviewerRow.id == MarkRow.reviewer_id)  # type: ignore[arg-type]
            .where(MarkRow.version_id == version_id)
            .where(col(MarkRow.withdrawn_at).is_(None))
            .order_by(col(MarkRow.id))
        ).all()
        return [
            MarkView(
                int(m.id or 0),
                m.version_id,
                name,
                MarkTarget(m.target_kind),
                m.target,
                MarkKind(m.kind),
                m.note,
                m.at,
            )
            for m, name in rows
        ]

    def _mark_findings(self, s: Session, v: ExportVersionRow) -> list[Finding]:
        """The version's standing foreign marks as critical findings (`mark_findings`)."""
        marks = [m for m in self._marks(s, int(v.id or 0)) if m.kind is MarkKind.FOREIGN]
        if not marks:
            return []
        stored = s.execute(
            select(ExportVersionRow.index_summary).where(ExportVersionRow.id == v.id)
        ).scalar_one()
        return mark_findings(
            [MarkFact(m.reviewer, m.target_kind, m.target, m.kind, m.note) for m in marks],
            index_from_json(stored),
        )

    def _pending_corrections(self, s: Session, version_id: int) -> list[CorrectionView]:
        """Corrections proposed on a version, not withdrawn and not yet applied, oldest first."""
        rows = s.execute(
            select(CorrectionRow, ReviewerRow.name)
            .join(ReviewerRow, ReviewerRow.id == CorrectionRow.reviewer_id)  # type: ignore[arg-type]
            .where(CorrectionRow.version_id == version_id)
            .where(col(CorrectionRow.withdrawn_at).is_(None))
            .where(col(CorrectionRow.applied_version_id).is_(None))
            .order_by(col(CorrectionRow.id))
        ).all()
        return [
            CorrectionView(
                int(c.id or 0),
                c.version_id,
                name,
                Correction(
                    CorrectionKind(c.kind), c.target, Reason(c.reason), c.note, c.start_s, c.end_s
                ),
                c.at,
            )
            for c, name in rows
        ]

    def _number_of(self, s: Session, version_id: int | None) -> int | None:
        if version_id is None:
            return None
        return s.execute(
            select(ExportVersionRow.number).where(ExportVersionRow.id == version_id)
        ).scalar_one_or_none()

    def _signoff_id(self, s: Session, version_id: int, round_: int, stage: Stage) -> int:
        """The id of the sign-off at `stage` of `round_` (it must exist)."""
        return int(
            s.execute(
                select(SignOffRowT.id).where(
                    (SignOffRowT.version_id == version_id)
                    & (SignOffRowT.round == round_)
                    & (SignOffRowT.stage == stage.number)
                )
            ).scalar_one()
        )

    def _signoff_row(
        self, s: Session, so: SignOffRowT, v: ExportVersionRow, name: str
    ) -> SignOffRow:
        first_look = s.execute(
            select(func.min(InspectionRow.at)).where(
                (InspectionRow.version_id == so.version_id)
                & (InspectionRow.reviewer_id == so.reviewer_id)
            )
        ).scalar_one_or_none()
        review_seconds = (so.at - first_look).total_seconds() if first_look else None
        account = s.get(ReviewerRow, so.reviewer_id)
        period = timedelta(days=self._policy_row(s).new_account_days)
        new_account = (
            account is not None
            and period > timedelta(0)
            and any(
                since is not None and timedelta(0) <= so.at - since < period
                for since in (aware(account.created_at), aware(account.active_since))
            )
        )
        return SignOffRow(
            id=int(so.id or 0),
            request_id=v.request_id,
            version_id=so.version_id,
            version=v.number,
            archive_sha256=so.archive_sha256,
            reviewer=name,
            role=Role(so.reviewer_role),
            stage=Stage.FIRST if so.stage == 1 else Stage.SECOND,
            decision=Decision(so.decision),
            note=so.note,
            checklist={str(k): bool(x) for k, x in so.checklist.items()},
            acknowledged={str(k): str(x) for k, x in so.acknowledged.items()},
            sampling_statement=so.sampling_statement,
            at=so.at,
            voided=v.voided_at is not None or so.round < v.round,
            review_seconds=review_seconds,
            new_account=new_account,
        )


# ---------------------------------------------------------------------- helpers


def _legacy(s: Session) -> dict[str, Any]:
    """What the store held before its decisions were signed (a store made by an earlier
    version): the highest row id of each decision table, the accounts disabled and the policy
    then. Signed in the marker event, it tells the cross-check which rows predate the era."""
    from sqlalchemy import text

    tables = ("reviewers", "signoffs", "inspections", "releases", "deliveries")
    highest = {
        t: int(s.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {t}")).scalar_one())
        for t in tables
    }
    disabled = sorted(
        str(n) for n in s.execute(text("SELECT name FROM reviewers WHERE disabled")).scalars()
    )
    policy = s.execute(
        text(
            "SELECT sample_confidence, sample_min_foreign_fraction, unlock_lapse_days, "
            "new_account_days FROM policy WHERE id = 1"
        )
    ).one()
    return {
        "legacy_rows": highest,
        "legacy_disabled": disabled,
        "policy": {
            "sample_confidence": policy[0],
            "sample_min_foreign_fraction": policy[1],
            "unlock_lapse_days": policy[2],
            "new_account_days": policy[3],
        },
    }


def privilege_warning(s: Session | OrmSession) -> str | None:
    """See `ServiceBase.privilege_warning`; takes any session on the store."""
    if s.get_bind().dialect.name != "postgresql":
        return None
    from sqlalchemy import text

    user, superuser = s.execute(
        text("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    ).one()
    owner = s.execute(
        text(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event' "
            "AND schemaname = current_schema()"
        )
    ).scalar_one_or_none()
    if superuser:
        what = "a superuser"
    elif owner == user:
        what = "the owner of the store's tables"
    else:
        return None
    return (
        f"connected to PostgreSQL as {user}, {what}: this role can switch the store's triggers "
        "off; let terminals connect as a role that is neither (README, Team mode)"
    )


def is_postgres(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"


def aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def version_state(
    v: ExportVersionRow,
    facts: list[tuple[int, Signer]],
    released: bool,
    now: datetime,
    lapse_days: int,
) -> tuple[State, tuple[Signer, ...], int, datetime | None]:
    """(state, the current round's signers, the round a new sign-off goes into, unlock expiry):
    `reviewer.domain.signoff.version_status` over the version's stored rows."""
    status = version_status(
        [(rn, SignOffFact(f.name, f.role, f.stage, f.decision, f.at)) for rn, f in facts],
        round_=v.round,
        released=released,
        superseded=v.voided_at is not None,
        now=now,
        lapse_days=lapse_days,
    )
    current = tuple(f for rn, f in facts if rn == status.next_round)
    return status.state, current, status.next_round, status.unlock_expires_at
