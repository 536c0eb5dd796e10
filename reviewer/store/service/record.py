"""The disclosure record: what a data-protection officer shows a regulator about one request's
disclosure. The request and the identity verified, the findings, every mark and correction
with its reason and author, the redaction proof, what each signer played and viewed, their
checklists and sampling statements, both signatures, and the release with its audit
checkpoint. Written beside every release; a supervisor can produce it for any request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from reviewer.domain.access import Action
from reviewer.store.service.people import People
from reviewer.store.service.review import Reviews
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import (
    ExportVersionRow,
    MarkRow,
    ReleaseRow,
    ReviewerRow,
    SignOffRowT,
)
from reviewer.store.views import RequestDetail, SignedIn

RECORD_JSON = "disclosure-record.json"
RECORD_HTML = "disclosure-record.html"


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def build_record(
    detail: RequestDetail,
    signoffs: list[dict[str, Any]],
    marks: list[dict[str, Any]],
    receipt: dict[str, Any] | None,
    generated_at: datetime,
) -> dict[str, Any]:
    """The record of `detail` (the version that went out, or the current one)."""
    req = detail.request
    for so in signoffs:
        played: dict[str, float] = {}
        viewed: set[str] = set()
        signed_at = so.pop("_at")
        for ev in detail.evidence.get(so["name"], ()):
            if ev.at > signed_at:
                continue  # what the signer did before signing is what the signature rests on
            if ev.kind.value == "played":
                played[ev.target] = round(played.get(ev.target, 0.0) + ev.seconds, 3)
            elif ev.kind.value in ("viewed_transcript", "viewed_member"):
                viewed.add(ev.target)
        so["played_seconds"] = played
        so["viewed"] = sorted(viewed)
    return {
        "record": "disclosure-record",
        "generated_at": _iso(generated_at),
        "request": {
            "request_id": req.request_id,
            "requester": {
                "name": req.requester.name,
                "customer_id": req.requester.customer_id,
                "email": req.requester.email,
            },
            "identity_verification": {
                "method": req.verification_method,
                "verified_at": _iso(req.verified_at),
            },
            "received_at": _iso(req.received_at),
            "due_at": _iso(req.due_at),
        },
        "export": {
            "version": detail.version_number,
            "archive_sha256": detail.archive_sha256,
            "verdict": detail.report.verdict.value,
            "state": "released" if receipt else detail.state.value,
            "corrected_from_version": detail.corrected_from,
            "findings": [f.to_dict() for f in detail.report.findings],
        },
        "marks": marks,
        "corrections": detail.correction,
        "sampling_statement": detail.sampling_statement,
        "signers": signoffs,
        "release": receipt,
    }


class Records:
    """The disclosure record of a request."""

    def __init__(self, uow: UnitOfWork, people: People, reviews: Reviews):
        self._uow = uow
        self._people = people
        self._reviews = reviews

    def disclosure_record(self, session: SignedIn, request_id: str) -> dict[str, Any]:
        """The record of `request_id`, for a supervisor: the released version's when it was
        released, else the current version's."""
        detail = self._reviews.request_detail(request_id)
        with self._uow.read() as s:
            self._people.acting(s, session, Action.EXPORT_HISTORY)
            released = s.execute(
                select(ReleaseRow)
                .join(ExportVersionRow, ExportVersionRow.id == ReleaseRow.version_id)  # type: ignore[arg-type]
                .where(ExportVersionRow.request_id == request_id)
            ).scalar_one_or_none()
        if released is not None and released.version_id != detail.version_id:
            detail = self._reviews.version_detail(released.version_id)
        return self.build(detail, None if released is None else released.receipt)

    def build(self, detail: RequestDetail, receipt: dict[str, Any] | None) -> dict[str, Any]:
        """The record of one version, with the release's receipt when it was released."""
        with self._uow.read() as s:
            now = self._uow.decision_now(s)
            marks = _marks_of_request(s, detail.request.request_id)
            signed = s.execute(
                select(SignOffRowT, ReviewerRow.name)
                .join(ReviewerRow, ReviewerRow.id == SignOffRowT.reviewer_id)  # type: ignore[arg-type]
                .where(SignOffRowT.version_id == detail.version_id)
                .order_by(col(SignOffRowT.id))
            ).all()
        signoffs = [
            {
                "name": name,
                "role": so.reviewer_role,
                "round": so.round,
                "stage": so.stage,
                "decision": so.decision,
                "at": _iso(so.at),
                "note": so.note,
                "checklist": so.checklist,
                "acknowledged": so.acknowledged,
                "sampling_statement": so.sampling_statement,
                "_at": so.at,
            }
            for so, name in signed
        ]
        # A released request's record is the one written at its release, whenever it is
        # written again (a re-delivery gives the same bytes).
        if receipt is not None and receipt.get("released_at"):
            now = datetime.fromisoformat(str(receipt["released_at"]))
        return build_record(detail, signoffs, marks, receipt, now)


def _marks_of_request(s: Session, request_id: str) -> list[dict[str, Any]]:
    marked = s.execute(
        select(MarkRow, ReviewerRow.name, ExportVersionRow.number)
        .join(ReviewerRow, ReviewerRow.id == MarkRow.reviewer_id)  # type: ignore[arg-type]
        .join(ExportVersionRow, ExportVersionRow.id == MarkRow.version_id)  # type: ignore[arg-type]
        .where(ExportVersionRow.request_id == request_id)
        .order_by(col(MarkRow.id))
    ).all()
    return [
        {
            "version": number,
            "by": name,
            "at": _iso(m.at),
            "kind": m.kind,
            "target_kind": m.target_kind,
            "target": m.target,
            "note": m.note,
            "withdrawn_at": _iso(m.withdrawn_at),
        }
        for m, name, number in marked
    ]
