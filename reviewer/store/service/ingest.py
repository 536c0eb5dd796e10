"""Ingest: store a checked request as an export version with its sample. What was reviewed is
the pair (ticket, archive): a changed archive or a changed ticket is a new version, checked
again, that voids the sign-offs of earlier ones."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select as columns
from sqlalchemy import update
from sqlmodel import Session, col

from reviewer.domain.model import Severity, Verdict
from reviewer.domain.report import Report
from reviewer.domain.review import Review
from reviewer.domain.sampling import candidates_from_index, draw_sample
from reviewer.store import trail
from reviewer.store.codec import index_to_json
from reviewer.store.errors import StoreError, UserError
from reviewer.store.service import rows
from reviewer.store.service.rows import NO_INDEX, aware, is_postgres
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import (
    CorrectionRow,
    ExportVersionRow,
    RequestRow,
)
from reviewer.store.views import (
    IngestResult,
)


def ticket_sha256(ticket: Mapping[str, Any]) -> str:
    """SHA-256 of the ticket as checked: the parsed request.json as canonical JSON (sorted keys,
    no spaces, UTF-8). The store keeps the parsed ticket, not the file's bytes, so the hash can
    be computed again from what is stored (the release does); re-indenting the file or
    reordering its keys changes nothing that was checked, so it is not a new version."""
    text = json.dumps(ticket, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Corrected:
    """A corrected archive's review, as `ingest` stores it: the version it was built from,
    the corrections applied (their rows' ids) and what was done (`CorrectedVersion`)."""

    base_version_id: int
    correction_ids: tuple[int, ...]
    correction: dict[str, Any]
    # Run first in the transaction that stores it: the corrector may still correct the version
    # (their session open, their account standing), and their personal key signs what follows.
    confirm: Callable[[Session], None] | None = field(default=None, repr=False)


def _corrected_from(versions: Sequence[Any], current: Any, sha: str) -> bool:
    """Whether `sha` is the archive of a version the current one was corrected from (at any
    remove)."""
    by_id = {v.id: v for v in versions}
    v = current
    while v is not None and v.corrected_from_id is not None:
        v = by_id.get(v.corrected_from_id)
        if v is not None and v.archive_sha256 == sha:
            return True
    return False


class Ingest:
    """Checked requests into the store."""

    def __init__(self, uow: UnitOfWork):
        self._uow = uow

    def ingest(
        self,
        review: Review,
        archive_path: Path,
        *,
        actor: str,
        corrected: Corrected | None = None,
    ) -> IngestResult:
        """Store a checked request. Archive and ticket unchanged: nothing new. Either changed for a
        known request: a new version, and every earlier version's sign-offs are void. (A version
        stored before tickets were hashed has none: its ticket is unknown, so it counts as
        changed.)

        `corrected`: the review is of a corrected archive built from the current version
        (`Corrections.apply_corrections`): a new version that names it. Once a request has a
        corrected version, ingesting an archive it was corrected from again, with the same
        ticket, changes nothing: the original never comes back to be released."""
        archive = str(Path(archive_path).resolve())
        rid = review.request.request_id
        # Another terminal ingesting the same request at once: the next attempt sees its row.
        return self._uow.transact_or_refuse(
            lambda _exc: StoreError(f"could not store {rid}: concurrent ingest"),
            self._store,
            review,
            archive,
            actor,
            corrected,
        )

    def _store(
        self, s: Session, review: Review, archive: str, actor: str, corrected: Corrected | None
    ) -> IngestResult:
        request, index, report = review.request, review.index, review.report
        ticket = request.raw or {}
        ticket_hash = ticket_sha256(ticket)
        critical = sum(1 for f in report.findings if f.severity is Severity.CRITICAL)
        warnings = sum(1 for f in report.findings if f.severity is Severity.WARNING)
        now = self._uow.stamp(s)
        if corrected is not None and corrected.confirm is not None:
            corrected.confirm(s)
        policy = rows.policy_row(s)
        req = s.get(RequestRow, request.request_id, with_for_update=is_postgres(s))
        if req is not None and req.purged_at is not None:
            # Its personal content is gone and its decision proven; new content under the same
            # id would never be purged again (a purge happens once per request).
            raise UserError(rows.purged_text(request.request_id, req.purged_at))
        if req is None:
            req = RequestRow(
                request_id=request.request_id,
                customer_id=request.requester.customer_id,
                requester_name=request.requester.name,
                received_at=aware(request.received_at),
                due_at=aware(request.due_at),
                ticket=ticket,
                created_at=now,
            )
            s.add(req)
            s.flush()
        else:
            req.customer_id = request.requester.customer_id
            req.requester_name = request.requester.name
            req.received_at = aware(request.received_at)
            req.due_at = aware(request.due_at)
            req.ticket = ticket
            s.add(req)
        versions = s.execute(
            columns(
                col(ExportVersionRow.id),
                col(ExportVersionRow.number),
                col(ExportVersionRow.archive_sha256),
                col(ExportVersionRow.ticket_sha256),
                col(ExportVersionRow.voided_at),
                col(ExportVersionRow.corrected_from_id),
            )
            .where(col(ExportVersionRow.request_id) == request.request_id)
            .order_by(col(ExportVersionRow.number))
        ).all()
        current = versions[-1] if versions else None
        changed = (
            []
            if current is None
            else [
                what
                for what, same in (
                    ("archive", current.archive_sha256 == report.archive_sha256),
                    ("ticket", current.ticket_sha256 == ticket_hash),
                )
                if not same
            ]
        )
        if corrected is not None:
            if current is None or current.id != corrected.base_version_id:
                raise StoreError(
                    f"{request.request_id} has a newer version than the one corrected: "
                    "open it and apply the corrections again"
                )
            changed = ["corrected"]
        elif (
            current is not None
            and changed == ["archive"]
            and _corrected_from(versions, current, report.archive_sha256)
        ):
            changed = []  # the original of a corrected version: nothing new
        if current is not None and not changed:
            stored = s.get(ExportVersionRow, current.id, options=NO_INDEX)
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
            without_audio=index.without_audio,
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
            ticket_sha256=ticket_hash,
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
            corrected_from_id=None if corrected is None else corrected.base_version_id,
            correction=None if corrected is None else corrected.correction,
        )
        s.add(row)
        s.flush()
        outcome = "new-version" if current else "new"
        if corrected is not None:
            outcome = "corrected"
            s.execute(
                update(CorrectionRow)
                .where(col(CorrectionRow.id).in_(corrected.correction_ids))
                .values(applied_version_id=row.id)
            )
        trail.append(
            s,
            actor,
            "ingest",
            f"request:{request.request_id}",
            {
                "version": row.number,
                "version_id": row.id,
                "archive_sha256": report.archive_sha256,
                "ticket_sha256": ticket_hash,
                "changed": changed,
                "verdict": report.verdict.value,
                "critical": critical,
                "warnings": warnings,
                "sample": sample.size,
                "voided_versions": voided,
            },
            at=now,
        )
        if corrected is not None:  # a decision: signed in this transaction, and by its maker
            trail.append(
                s,
                actor,
                "corrections-applied",
                f"request:{request.request_id}",
                {
                    "version": row.number,
                    "version_id": row.id,
                    "corrected_from": corrected.base_version_id,
                    "corrections": list(corrected.correction_ids),
                    "archive_sha256": report.archive_sha256,
                    "proof_ok": bool(corrected.correction["proof"]["ok"]),
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
