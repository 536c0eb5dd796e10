"""The review service: the one facade the terminal app and the CLI use.

Every method opens its own short transaction, enforces the sign-off rules of
`reviewer.domain.signoff` (the database enforces them again with constraints), appends an audit
event for every action, and returns plain dataclasses (`reviewer.store.views`).

    svc = ReviewService.open(None)              # default store; migrated to the latest schema
    who = svc.sign_in("alice", passphrase)      # SignInError with a one-line reason
    rows = svc.queue()                          # list[QueueRow]
    d = svc.request_detail("DSAR-2018-0412")    # RequestDetail, no archive re-read
    svc.record_inspection("alice", d.version_id, "played", member, 2.4)
    g = svc.gate("alice", d.version_id)         # Gate: allowed, reasons, warnings, statement
    svc.sign_off("alice", passphrase, d.version_id, "approve", note, checklist, acks)
    svc.release("bob", "DSAR-2018-0412", outbox)

Methods are safe to call from worker threads: each call uses its own connection.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import re
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, func, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.report import Report
from reviewer.domain.request import request_from_dict
from reviewer.domain.review import Review
from reviewer.domain.sampling import Sample, candidates_from_index, draw_sample
from reviewer.domain.signoff import (
    CHECKLIST,
    CHECKLIST_KEYS,
    LOCKOUT,
    MAX_FAILED_SIGN_INS,
    Decision,
    Evidence,
    InspectionKind,
    Role,
    SampleRequirement,
    SignOffFact,
    SignOffRefused,
    Stage,
    State,
    check_sign_off,
    evaluate_gate,
    passphrase_problem,
    state_of,
    warnings_to_ack,
)
from reviewer.store import trail
from reviewer.store.codec import index_from_json, index_to_json
from reviewer.store.engine import READONLY, make_engine
from reviewer.store.errors import (
    NotFound,
    PermissionDenied,
    ReleaseError,
    SignInError,
    SignOffError,
    StoreError,
    UserError,
)
from reviewer.store.migrate import upgrade
from reviewer.store.paths import key_dir, resolve_url
from reviewer.store.tables import (
    ExportVersionRow,
    InspectionRow,
    PolicyRow,
    ReleaseRow,
    RequestRow,
    ReviewerRow,
    SignOffRowT,
    StoreMetaRow,
)
from reviewer.store.views import (
    AuditStatus,
    Gate,
    IngestResult,
    Inspection,
    Policy,
    QueueRow,
    ReleaseReceipt,
    RequestDetail,
    ReviewerFigures,
    SignedIn,
    Signer,
    SignOffRow,
    UserRow,
)

__all__ = [
    "CHECKLIST",
    "AuditStatus",
    "Decision",
    "Gate",
    "IngestResult",
    "Inspection",
    "InspectionKind",
    "NotFound",
    "PermissionDenied",
    "Policy",
    "QueueRow",
    "ReleaseError",
    "ReleaseReceipt",
    "RequestDetail",
    "ReviewService",
    "ReviewerFigures",
    "Role",
    "SignInError",
    "SignOffError",
    "SignOffRow",
    "SignedIn",
    "Signer",
    "State",
    "StoreError",
    "UserError",
    "UserRow",
]

T = TypeVar("T")
# The stored export index is large (a 100,000-member export holds tens of MB of JSON): only the
# review detail loads it; everything else reads the version row without it.
_NO_INDEX = (defer(ExportVersionRow.index_summary),)  # type: ignore[arg-type]
_ROW_ONLY = (
    *_NO_INDEX,
    defer(ExportVersionRow.report),  # type: ignore[arg-type]
    defer(ExportVersionRow.sample),  # type: ignore[arg-type]
)
NAME_RE = re.compile(r"\A[a-z][a-z0-9._-]{0,63}\Z")
FOLDER_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,199}\Z")
DEMO_KEY = "demo"
RETRIES = 8
OUTBOX_TMP = ".partial"  # half-written releases live here, never under DIR/REQUEST_ID
HASH_CHUNK = 1 << 20


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _is_retryable(exc: BaseException) -> bool:
    """PostgreSQL serialization failure / deadlock, or a SQLite lock that outlived the timeout."""
    orig = getattr(exc, "orig", None)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in ("40001", "40P01"):
        return True
    return "database is locked" in str(orig or exc)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ReviewService:
    """Facade over one store (SQLite file or PostgreSQL database)."""

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
    ) -> ReviewService:
        """Open the store at `url` (None: $REVIEWER_DB, else the user data dir), creating it
        or upgrading its schema to the latest migration. `clock` and `hasher` (other Argon2id
        parameters) are for tests and benchmarks."""
        resolved = resolve_url(url)
        try:
            engine = make_engine(resolved)
            upgrade(engine, clock=clock)
        except (OperationalError, OSError) as exc:
            raise StoreError(
                f"cannot open the store {_safe_url(resolved)}: {_first_line(exc)}"
            ) from None
        return cls(engine, resolved, clock, hasher)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> ReviewService:
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

    def is_demo(self) -> bool:
        """True only for a store built by `python -m reviewer.demo`."""
        with self._read() as s:
            return s.get(StoreMetaRow, DEMO_KEY) is not None

    def demo_credentials(self) -> list[tuple[str, str, str]]:
        """(name, role, passphrase) of the demo reviewers; empty unless `is_demo()`."""
        with self._read() as s:
            row = s.get(StoreMetaRow, DEMO_KEY)
            if row is None:
                return []
            return [(str(n), str(r), str(p)) for n, r, p in row.value.get("credentials", [])]

    def mark_demo(self, credentials: Sequence[tuple[str, str, str]]) -> None:
        """Mark this store as a demo store (used only by `reviewer.demo`)."""
        with self._write() as s:
            row = s.get(StoreMetaRow, DEMO_KEY)
            value = {"credentials": [list(c) for c in credentials]}
            if row is None:
                s.add(StoreMetaRow(key=DEMO_KEY, value=value))
            else:
                row.value = value
                s.add(row)

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
        delay = 0.01
        for attempt in range(RETRIES):
            try:
                return fn()
            except OperationalError as exc:
                if attempt == RETRIES - 1 or not _is_retryable(exc):
                    raise StoreError(f"the store is busy: {_first_line(exc)}") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        raise AssertionError("unreachable")

    def _lock_version(self, s: Session, version_id: int) -> ExportVersionRow:
        stmt = (
            select(ExportVersionRow)
            .where(col(ExportVersionRow.id) == version_id)
            .options(*_NO_INDEX)
        )
        if s.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = s.execute(stmt).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no export version {version_id}")
        return row

    def _reviewer(self, s: Session, name: str, *, lock: bool = False) -> ReviewerRow | None:
        stmt = select(ReviewerRow).where(ReviewerRow.name == name)  # type: ignore[arg-type]
        if lock and s.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        return s.execute(stmt).scalar_one_or_none()

    def _policy_row(self, s: Session) -> PolicyRow:
        row = s.get(PolicyRow, 1)
        assert row is not None, "the policy row is created by migration 0002"
        return row

    # ------------------------------------------------------------------ people

    def sign_in(self, name: str, passphrase: str) -> SignedIn:
        """Check a passphrase. Failures and lockouts (5 failures: 15 minutes) are audited."""
        row = self._authenticate(name, passphrase, purpose="sign-in")
        return SignedIn(name=row.name, role=Role(row.role), at=self._now())

    def _authenticate(self, name: str, passphrase: str, *, purpose: str) -> ReviewerRow:
        """Verify `name`'s passphrase; every refusal is committed to the trail, then raised."""
        now = self._now()
        with self._read() as s:
            row = self._reviewer(s, name)
        refusal: str | None = None
        action = "sign-in-failed"
        if row is None:
            refusal = "unknown reviewer or wrong passphrase"
            detail = "unknown reviewer"
        elif row.disabled:
            refusal = f"reviewer {name} is disabled"
            detail = "disabled"
            action = "sign-in-refused"
        elif row.locked_until is not None and row.locked_until > now:
            refusal = (
                f"reviewer {name} is locked out until {row.locked_until:%H:%M} UTC "
                f"after {MAX_FAILED_SIGN_INS} failed sign-ins"
            )
            detail = "locked out"
            action = "sign-in-refused"
        if refusal is not None:
            self._retry(
                lambda: self._audit_only(name, action, {"purpose": purpose, "reason": detail})
            )
            raise SignInError(refusal)
        assert row is not None
        try:
            self._hasher.verify(row.passphrase_hash, passphrase)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            locked = self._retry(lambda: self._record_failure(name, purpose))
            if locked is not None:
                raise SignInError(
                    f"wrong passphrase; reviewer {name} is locked out until {locked:%H:%M} UTC "
                    f"after {MAX_FAILED_SIGN_INS} failed sign-ins"
                ) from None
            raise SignInError("unknown reviewer or wrong passphrase") from None
        new_hash = (
            self._hasher.hash(passphrase)
            if self._hasher.check_needs_rehash(row.passphrase_hash)
            else None
        )

        if (
            not new_hash
            and not row.failed_count
            and row.locked_until is None
            and purpose != "sign-in"
        ):
            return row  # nothing to reset or record (the sign-off itself is the event)

        def ok() -> ReviewerRow:
            with self._write() as s:
                r = self._reviewer(s, name, lock=True)
                assert r is not None
                r.failed_count = 0
                r.locked_until = None
                if new_hash is not None:
                    r.passphrase_hash = new_hash
                s.add(r)
                if purpose == "sign-in":
                    trail.append(s, name, "sign-in", f"reviewer:{name}", {"role": r.role}, at=now)
                return r

        return self._retry(ok)

    def _audit_only(self, actor: str, action: str, payload: dict[str, Any]) -> None:
        with self._write() as s:
            trail.append(s, actor, action, f"reviewer:{actor}", payload, at=self._now())

    def _record_failure(self, name: str, purpose: str) -> datetime | None:
        now = self._now()
        with self._write() as s:
            r = self._reviewer(s, name, lock=True)
            assert r is not None
            r.failed_count += 1
            locked: datetime | None = None
            trail.append(
                s,
                name,
                "sign-in-failed",
                f"reviewer:{name}",
                {"purpose": purpose, "reason": "wrong passphrase", "failures": r.failed_count},
                at=now,
            )
            if r.failed_count >= MAX_FAILED_SIGN_INS:
                locked = now + LOCKOUT
                r.locked_until = locked
                r.failed_count = 0
                trail.append(
                    s,
                    name,
                    "lockout",
                    f"reviewer:{name}",
                    {"until": locked.isoformat(), "failures": MAX_FAILED_SIGN_INS},
                    at=now,
                )
            s.add(r)
            return locked

    def add_user(self, name: str, role: Role | str, passphrase: str, *, actor: str) -> UserRow:
        if not NAME_RE.match(name):
            raise UserError(
                "a reviewer name is 1 to 64 lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter"
            )
        try:
            role = Role(role)
        except ValueError:
            raise UserError(f"unknown role {role!r} (reviewer, approver or supervisor)") from None
        problem = passphrase_problem(passphrase)
        if problem:
            raise UserError(problem)
        hashed = self._hasher.hash(passphrase)
        now = self._now()

        def go() -> UserRow:
            with self._write() as s:
                if self._reviewer(s, name) is not None:
                    raise UserError(f"reviewer {name} already exists")
                row = ReviewerRow(
                    name=name, role=role.value, passphrase_hash=hashed, created_at=now
                )
                s.add(row)
                s.flush()
                trail.append(s, actor, "user-add", f"reviewer:{name}", {"role": role.value}, at=now)
                return _user(row)

        try:
            return self._retry(go)
        except IntegrityError:
            raise UserError(f"reviewer {name} already exists") from None

    def list_users(self) -> list[UserRow]:
        with self._read() as s:
            rows = s.execute(select(ReviewerRow).order_by(ReviewerRow.name)).scalars().all()  # type: ignore[arg-type]
            return [_user(r) for r in rows]

    def disable_user(self, name: str, *, actor: str) -> UserRow:
        def go() -> UserRow:
            with self._write() as s:
                r = self._reviewer(s, name, lock=True)
                if r is None:
                    raise NotFound(f"no reviewer named {name}")
                if not r.disabled:
                    r.disabled = True
                    s.add(r)
                    trail.append(s, actor, "user-disable", f"reviewer:{name}", {}, at=self._now())
                return _user(r)

        return self._retry(go)

    def _require_role(self, s: Session, name: str, roles: Sequence[Role], what: str) -> ReviewerRow:
        r = self._reviewer(s, name)
        if r is None or r.disabled:
            raise PermissionDenied(f"{what} needs an active reviewer; {name} is not one")
        if Role(r.role) not in roles:
            wanted = " or ".join(x.value for x in roles)
            raise PermissionDenied(f"{what} needs the {wanted} role; {name} is {r.role}")
        return r

    # ------------------------------------------------------------------ ingest and queue

    def ingest(self, review: Review, archive_path: Path, *, actor: str) -> IngestResult:
        """Store a checked request. Unchanged archive: nothing new. Changed archive for a known
        request: a new version, and every earlier version's sign-offs are void."""
        request, index, report = review.request, review.index, review.report
        now = self._now()
        archive = str(Path(archive_path).resolve())
        critical = sum(1 for f in report.findings if f.severity is Severity.CRITICAL)
        warnings = sum(1 for f in report.findings if f.severity is Severity.WARNING)

        def go() -> IngestResult:
            with self._write() as s:
                policy = self._policy_row(s)
                req = s.get(RequestRow, request.request_id, with_for_update=_pg(s))
                if req is None:
                    req = RequestRow(
                        request_id=request.request_id,
                        customer_id=request.requester.customer_id,
                        requester_name=request.requester.name,
                        received_at=_aware(request.received_at),
                        due_at=_aware(request.due_at),
                        ticket=request.raw or {},
                        created_at=now,
                    )
                    s.add(req)
                    s.flush()
                else:
                    req.customer_id = request.requester.customer_id
                    req.requester_name = request.requester.name
                    req.received_at = _aware(request.received_at)
                    req.due_at = _aware(request.due_at)
                    req.ticket = request.raw or {}
                    s.add(req)
                versions = s.execute(
                    select(
                        ExportVersionRow.id,
                        ExportVersionRow.number,
                        ExportVersionRow.archive_sha256,
                        ExportVersionRow.voided_at,
                    )
                    .where(ExportVersionRow.request_id == request.request_id)
                    .order_by(col(ExportVersionRow.number))
                ).all()
                current = versions[-1] if versions else None
                if current is not None and current.archive_sha256 == report.archive_sha256:
                    stored = s.get(ExportVersionRow, current.id, options=_NO_INDEX)
                    assert stored is not None
                    return IngestResult(
                        request.request_id,
                        "unchanged",
                        int(stored.id or 0),
                        stored.archive_sha256,
                        Verdict(stored.verdict),
                        Report.from_dict(stored.report).findings,
                        stored.number,
                    )
                sample = draw_sample(
                    candidates_from_index(index, report.findings),
                    report.archive_sha256,
                    confidence=policy.sample_confidence,
                    min_foreign_fraction=policy.sample_min_foreign_fraction,
                )
                voided = [v.number for v in versions if v.voided_at is None]
                if voided:
                    s.execute(
                        update(ExportVersionRow)
                        .where(col(ExportVersionRow.request_id) == request.request_id)
                        .where(col(ExportVersionRow.voided_at).is_(None))
                        .values(voided_at=now)
                    )
                row = ExportVersionRow(
                    request_id=request.request_id,
                    number=(current.number + 1) if current else 1,
                    archive_sha256=report.archive_sha256,
                    archive_path=archive,
                    archive_bytes=index.archive_bytes,
                    verdict=report.verdict.value,
                    critical=critical,
                    warnings=warnings,
                    blocked=critical > 0,
                    report=report.to_dict(),
                    index_summary=index_to_json(index),
                    sample=sample.to_dict(),
                    sampling_statement=sample.plan(),
                    round=1,
                    ingested_at=now,
                    ingested_by=actor,
                )
                s.add(row)
                s.flush()
                outcome = "new-version" if current else "new"
                trail.append(
                    s,
                    actor,
                    "ingest",
                    f"request:{request.request_id}",
                    {
                        "version": row.number,
                        "version_id": row.id,
                        "archive_sha256": report.archive_sha256,
                        "verdict": report.verdict.value,
                        "critical": critical,
                        "warnings": warnings,
                        "sample": sample.size,
                        "voided_versions": voided,
                    },
                    at=now,
                )
                return IngestResult(
                    request.request_id,
                    outcome,
                    int(row.id or 0),
                    report.archive_sha256,
                    report.verdict,
                    report.findings,
                    row.number,
                )

        for attempt in range(RETRIES):
            try:
                return self._retry(go)
            except IntegrityError:  # another terminal ingested the same request at once
                if attempt == RETRIES - 1:
                    raise StoreError(
                        f"could not store {request.request_id}: concurrent ingest"
                    ) from None
        raise AssertionError("unreachable")

    def queue(self) -> list[QueueRow]:
        now = self._now()
        with self._read() as s:
            lapse = self._policy_row(s).unlock_lapse_days
            latest = (
                select(ExportVersionRow.request_id, func.max(ExportVersionRow.number).label("n"))
                .group_by(ExportVersionRow.request_id)  # type: ignore[arg-type]
                .subquery()
            )
            rows = s.execute(
                select(RequestRow, ExportVersionRow)
                .options(*_ROW_ONLY)
                .join(ExportVersionRow, ExportVersionRow.request_id == RequestRow.request_id)  # type: ignore[arg-type]
                .join(
                    latest,
                    (latest.c.request_id == ExportVersionRow.request_id)
                    & (latest.c.n == ExportVersionRow.number),
                )
                .order_by(RequestRow.due_at, RequestRow.request_id)  # type: ignore[arg-type]
            ).all()
            ids = [v.id for _, v in rows]
            facts = self._facts(s, ids)
            released = self._released(s, ids)
            out = []
            for req, v in rows:
                state, signers, _round, expires = _version_state(
                    v, facts.get(v.id or 0, []), v.id in released, now, lapse
                )
                out.append(
                    QueueRow(
                        request_id=req.request_id,
                        requester_name=req.requester_name,
                        customer_id=req.customer_id,
                        state=state,
                        verdict=Verdict(v.verdict),
                        due_at=req.due_at,
                        days_left=_days_left(req.due_at, now),
                        signers=signers,
                        version_id=int(v.id or 0),
                        archive_sha256=v.archive_sha256,
                        critical=v.critical,
                        warnings=v.warnings,
                        received_at=req.received_at,
                        ingested_at=v.ingested_at,
                        unlock_expires_at=expires,
                    )
                )
            return out

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

    def request_detail(self, request_id: str) -> RequestDetail:
        """The current version of `request_id` (NotFound if unknown)."""
        with self._read() as s:
            v = s.execute(
                select(ExportVersionRow)
                .where(ExportVersionRow.request_id == request_id)  # type: ignore[arg-type]
                .order_by(ExportVersionRow.number.desc())  # type: ignore[attr-defined]
                .limit(1)
            ).scalar_one_or_none()
            if v is None:
                raise NotFound(f"no request {request_id} in the store")
            return self._detail(s, v)

    def version_detail(self, version_id: int) -> RequestDetail:
        with self._read() as s:
            v = s.get(ExportVersionRow, version_id)
            if v is None:
                raise NotFound(f"no export version {version_id}")
            return self._detail(s, v)

    def _detail(self, s: Session, v: ExportVersionRow) -> RequestDetail:
        now = self._now()
        lapse = self._policy_row(s).unlock_lapse_days
        req = s.get(RequestRow, v.request_id)
        assert req is not None
        vid = int(v.id or 0)
        state, signers, _round, expires = _version_state(
            v, self._facts(s, [vid]).get(vid, []), vid in self._released(s, [vid]), now, lapse
        )
        evidence: dict[str, list[Inspection]] = defaultdict(list)
        for ins, name in s.execute(
            select(InspectionRow, ReviewerRow.name)
            .join(ReviewerRow, ReviewerRow.id == InspectionRow.reviewer_id)  # type: ignore[arg-type]
            .where(InspectionRow.version_id == vid)  # type: ignore[arg-type]
            .order_by(InspectionRow.id)  # type: ignore[arg-type]
        ).all():
            evidence[name].append(
                Inspection(name, InspectionKind(ins.kind), ins.target, ins.seconds, ins.at)
            )
        older = tuple(
            s.execute(
                select(ExportVersionRow.id)
                .where(ExportVersionRow.request_id == v.request_id)  # type: ignore[arg-type]
                .where(ExportVersionRow.number < v.number)  # type: ignore[arg-type]
                .order_by(ExportVersionRow.number)  # type: ignore[arg-type]
            ).scalars()
        )
        sample = Sample.from_dict(v.sample)
        return RequestDetail(
            request=request_from_dict(req.ticket),
            version_id=vid,
            version_number=v.number,
            archive_sha256=v.archive_sha256,
            archive_path=Path(v.archive_path),
            report=Report.from_dict(v.report),
            index=index_from_json(v.index_summary),
            sample=sample,
            sampling_statement=v.sampling_statement,
            state=state,
            signers=signers,
            evidence={k: tuple(x) for k, x in evidence.items()},
            ingested_at=v.ingested_at,
            unlock_expires_at=expires,
            older_versions=tuple(int(i) for i in older if i is not None),
        )

    # ------------------------------------------------------------------ review and sign-off

    def record_inspection(
        self,
        reviewer: str,
        version_id: int,
        kind: InspectionKind | str,
        target: str,
        seconds: float = 0.0,
    ) -> None:
        """Evidence: `opened` (target: request id), `played` (audio member, seconds actually
        played), `viewed_transcript` (the recording's audio member), `viewed_member`."""
        try:
            kind = InspectionKind(kind)
        except ValueError:
            raise StoreError(f"unknown inspection kind {kind!r}") from None
        seconds = max(0.0, float(seconds))
        now = self._now()

        def go() -> None:
            with self._write() as s:
                r = self._reviewer(s, reviewer)
                if r is None:
                    raise NotFound(f"no reviewer named {reviewer}")
                v = s.get(ExportVersionRow, version_id, options=_ROW_ONLY)
                if v is None:
                    raise NotFound(f"no export version {version_id}")
                s.add(
                    InspectionRow(
                        version_id=version_id,
                        reviewer_id=int(r.id or 0),
                        kind=kind.value,
                        target=target,
                        seconds=seconds,
                        at=now,
                    )
                )
                trail.append(
                    s,
                    reviewer,
                    "inspection",
                    f"request:{v.request_id}",
                    {
                        "version_id": version_id,
                        "kind": kind.value,
                        "target": target,
                        "seconds": round(seconds, 3),
                    },
                    at=now,
                )

        self._retry(go)

    def gate(self, reviewer: str, version_id: int) -> Gate:
        with self._read() as s:
            v = s.get(ExportVersionRow, version_id, options=_NO_INDEX)
            if v is None:
                raise NotFound(f"no export version {version_id}")
            r = self._reviewer(s, reviewer)
            if r is None:
                raise NotFound(f"no reviewer named {reviewer}")
            return self._gate(s, v, r)[0]

    def _gate(
        self, s: Session, v: ExportVersionRow, r: ReviewerRow
    ) -> tuple[Gate, int, list[tuple[int, Signer]]]:
        """The gate, the round a sign-off would go into, and the current round's sign-offs."""
        now = self._now()
        lapse = self._policy_row(s).unlock_lapse_days
        vid = int(v.id or 0)
        facts = self._facts(s, [vid]).get(vid, [])
        state, _signers, round_, _exp = _version_state(
            v, facts, vid in self._released(s, [vid]), now, lapse
        )
        current = [(rn, f) for rn, f in facts if rn == round_]
        findings = list(Report.from_dict(v.report).findings)
        sample = Sample.from_dict(v.sample)
        played: dict[str, float] = defaultdict(float)
        viewed: set[str] = set()
        for ins in s.execute(
            select(InspectionRow).where(
                (InspectionRow.version_id == vid) & (InspectionRow.reviewer_id == r.id)  # type: ignore[arg-type]
            )
        ).scalars():
            if ins.kind == InspectionKind.PLAYED.value:
                played[ins.target] += ins.seconds
            elif ins.kind == InspectionKind.VIEWED_TRANSCRIPT.value:
                viewed.add(ins.target)
        evidence = {
            item.member: Evidence(played.get(item.member, 0.0), item.member in viewed)
            for item in sample.items
        }
        decision = evaluate_gate(
            reviewer=r.name,
            role=Role(r.role),
            state=state,
            signoffs=[SignOffFact(f.name, f.role, f.stage, f.decision, f.at) for _rn, f in current],
            findings=findings,
            sample=[
                SampleRequirement(i.member, i.duration_s, i.has_transcript) for i in sample.items
            ],
            evidence=evidence,
        )
        reasons = list(decision.reasons)
        reject_reasons = list(decision.reject_reasons)
        if r.disabled:
            reasons.insert(0, f"reviewer {r.name} is disabled")
            reject_reasons.insert(0, f"reviewer {r.name} is disabled")
        gate = Gate(
            allowed=decision.allowed and not r.disabled,
            stage=decision.stage,
            reasons=tuple(reasons),
            warnings=warnings_to_ack(findings),
            sampling_statement=sample.statement(sample.size - len(decision.missing)),
            can_reject=decision.can_reject and not r.disabled,
            reject_reasons=tuple(reject_reasons),
            missing=decision.missing,
            checklist=CHECKLIST,
        )
        return gate, round_, current

    def sign_off(
        self,
        name: str,
        passphrase: str,
        version_id: int,
        decision: Decision | str,
        note: str = "",
        checklist: dict[str, bool] | None = None,
        acknowledgements: dict[str, str] | None = None,
    ) -> SignOffRow:
        """Approve or reject. The passphrase is checked again (SignInError); a refused gate
        raises SignOffError with every reason."""
        try:
            decision = Decision(decision)
        except ValueError:
            raise SignOffError([f"unknown decision {decision!r} (approve or reject)"]) from None
        answers = {k: bool((checklist or {}).get(k, False)) for k in CHECKLIST_KEYS}
        acks = {str(k): str(v) for k, v in (acknowledgements or {}).items()}
        self._authenticate(name, passphrase, purpose="sign-off")

        def go() -> SignOffRow:
            now = self._now()
            with self._write() as s:
                v = self._lock_version(s, version_id)
                r = self._reviewer(s, name)
                assert r is not None
                gate, round_, current = self._gate(s, v, r)
                try:
                    check_sign_off(
                        _decision_of(gate),
                        decision=decision,
                        note=note,
                        checklist=answers,
                        acknowledgements=acks,
                        warnings=gate.warnings,
                    )
                except SignOffRefused as exc:
                    raise SignOffError(exc.reasons) from None
                assert gate.stage is not None
                if round_ != v.round:
                    trail.append(
                        s,
                        "system",
                        "unlock-lapsed",
                        f"request:{v.request_id}",
                        {"version_id": v.id, "round": v.round},
                        at=now,
                    )
                    v.round = round_
                    s.add(v)
                first = next((f for _rn, f in current if f.stage is Stage.FIRST), None)
                first_id = None
                if gate.stage is Stage.SECOND:
                    first_id = s.execute(
                        select(SignOffRowT.id).where(
                            (SignOffRowT.version_id == v.id)  # type: ignore[arg-type]
                            & (SignOffRowT.round == round_)
                            & (SignOffRowT.stage == 1)
                        )
                    ).scalar_one()
                sample = Sample.from_dict(v.sample)
                statement = sample.statement(
                    sample.size - len(gate.missing), none_foreign=decision is Decision.APPROVE
                )
                kept_acks = {
                    w.key: acks[w.key].strip() for w in gate.warnings if acks.get(w.key, "").strip()
                }
                row = SignOffRowT(
                    version_id=int(v.id or 0),
                    round=round_,
                    stage=gate.stage.number,
                    reviewer_id=int(r.id or 0),
                    reviewer_role=r.role,
                    decision=decision.value,
                    archive_sha256=v.archive_sha256,
                    version_blocked=v.blocked,
                    first_signoff_id=first_id,
                    first_stage=1 if first_id is not None else None,
                    first_decision=first.decision.value if first_id is not None and first else None,
                    note=note.strip(),
                    checklist=answers,
                    acknowledged=kept_acks,
                    sampling_statement=statement,
                    at=now,
                )
                s.add(row)
                s.flush()
                trail.append(
                    s,
                    name,
                    "sign-off" if decision is Decision.APPROVE else "rejection",
                    f"request:{v.request_id}",
                    {
                        "version_id": v.id,
                        "archive_sha256": v.archive_sha256,
                        "stage": gate.stage.value,
                        "decision": decision.value,
                        "note": row.note,
                        "checklist": answers,
                        "acknowledged": kept_acks,
                        "sampling_statement": statement,
                    },
                    at=now,
                )
                return self._signoff_row(s, row, v, r.name)

        for attempt in range(RETRIES):
            try:
                return self._retry(go)
            except IntegrityError as exc:
                # Another sign-off took this stage at the same moment: re-evaluate, which
                # refuses with the reason now that it is committed.
                if attempt == RETRIES - 1:
                    raise SignOffError(
                        [f"the store refused this sign-off: {_first_line(exc)}"]
                    ) from None
        raise AssertionError("unreachable")

    def reject(self, name: str, passphrase: str, version_id: int, note: str) -> SignOffRow:
        return self.sign_off(name, passphrase, version_id, Decision.REJECT, note)

    def _signoff_row(
        self, s: Session, so: SignOffRowT, v: ExportVersionRow, name: str
    ) -> SignOffRow:
        first_look = s.execute(
            select(func.min(InspectionRow.at)).where(
                (InspectionRow.version_id == so.version_id)  # type: ignore[arg-type]
                & (InspectionRow.reviewer_id == so.reviewer_id)  # type: ignore[arg-type]
            )
        ).scalar_one_or_none()
        review_seconds = (so.at - first_look).total_seconds() if first_look else None
        return SignOffRow(
            id=int(so.id or 0),
            request_id=v.request_id,
            version_id=so.version_id,
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
        )

    # ------------------------------------------------------------------ release

    def release(self, reviewer_name: str, request_id: str, outbox: Path) -> ReleaseReceipt:
        """Re-hash the archive, check both sign-offs, and write OUTBOX/REQUEST_ID/export.zip and
        release.json atomically. ReleaseError (nothing written) when the gate does not hold.

        `reviewer_name` is the approver releasing, or ``cli:<os user>`` for the command line
        (recorded, not trusted as identity: the two sign-offs are the control).
        """
        if not FOLDER_RE.match(request_id):
            raise ReleaseError(f"request id {request_id!r} cannot be used as a folder name")
        outbox = Path(outbox)
        final = outbox / request_id
        detail = self.request_detail(request_id)
        with self._read() as s:
            existing = s.execute(
                select(ReleaseRow).where(ReleaseRow.version_id == detail.version_id)  # type: ignore[arg-type]
            ).scalar_one_or_none()
            if not reviewer_name.startswith("cli:"):
                self._require_role(s, reviewer_name, [Role.APPROVER], "releasing an export")
        if existing is not None:
            if final.exists():
                raise ReleaseError(
                    f"{request_id} was already released at {existing.released_at:%Y-%m-%d %H:%M} UTC"
                    f" by {existing.released_by}"
                )
            # The release was recorded but its files never reached the outbox (a crash between
            # the two): finish delivering the recorded receipt.
            return self._deliver(detail, existing.receipt, outbox, final, reviewer_name)
        if detail.state is not State.APPROVED:
            self._refuse(reviewer_name, detail, _not_releasable(detail))
        if final.exists():
            self._refuse(reviewer_name, detail, f"{final} already exists; nothing was written")
        tmp = self._stage_archive(detail, outbox, reviewer_name)
        try:
            try:
                receipt = self._retry(lambda: self._record_release(reviewer_name, detail, final))
            except DBAPIError as exc:  # a database rule refused it (the service's own agreed)
                raise ReleaseError(f"the store refused the release: {_first_line(exc)}") from None
            self._publish(tmp, receipt, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return _receipt(receipt, final)

    def _refuse(self, actor: str, detail: RequestDetail, reason: str) -> None:
        self._retry(
            lambda: self._audit_subject(
                actor,
                "release-refused",
                f"request:{detail.request.request_id}",
                {"version_id": detail.version_id, "reason": reason},
            )
        )
        raise ReleaseError(reason)

    def _audit_subject(
        self, actor: str, action: str, subject: str, payload: dict[str, Any]
    ) -> None:
        with self._write() as s:
            trail.append(s, actor, action, subject, payload, at=self._now())

    def _stage_archive(self, detail: RequestDetail, outbox: Path, actor: str) -> Path:
        """Copy the archive into a private folder of the outbox, hashing the copy."""
        try:
            outbox.mkdir(parents=True, exist_ok=True)
            parking = outbox / OUTBOX_TMP
            parking.mkdir(exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f"{detail.request.request_id}.", dir=parking))
        except OSError as exc:
            raise ReleaseError(
                f"cannot write to the outbox {outbox}: {exc.strerror or exc}"
            ) from None
        h = hashlib.sha256()
        try:
            with detail.archive_path.open("rb") as src, (tmp / "export.zip").open("wb") as dst:
                while chunk := src.read(HASH_CHUNK):
                    h.update(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            self._refuse(
                actor,
                detail,
                f"cannot read the archive {detail.archive_path}: {exc.strerror or exc}",
            )
        if h.hexdigest() != detail.archive_sha256:
            shutil.rmtree(tmp, ignore_errors=True)
            self._refuse(
                actor,
                detail,
                f"the archive {detail.archive_path} changed since it was signed "
                f"(sha256 now {h.hexdigest()[:12]}…, signed {detail.archive_sha256[:12]}…)",
            )
        return tmp

    def _record_release(self, actor: str, detail: RequestDetail, final: Path) -> dict[str, Any]:
        now = self._now()
        with self._write() as s:
            v = self._lock_version(s, detail.version_id)
            lapse = self._policy_row(s).unlock_lapse_days
            vid = int(v.id or 0)
            facts = self._facts(s, [vid]).get(vid, [])
            state, signers, round_, _exp = _version_state(
                v, facts, vid in self._released(s, [vid]), now, lapse
            )
            if state is not State.APPROVED:
                raise ReleaseError(_not_releasable_state(state))
            second_id = s.execute(
                select(SignOffRowT.id).where(
                    (SignOffRowT.version_id == vid)  # type: ignore[arg-type]
                    & (SignOffRowT.round == round_)
                    & (SignOffRowT.stage == 2)
                )
            ).scalar_one()
            checklists: dict[str, dict[str, bool]] = {}
            statements: dict[str, str] = {}
            for name, cl, statement in s.execute(
                select(ReviewerRow.name, SignOffRowT.checklist, SignOffRowT.sampling_statement)
                .join(ReviewerRow, ReviewerRow.id == SignOffRowT.reviewer_id)  # type: ignore[arg-type]
                .where((SignOffRowT.version_id == vid) & (SignOffRowT.round == round_))  # type: ignore[arg-type]
            ).all():
                checklists[name] = {str(k): bool(x) for k, x in cl.items()}
                statements[name] = statement
            trail.append(
                s,
                actor,
                "release",
                f"request:{v.request_id}",
                {"version_id": vid, "archive_sha256": v.archive_sha256, "outbox": str(final)},
                at=now,
            )
            size, head = trail.head(s)
            req = detail.request
            receipt: dict[str, Any] = {
                "request_id": v.request_id,
                "version_id": vid,
                "archive_sha256": v.archive_sha256,
                "request": {
                    "customer_id": req.requester.customer_id,
                    "name": req.requester.name,
                    "email": req.requester.email,
                    "received_at": _iso(req.received_at),
                    "due_at": _iso(req.due_at),
                    "verification_method": req.verification_method,
                    "verified_at": _iso(req.verified_at),
                },
                "released_by": actor,
                "released_at": now.isoformat(),
                "approvers": [
                    {
                        "name": f.name,
                        "role": f.role.value,
                        "stage": f.stage.value,
                        "decision": f.decision.value,
                        "at": f.at.isoformat(),
                        "sampling_statement": statements.get(f.name, ""),
                    }
                    for f in signers
                ],
                "checklist": checklists,
                "sampling_statement": statements.get(signers[-1].name, "") if signers else "",
                "audit_head": {"size": size, "hash": head},
                "audit_checkpoint": None,
            }
            receipt["audit_checkpoint"] = trail.checkpoint(s, self.key_dir, at=now)
            s.add(
                ReleaseRow(
                    version_id=vid,
                    archive_sha256=v.archive_sha256,
                    signoff_id=second_id,
                    signoff_stage=2,
                    signoff_decision="approve",
                    released_by=actor,
                    released_at=now,
                    outbox_path=str(final),
                    receipt=receipt,
                )
            )
        return receipt

    def _publish(self, tmp: Path, receipt: dict[str, Any], final: Path) -> None:
        data = json.dumps(receipt, indent=2, sort_keys=True).encode("utf-8") + b"\n"
        with (tmp / "release.json").open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _fsync_dir(tmp)
        os.rename(tmp, final)  # atomic: DIR/REQUEST_ID appears whole or not at all
        _fsync_dir(final.parent)

    def _deliver(
        self, detail: RequestDetail, receipt: dict[str, Any], outbox: Path, final: Path, actor: str
    ) -> ReleaseReceipt:
        tmp = self._stage_archive(detail, outbox, actor)
        try:
            self._publish(tmp, receipt, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return _receipt(receipt, final)

    # ------------------------------------------------------------------ supervision

    def history(
        self,
        reviewer: str | None = None,
        decision: Decision | str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[SignOffRow]:
        with self._read() as s:
            stmt = (
                select(SignOffRowT, ExportVersionRow, ReviewerRow.name)
                .join(ExportVersionRow, ExportVersionRow.id == SignOffRowT.version_id)  # type: ignore[arg-type]
                .join(ReviewerRow, ReviewerRow.id == SignOffRowT.reviewer_id)  # type: ignore[arg-type]
                .order_by(col(SignOffRowT.at).desc(), col(SignOffRowT.id).desc())  # type: ignore[attr-defined]
            )
            if reviewer:
                stmt = stmt.where(ReviewerRow.name == reviewer)  # type: ignore[arg-type]
            if decision:
                stmt = stmt.where(SignOffRowT.decision == Decision(decision).value)  # type: ignore[arg-type]
            if since:
                stmt = stmt.where(SignOffRowT.at >= since)  # type: ignore[arg-type,operator]
            if until:
                stmt = stmt.where(SignOffRowT.at < until)  # type: ignore[arg-type,operator]
            return [self._signoff_row(s, so, v, name) for so, v, name in s.execute(stmt).all()]

    def reviewer_figures(self) -> list[ReviewerFigures]:
        rows = self.history()
        with self._read() as s:
            people = {r.name: Role(r.role) for r in s.execute(select(ReviewerRow)).scalars()}
            played: dict[tuple[str, int], set[str]] = defaultdict(set)
            for ins, name in s.execute(
                select(InspectionRow, ReviewerRow.name)
                .join(ReviewerRow, ReviewerRow.id == InspectionRow.reviewer_id)  # type: ignore[arg-type]
                .where(InspectionRow.kind == InspectionKind.PLAYED.value)  # type: ignore[arg-type]
            ).all():
                played[(name, ins.version_id)].add(ins.target)
        by_person: dict[str, list[SignOffRow]] = defaultdict(list)
        for r in rows:
            by_person[r.reviewer].append(r)
        pairs: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        by_version: dict[int, list[SignOffRow]] = defaultdict(list)
        for r in rows:
            if r.decision is Decision.APPROVE:
                by_version[r.version_id].append(r)
        for signs in by_version.values():
            firsts = [x for x in signs if x.stage is Stage.FIRST]
            seconds = [x for x in signs if x.stage is Stage.SECOND]
            for a in firsts:
                for b in seconds:
                    if a.reviewer != b.reviewer and b.at >= a.at:
                        pairs[a.reviewer][b.reviewer] += 1
                        pairs[b.reviewer][a.reviewer] += 1
        out = []
        for name in sorted(people):
            mine = by_person.get(name, [])
            times = [r.review_seconds for r in mine if r.review_seconds is not None]
            plays = [len(played.get((name, r.version_id), ())) for r in mine]
            out.append(
                ReviewerFigures(
                    name=name,
                    role=people[name],
                    reviews=len(mine),
                    median_review_seconds=statistics.median(times) if times else None,
                    recordings_played_per_review=(sum(plays) / len(plays)) if plays else 0.0,
                    approvals_nothing_played=sum(
                        1
                        for r in mine
                        if r.decision is Decision.APPROVE and not played.get((name, r.version_id))
                    ),
                    pairs=tuple(sorted(pairs[name].items(), key=lambda kv: (-kv[1], kv[0]))),
                )
            )
        return out

    def audit_status(self) -> AuditStatus:
        return trail.status(self._engine, self.key_dir)

    def history_csv(self, path: Path, **filters: Any) -> int:
        """Write the (filtered) sign-off history as CSV; returns the number of rows."""
        rows = self.history(**filters)
        path = Path(path)
        tmp = path.with_name(f".{path.name}.tmp")
        with tmp.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(
                [
                    "at",
                    "request_id",
                    "version_id",
                    "archive_sha256",
                    "reviewer",
                    "role",
                    "stage",
                    "decision",
                    "note",
                    "checklist",
                    "acknowledged",
                    "sampling_statement",
                    "review_seconds",
                    "voided",
                ]
            )
            for r in rows:
                w.writerow(
                    [
                        r.at.isoformat(),
                        r.request_id,
                        r.version_id,
                        r.archive_sha256,
                        r.reviewer,
                        r.role.value,
                        r.stage.value,
                        r.decision.value,
                        r.note,
                        json.dumps(r.checklist, sort_keys=True),
                        json.dumps(r.acknowledged, sort_keys=True),
                        r.sampling_statement,
                        "" if r.review_seconds is None else f"{r.review_seconds:.1f}",
                        "yes" if r.voided else "no",
                    ]
                )
        os.replace(tmp, path)
        return len(rows)

    def policy(self) -> Policy:
        with self._read() as s:
            return _policy(self._policy_row(s))

    def set_policy(
        self,
        supervisor: str,
        *,
        sample_confidence: float | None = None,
        sample_min_foreign_fraction: float | None = None,
        unlock_lapse_days: int | None = None,
    ) -> Policy:
        """Supervisors only (PermissionDenied); every change is audited. Applies to exports
        ingested afterwards (a stored sample never changes under a reviewer)."""
        if sample_confidence is not None and not 0.5 <= sample_confidence < 1:
            raise UserError("the sampling confidence must be at least 50% and below 100%")
        if sample_min_foreign_fraction is not None and not 0 < sample_min_foreign_fraction <= 1:
            raise UserError("the foreign fraction to catch must be above 0% and at most 100%")
        if unlock_lapse_days is not None and not 1 <= unlock_lapse_days <= 365:
            raise UserError("the unlock lapse must be 1 to 365 days")
        now = self._now()

        def go() -> Policy:
            with self._write() as s:
                self._require_role(s, supervisor, [Role.SUPERVISOR], "changing the policy")
                row = self._policy_row(s)
                before = _policy(row)
                if sample_confidence is not None:
                    row.sample_confidence = float(sample_confidence)
                if sample_min_foreign_fraction is not None:
                    row.sample_min_foreign_fraction = float(sample_min_foreign_fraction)
                if unlock_lapse_days is not None:
                    row.unlock_lapse_days = int(unlock_lapse_days)
                row.updated_by = supervisor
                row.updated_at = now
                s.add(row)
                after = _policy(row)
                trail.append(
                    s,
                    supervisor,
                    "policy-change",
                    "policy",
                    {
                        "before": _policy_dict(before),
                        "after": _policy_dict(after),
                    },
                    at=now,
                )
                return after

        return self._retry(go)


# ---------------------------------------------------------------------- helpers


def _pg(s: Session) -> bool:
    return s.get_bind().dialect.name == "postgresql"


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _days_left(due: datetime | None, now: datetime) -> int | None:
    if due is None:
        return None
    return (due.date() - now.date()).days


def _user(r: ReviewerRow) -> UserRow:
    return UserRow(
        name=r.name,
        role=Role(r.role),
        disabled=r.disabled,
        locked_until=r.locked_until,
        created_at=r.created_at,
    )


def _policy(r: PolicyRow) -> Policy:
    return Policy(
        sample_confidence=r.sample_confidence,
        sample_min_foreign_fraction=r.sample_min_foreign_fraction,
        unlock_lapse_days=r.unlock_lapse_days,
        updated_by=r.updated_by,
        updated_at=r.updated_at,
    )


def _policy_dict(p: Policy) -> dict[str, Any]:
    return {
        "sample_confidence": p.sample_confidence,
        "sample_min_foreign_fraction": p.sample_min_foreign_fraction,
        "unlock_lapse_days": p.unlock_lapse_days,
    }


def _version_state(
    v: ExportVersionRow,
    facts: list[tuple[int, Signer]],
    released: bool,
    now: datetime,
    lapse_days: int,
) -> tuple[State, tuple[Signer, ...], int, datetime | None]:
    """(state, the current round's signers, the round a new sign-off goes into, unlock expiry)."""
    current = [f for rn, f in facts if rn == v.round]
    state = state_of(
        [SignOffFact(f.name, f.role, f.stage, f.decision, f.at) for f in current],
        released=released,
        voided=v.voided_at is not None,
        now=now,
        lapse_days=lapse_days,
    )
    round_ = v.round
    expires = None
    second = next(
        (f for f in current if f.stage is Stage.SECOND and f.decision is Decision.APPROVE), None
    )
    if state is State.PENDING and current:
        # Both sign-offs were given but the unlock lapsed: a new round starts from scratch.
        round_ = v.round + 1
        current = []
    elif state is State.APPROVED and second is not None:
        expires = second.at + timedelta(days=lapse_days)
    return state, tuple(current), round_, expires


def _decision_of(gate: Gate) -> Any:
    from reviewer.domain.signoff import GateDecision

    return GateDecision(
        allowed=gate.allowed,
        stage=gate.stage,
        reasons=gate.reasons,
        can_reject=gate.can_reject,
        reject_reasons=gate.reject_reasons,
        missing=gate.missing,
    )


def _not_releasable_state(state: State) -> str:
    return {
        State.PENDING: "this export has no sign-offs yet (or its unlock lapsed): two are needed",
        State.FIRST_SIGNOFF: "this export has one sign-off; the second (an approver's) is missing",
        State.REJECTED: "this export was rejected and cannot be released",
        State.RELEASED: "this export was already released",
        State.VOIDED: "a newer archive arrived for this request; it must be reviewed",
        State.APPROVED: "",
    }[state]


def _not_releasable(detail: RequestDetail) -> str:
    return _not_releasable_state(detail.state)


def _receipt(data: dict[str, Any], final: Path) -> ReleaseReceipt:
    return ReleaseReceipt(
        request_id=data["request_id"],
        version_id=int(data["version_id"]),
        archive_sha256=data["archive_sha256"],
        released_by=data["released_by"],
        released_at=datetime.fromisoformat(data["released_at"]),
        approvers=tuple(
            Signer(
                a["name"],
                Role(a["role"]),
                Stage(a["stage"]),
                Decision(a["decision"]),
                datetime.fromisoformat(a["at"]),
            )
            for a in data["approvers"]
        ),
        checklist=data["checklist"],
        outbox_dir=final,
        audit_head=str(data["audit_head"]["hash"]),
        audit_checkpoint=data.get("audit_checkpoint"),
    )
