"""What a reviewer reads and does: the queue, a request's detail (served from the store, never
re-reading the archive), and the inspection evidence (opened, played, viewed)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from reviewer.domain.access import Action
from reviewer.domain.model import Verdict
from reviewer.domain.report import Report
from reviewer.domain.request import request_from_dict
from reviewer.domain.sampling import Sample
from reviewer.domain.signoff import InspectionKind, played_claim_problem
from reviewer.store import trail
from reviewer.store.codec import audio_member, index_from_json
from reviewer.store.errors import (
    NotFound,
    StoreError,
)
from reviewer.store.service import rows
from reviewer.store.service.people import People
from reviewer.store.service.rows import NO_INDEX, ROW_ONLY, aware, version_state
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import (
    ExportVersionRow,
    InspectionRow,
    RequestRow,
    ReviewerRow,
)
from reviewer.store.views import (
    Inspection,
    QueueRow,
    RequestDetail,
    SignedIn,
)


class Reviews:
    """The queue, request detail and inspection evidence."""

    def __init__(self, uow: UnitOfWork, people: People):
        self._uow = uow
        self._people = people

    def queue(self) -> list[QueueRow]:
        with self._uow.read() as s:
            now = self._uow.decision_now(s)
            lapse = rows.policy_row(s).unlock_lapse_days
            latest = (
                select(ExportVersionRow.request_id, func.max(ExportVersionRow.number).label("n"))
                .group_by(ExportVersionRow.request_id)
                .subquery()
            )
            latest_rows = s.execute(
                select(RequestRow, ExportVersionRow)
                .options(*ROW_ONLY)
                .join(ExportVersionRow, ExportVersionRow.request_id == RequestRow.request_id)  # type: ignore[arg-type]
                .join(
                    latest,
                    (latest.c.request_id == ExportVersionRow.request_id)
                    & (latest.c.n == ExportVersionRow.number),
                )
                .order_by(RequestRow.due_at, RequestRow.request_id)  # type: ignore[arg-type]
            ).all()
            ids = [v.id for _, v in latest_rows]
            changes = rows.changes_of(s, [req.request_id for req, _ in latest_rows])
            facts = rows.facts(s, ids)
            released = rows.released(s, ids)
            holds = rows.holds_of(s)
            out = []
            for req, v in latest_rows:
                state, signers, _round, expires = version_state(
                    v, facts.get(v.id or 0, []), v.id in released, now, lapse
                )
                clock = rows.request_clock(req, changes.get(req.request_id, []), now)
                hold = holds.get(req.request_id)
                out.append(
                    QueueRow(
                        request_id=req.request_id,
                        requester_name=req.requester_name,
                        customer_id=req.customer_id,
                        state=state,
                        verdict=Verdict(v.verdict),
                        due_at=req.due_at,
                        days_left=clock.days_left if clock else _days_left(req.due_at, now),
                        signers=signers,
                        version_id=int(v.id or 0),
                        archive_sha256=v.archive_sha256,
                        critical=v.critical,
                        warnings=v.warnings,
                        received_at=req.received_at,
                        ingested_at=v.ingested_at,
                        unlock_expires_at=expires,
                        version=v.number,
                        clock=clock,
                        held_by=hold.holder if hold else None,
                        held_since=hold.since if hold else None,
                    )
                )
            return out

    def request_detail(self, request_id: str) -> RequestDetail:
        """The current version of `request_id` (NotFound if unknown)."""
        with self._uow.read() as s:
            v = rows.current_version(s, request_id)
            if v is None:
                raise NotFound(f"no request {request_id} in the store")
            return self._detail(s, v)

    def version_detail(self, version_id: int) -> RequestDetail:
        with self._uow.read() as s:
            return self._detail(s, rows.version(s, version_id))

    def _detail(self, s: Session, v: ExportVersionRow) -> RequestDetail:
        req = s.get(RequestRow, v.request_id)
        assert req is not None
        vid = int(v.id or 0)
        now = self._uow.decision_now(s)
        state, signers, _round, expires = rows.state(s, v, now)
        evidence: dict[str, list[Inspection]] = defaultdict(list)
        for ins, name in s.execute(
            select(InspectionRow, ReviewerRow.name)
            .join(ReviewerRow, ReviewerRow.id == InspectionRow.reviewer_id)  # type: ignore[arg-type]
            .where(InspectionRow.version_id == vid)
            .order_by(InspectionRow.id)  # type: ignore[arg-type]
        ).all():
            evidence[name].append(
                Inspection(name, InspectionKind(ins.kind), ins.target, ins.seconds, ins.at)
            )
        older = tuple(
            s.execute(
                select(ExportVersionRow.id)
                .where(ExportVersionRow.request_id == v.request_id)
                .where(ExportVersionRow.number < v.number)
                .order_by(ExportVersionRow.number)  # type: ignore[arg-type]
            ).scalars()
        )
        sample = Sample.from_dict(v.sample)
        return RequestDetail(
            request=request_from_dict(req.ticket, strict=False),  # stored: read as it was
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
            marks=tuple(rows.marks(s, vid)),
            corrections=tuple(rows.pending_corrections(s, vid)),
            corrected_from=rows.number_of(s, v.corrected_from_id),
            correction=v.correction,
            clock=rows.request_clock(
                req, rows.changes_of(s, [req.request_id]).get(req.request_id, []), now
            ),
            hold=rows.holds_of(s, [req.request_id]).get(req.request_id),
        )

    def record_inspection(
        self,
        session: SignedIn,
        version_id: int,
        kind: InspectionKind | str,
        target: str,
        seconds: float = 0.0,
    ) -> None:
        """Evidence, recorded for the account signed in on `session` and nobody else:
        `opened` (target: request id), `played` (audio member, seconds actually played),
        `viewed_transcript` (the recording's audio member), `viewed_member`.

        A played time is refused (StoreError) when it cannot be true: longer than the
        recording, or, with what the same person recorded since their session began, longer
        than the wall time that passed (`played_claim_problem`; the store's clock decides)."""
        try:
            kind = InspectionKind(kind)
        except ValueError:
            raise StoreError(f"unknown inspection kind {kind!r}") from None
        try:
            seconds = float(seconds)
        except (TypeError, ValueError):
            raise StoreError(f"a played time is a number of seconds, not {seconds!r}") from None
        if kind is not InspectionKind.PLAYED:
            seconds = 0.0
        self._uow.transact(self._inspected, session, version_id, kind, target, seconds)

    def _inspected(
        self,
        s: Session,
        session: SignedIn,
        version_id: int,
        kind: InspectionKind,
        target: str,
        seconds: float,
    ) -> None:
        now = self._uow.stamp(s)
        r = self._people.acting(s, session, Action.REVIEW)
        v = rows.version(s, version_id, *NO_INDEX)
        if kind is InspectionKind.PLAYED:
            self._check_played(s, session, r, v, target, seconds, now)
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
            r.name,
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

    def _check_played(
        self,
        s: Session,
        session: SignedIn,
        account: ReviewerRow,
        v: ExportVersionRow,
        member: str,
        seconds: float,
        now: datetime,
    ) -> None:
        """Refuse a played time the recording's length or the wall time rules out."""
        known, duration = _clip_length(s, v, member)
        if not known:
            raise StoreError(f"{member} is not a recording of this export: nothing was played")
        row = self._people.session_row(s, session)
        assert row is not None  # `_acting` found it open
        started = aware(row.started_at)
        assert started is not None
        listened = s.execute(
            select(func.coalesce(func.sum(InspectionRow.seconds), 0.0)).where(
                (InspectionRow.reviewer_id == account.id)
                & (InspectionRow.kind == InspectionKind.PLAYED.value)
                & (InspectionRow.at >= started)
            )
        ).scalar_one()
        problem = played_claim_problem(
            seconds, duration, float(listened), (now - started).total_seconds()
        )
        if problem is not None:
            raise StoreError(problem)


def _clip_length(s: Session, v: ExportVersionRow, member: str) -> tuple[bool, float | None]:
    """Whether `member` is an audio member of the version, and its length in seconds when it
    is known: from the sample when it is sampled, else from the stored index."""
    for item in Sample.from_dict(v.sample).items:
        if item.member == member:
            return True, item.duration_s
    stored = s.execute(
        select(ExportVersionRow.index_summary).where(ExportVersionRow.id == v.id)
    ).scalar_one()
    return audio_member(stored, member)


def _days_left(due: datetime | None, now: datetime) -> int | None:
    if due is None:
        return None
    return (due.date() - now.date()).days
