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
from reviewer.domain.signoff import (
    InspectionKind,
)
from reviewer.store import trail
from reviewer.store.codec import index_from_json
from reviewer.store.errors import (
    NotFound,
    StoreError,
)
from reviewer.store.service.base import (
    ROW_ONLY,
    version_state,
)
from reviewer.store.service.people import PeoplePart
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


class ReviewPart(PeoplePart):
    """The queue, request detail and inspection evidence."""

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
                .options(*ROW_ONLY)
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
                state, signers, _round, expires = version_state(
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
            return self._detail(s, self._version(s, version_id))

    def _detail(self, s: Session, v: ExportVersionRow) -> RequestDetail:
        req = s.get(RequestRow, v.request_id)
        assert req is not None
        vid = int(v.id or 0)
        state, signers, _round, expires = self._state(s, v, self._now())
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
        `viewed_transcript` (the recording's audio member), `viewed_member`."""
        try:
            kind = InspectionKind(kind)
        except ValueError:
            raise StoreError(f"unknown inspection kind {kind!r}") from None
        seconds = max(0.0, float(seconds))
        now = self._now()

        def go() -> None:
            with self._write() as s:
                r = self._acting(s, session, Action.REVIEW)
                v = self._version(s, version_id, *ROW_ONLY)
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

        self._retry(go)


def _days_left(due: datetime | None, now: datetime) -> int | None:
    if due is None:
        return None
    return (due.date() - now.date()).days
