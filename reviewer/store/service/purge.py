"""Storage limitation: which requests are past the policy's retention period, and the purge of
their personal content (`reviewer.domain.retention` says what stays and what goes).

A purge is one transaction per request, so a purge stopped half-way (killed, the machine off)
leaves every request either purged or as it was, and the next run carries on. The files the
store wrote for the request (its corrected archives) are removed first, inside that request's
turn: a run stopped after removing them and before committing finds the request unpurged and
removes what is left. Each purged request gets one ``purge`` event (signed, as a decision is)
with what was removed, in counts, and the digest of its disclosure record as it stood before.

The audit chain is not rewritten: its events hold ids, hashes, verdicts and who decided what.
What people typed when they acted (notes, reasons, acknowledgements, sampling statements,
correction targets) is not in the events but sealed beside them (`reviewer.domain.audit.sealed`):
the purge deletes those texts with their salts, so the events keep only digests that say
nothing, and the chain verifies as before. It empties the same texts in the tables the screens,
exports and records are read from. (Events recorded before the store sealed texts, migration
0015, keep theirs: the chain's hashes cover them.) On SQLite the purge
writes with ``secure_delete`` on and truncates the write-ahead log afterwards, so the freed
bytes hold no copy of what was removed.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from reviewer.correct.record_files import record_json
from reviewer.domain.access import Action
from reviewer.domain.retention import (
    PURGED,
    Retention,
    kept_correction,
    kept_receipt,
    kept_report,
    kept_sample,
    kept_ticket,
    retention,
)
from reviewer.domain.states import State
from reviewer.store import audit_log, trail
from reviewer.store.codec import index_counts, purged_index
from reviewer.store.errors import NotFound, StoreError, UserError
from reviewer.store.paths import corrected_dir
from reviewer.store.service import rows
from reviewer.store.service.claims import end_with_release
from reviewer.store.service.people import People
from reviewer.store.service.record import Records
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import (
    ClaimRow,
    ClockChangeRow,
    CorrectionRow,
    DeliveryRow,
    ExportVersionRow,
    MarkRow,
    ReleaseRow,
    RequestRow,
    SignOffRowT,
)
from reviewer.store.views import SignedIn

AUDIT_ACTION = "purge"


@dataclass(frozen=True, slots=True)
class Purged:
    """One request purged: what was removed, in counts, and its disclosure record's digest."""

    request_id: str
    state: State
    decided_at: datetime | None
    removed: dict[str, int]
    record_sha256: str | None
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "state": self.state.value,
            "decided_at": None if self.decided_at is None else self.decided_at.isoformat(),
            "removed": dict(self.removed),
            "disclosure_record_sha256": self.record_sha256,
            "purged_at": self.at.isoformat(),
        }


@dataclass(slots=True)
class PurgeRun:
    """What one purge did (or, dry, would do): the requests due, those purged, and those named
    but refused, with the reason."""

    dry_run: bool
    retention_days: int
    purged: list[Purged] = field(default_factory=list)
    due: list[Retention] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    # SQLite: the write-ahead log still holds page images from before the purge (another
    # connection was reading; the next purge, or the next checkpoint once it closes, empties
    # it). None when nothing was purged or the store is not SQLite.
    log_kept: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "log_kept": self.log_kept,
            "retention_days": self.retention_days,
            "purged": [p.as_dict() for p in self.purged],
            "due": [
                {
                    "request_id": r.request_id,
                    "state": r.state.value,
                    "decided_at": None if r.decided_at is None else r.decided_at.isoformat(),
                }
                for r in self.due
            ],
            "refused": dict(self.refused),
        }


class Purges:
    """The retention rule over the store's requests, and the purge."""

    def __init__(self, uow: UnitOfWork, people: People, records: Records):
        self._uow = uow
        self._people = people
        self._records = records

    def retention(self, request_ids: Iterable[str] | None = None) -> list[Retention]:
        """Each request's place in the retention rule (every request, or the named ones:
        NotFound for one the store does not hold), by request id."""
        with self._uow.read() as s:
            days = rows.policy_row(s).retention_days
            now = self._uow.decision_now(s)
            if request_ids is None:
                ids = sorted(s.execute(select(RequestRow.request_id)).scalars())
            else:
                ids = list(dict.fromkeys(request_ids))
            return [_retention(s, _request(s, rid), days, now) for rid in ids]

    def purge(
        self,
        session: SignedIn,
        *,
        request_ids: Iterable[str] | None = None,
        dry_run: bool = False,
        on_purged: Callable[[Purged], None] | None = None,
    ) -> PurgeRun:
        """Purge every request past the retention period (or the named ones, each refused with
        its reason when it is not due). Supervisors only (PermissionDenied). `dry_run` says
        which would be purged and changes nothing. Idempotent: a purged request is skipped."""
        with self._uow.read() as s:
            self._people.acting(s, session, Action.PURGE)
            days = rows.policy_row(s).retention_days
            now = self._uow.decision_now(s)
        named = request_ids is not None
        run = PurgeRun(dry_run, days)
        for r in self.retention(request_ids):
            why = r.refusal(now)
            if why is not None:
                if named:
                    run.refused[r.request_id] = why
                continue
            run.due.append(r)
        if dry_run:
            return run
        for r in run.due:
            digest = self._record_digest(session, r.request_id)
            try:
                done = self._uow.transact(self._purge_one, session, r.request_id, digest)
            except UserError as exc:  # decided again meanwhile (a new export arrived, say)
                run.refused[r.request_id] = str(exc)
                continue
            if done is None:
                continue
            run.purged.append(done)
            if on_purged is not None:
                on_purged(done)
        if run.purged:
            run.log_kept = self._truncate_log()
        return run

    # ------------------------------------------------------------------ one request

    def _record_digest(self, session: SignedIn, request_id: str) -> str | None:
        """SHA-256 of the disclosure record as it is written beside a release (its JSON file)."""
        try:
            record = self._records.disclosure_record(session, request_id)
        except (StoreError, KeyError, ValueError):
            return None
        return hashlib.sha256(record_json(record).encode()).hexdigest()

    def _purge_one(
        self, s: Session, session: SignedIn, request_id: str, record_sha256: str | None
    ) -> Purged | None:
        if not rows.is_postgres(s):
            s.execute(sa.text("PRAGMA secure_delete = ON"))
        by = self._people.acting(s, session, Action.PURGE)
        supervisor = by.name
        now = self._uow.stamp(s)
        stmt = select(RequestRow).where(RequestRow.request_id == request_id)
        if rows.is_postgres(s):
            stmt = stmt.with_for_update()
        req = s.execute(stmt).scalar_one_or_none()
        if req is None:
            raise NotFound(f"no request {request_id}")
        if req.purged_at is not None:
            return None  # purged by another terminal meanwhile
        days = rows.policy_row(s).retention_days
        place = _retention(s, req, days, self._uow.decision_now(s))
        why = place.refusal(self._uow.decision_now(s))
        if why is not None:
            raise UserError(why)
        removed: dict[str, int] = {}

        def count(what: str, n: int = 1) -> None:
            if n:
                removed[what] = removed.get(what, 0) + n

        versions = list(
            s.execute(
                select(ExportVersionRow)
                .where(ExportVersionRow.request_id == request_id)
                .order_by(col(ExportVersionRow.number))
            ).scalars()
        )
        for name, size in self._remove_files(request_id, versions):
            count("files", 1)
            count("file_bytes", size)
            del name
        # The request first: a sign-off's texts may only be emptied once its request is purged.
        req.purged_at = now
        req.ticket = kept_ticket(req.ticket or {}, request_id)
        req.requester_name = ""
        req.customer_id = PURGED
        s.add(req)
        s.flush()
        count("tickets")
        version_ids = [int(v.id or 0) for v in versions]
        for v in versions:
            for what, n in index_counts(v.index_summary or {}).items():
                count(what, n)
            count("findings", len((v.report or {}).get("findings") or []))
            count("sampled_recordings", len((v.sample or {}).get("items") or []))
            v.index_summary = purged_index(v.index_summary or {})
            v.report = kept_report(v.report or {})
            v.sample = kept_sample(v.sample or {})
            v.sampling_statement = ""
            v.archive_path = PURGED
            v.correction = kept_correction(v.correction)
            s.add(v)
        count("versions", len(versions))
        if version_ids:
            marked = col(MarkRow.version_id).in_(version_ids)
            count("mark_notes", _blank(s, MarkRow, marked, MarkRow.note))
            proposed = col(CorrectionRow.version_id).in_(version_ids)
            count("correction_notes", _blank(s, CorrectionRow, proposed, CorrectionRow.note))
            # a text to redact, an identifier: the personal data itself
            targets = _blank(s, CorrectionRow, proposed, CorrectionRow.target, PURGED)
            count("correction_targets", targets)
            signed = s.execute(
                sa.update(SignOffRowT)
                .where(col(SignOffRowT.version_id).in_(version_ids))
                .where(
                    (col(SignOffRowT.note) != "")
                    | (col(SignOffRowT.sampling_statement) != "")
                    | (sa.cast(SignOffRowT.acknowledged, sa.Text) != "{}")
                )
                .values(note="", acknowledged={}, sampling_statement="")
            )
            count("signoff_notes", int(getattr(signed, "rowcount", 0) or 0))
            for release in s.execute(
                select(ReleaseRow).where(col(ReleaseRow.version_id).in_(version_ids))
            ).scalars():
                release.receipt = kept_receipt(release.receipt or {})
                s.add(release)
                count("receipts")
                of_release = col(DeliveryRow.release_id) == release.id
                # a redelivery's reason, or a first delivery's made again
                reason = _blank(s, DeliveryRow, of_release, DeliveryRow.reason, PURGED)
                count("delivery_reasons", reason)
        of_request = col(ClockChangeRow.request_id) == request_id
        count("clock_reasons", _blank(s, ClockChangeRow, of_request, ClockChangeRow.reason))
        of_request = col(ClaimRow.request_id) == request_id
        count("claim_notes", _blank(s, ClaimRow, of_request, ClaimRow.note))
        # a rejected request may still be held
        if end_with_release(s, request_id, by, now, why="the request was purged"):
            count("claims_ended")
        sealed = s.execute(
            sa.text(f"DELETE FROM {audit_log.TEXT_TABLE} WHERE request_id = :r"),
            {"r": request_id},
        )
        count("audit_texts", int(getattr(sealed, "rowcount", 0) or 0))
        done = Purged(request_id, place.state, place.decided_at, removed, record_sha256, now)
        req.purge = {**done.as_dict(), "retention_days": days, "by": supervisor}
        s.add(req)
        trail.append(
            s,
            supervisor,
            AUDIT_ACTION,
            f"request:{request_id}",
            {**done.as_dict(), "retention_days": days},
            at=now,
        )
        return done

    def _remove_files(
        self, request_id: str, versions: list[ExportVersionRow]
    ) -> list[tuple[str, int]]:
        """Remove the files the store wrote for the request: its corrected archives (in the
        corrected-archive folder, `reviewer.store.paths.corrected_dir`), and that folder's
        subfolder for the request. The original archive is the intake's file, where it was
        ingested from; it is left there. Returns (name, bytes) of what was removed."""
        base = corrected_dir(self._uow.url).resolve()
        removed: list[tuple[str, int]] = []
        for v in versions:
            if v.corrected_from_id is None or not v.archive_path or v.archive_path == PURGED:
                continue
            path = Path(v.archive_path)
            if not _inside(path, base):
                continue
            try:
                size = path.stat().st_size
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append((path.name, size))
        folder = base / request_id
        if _inside(folder, base) and folder.resolve() != base and folder.is_dir():
            for f in sorted(folder.rglob("*"), reverse=True):
                if f.is_file() or f.is_symlink():
                    size = f.lstat().st_size
                    f.unlink()
                    removed.append((f.name, size))
            shutil.rmtree(folder, ignore_errors=True)
        return removed

    def _truncate_log(self) -> str | None:
        """SQLite: move the write-ahead log into the database and empty it, so no earlier page
        image (holding what was just removed) stays in the -wal file. None when done (or not
        SQLite); otherwise what stopped it, in words: a reader holding an older snapshot keeps
        the log (SQLite's busy timeout is waited for first)."""
        if not self._uow.url.startswith("sqlite"):
            return None
        raw = self._uow.engine.raw_connection()  # outside a transaction: no BEGIN is sent
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()
            cursor.close()
        finally:
            raw.close()
        if busy is None or not busy[0]:
            return None
        return (
            "another connection was reading the store, so its write-ahead log (the -wal file "
            "beside it) still holds copies of what was removed: close the other terminals and "
            "run reviewer purge again to empty it"
        )


def _inside(path: Path, base: Path) -> bool:
    try:
        path.resolve().relative_to(base)
    except (ValueError, OSError):
        return False
    return True


def _blank(s: Session, table: Any, where: Any, column: Any, value: str = "") -> int:
    """Set `column` to `value` (empty, or PURGED) in the rows of `table` matching `where` that
    hold a text; how many rows changed."""
    result = s.execute(
        sa.update(table)
        .where(where)
        .where(column != "")
        .where(column != value)
        .values({column.key: value})
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _request(s: Session, request_id: str) -> RequestRow:
    req = s.get(RequestRow, request_id)
    if req is None:
        raise NotFound(f"no request {request_id}")
    return req


def _retention(s: Session, req: RequestRow, days: int, now: datetime) -> Retention:
    """The request's place in the retention rule: the state of its newest export version and
    when that was decided (the release's time, or the rejection's)."""
    v = rows.current_version(s, req.request_id, *rows.ROW_ONLY)
    purged_at = rows.aware(req.purged_at)
    if v is None:
        return retention(req.request_id, State.PENDING, None, days, purged_at)
    state = rows.state(s, v, now)[0]
    decided: datetime | None = None
    if state is State.RELEASED:
        decided = s.execute(
            select(ReleaseRow.released_at).where(ReleaseRow.version_id == v.id)
        ).scalar_one_or_none()
    elif state is State.REJECTED:
        decided = s.execute(
            select(sa.func.max(SignOffRowT.at))
            .where(SignOffRowT.version_id == v.id)
            .where(SignOffRowT.round == v.round)
            .where(SignOffRowT.decision == "reject")
        ).scalar_one_or_none()
    return retention(req.request_id, state, rows.aware(decided), days, purged_at)
