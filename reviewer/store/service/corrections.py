"""Making a flagged export right: reviewers' marks, proposed corrections, and the corrected
version built from them (built, proven and checked again, then stored as a new version whose
sign-offs and release bind to the corrected archive's SHA-256).

Every mark, proposal, withdrawal and application is an audit event in the transaction that
records it. The rules are the domain's (`reviewer.domain.corrections`); the building and the
proof are `reviewer.correct`'s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from reviewer.archive import Limits
from reviewer.archive.progress import ProgressCallback
from reviewer.correct import BuildError, Built, Proof, build_corrected, prove
from reviewer.domain.access import Action
from reviewer.domain.checks import run_checks
from reviewer.domain.corrections import (
    MAX_NOTE_CHARS,
    Correction,
    CorrectionPlan,
    MarkKind,
    MarkTarget,
    correction_problem,
    plan,
    suggestions,
)
from reviewer.domain.model import ExportIndex, Finding, Severity
from reviewer.domain.report import Report, Stats, sort_findings
from reviewer.domain.review import Review
from reviewer.store import trail
from reviewer.store.errors import NotFound, PermissionDenied, StoreError, UserError
from reviewer.store.paths import corrected_dir
from reviewer.store.service import rows
from reviewer.store.service.ingest import Corrected, Ingest
from reviewer.store.service.outbox import NotRegular, open_regular, signed_chunks
from reviewer.store.service.people import People
from reviewer.store.service.review import Reviews
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import CorrectionRow, ExportVersionRow, MarkRow
from reviewer.store.views import (
    CorrectedVersion,
    CorrectionView,
    MarkView,
    RequestDetail,
    SignedIn,
)

PROOF_CODE = "correction-unproven"


class Corrections:
    """Marks, corrections and corrected versions."""

    def __init__(self, uow: UnitOfWork, people: People, reviews: Reviews, ingest: Ingest):
        self._uow = uow
        self._people = people
        self._reviews = reviews
        self._ingest = ingest

    # ------------------------------------------------------------------ marks

    def mark(
        self,
        session: SignedIn,
        version_id: int,
        target_kind: MarkTarget | str,
        target: str,
        kind: MarkKind | str,
        note: str = "",
    ) -> MarkView:
        """Mark one item of a version: not the requester's, a third party, or doubtful."""
        try:
            target_kind, kind = MarkTarget(target_kind), MarkKind(kind)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        if len(note) > MAX_NOTE_CHARS:
            raise UserError(f"a note is at most {MAX_NOTE_CHARS} characters")
        return self._uow.transact(self._mark, session, version_id, target_kind, target, kind, note)

    def _mark(
        self,
        s: Session,
        session: SignedIn,
        version_id: int,
        target_kind: MarkTarget,
        target: str,
        kind: MarkKind,
        note: str,
    ) -> MarkView:
        now = self._uow.stamp(s)
        v = rows.lock_version(s, version_id)
        r = self._people.acting(s, session, Action.MARK, rows.state(s, v, now)[0])
        rows.unpurged(s, v.request_id)
        self._check_target(s, v, target_kind, target)
        row = MarkRow(
            version_id=version_id,
            reviewer_id=int(r.id or 0),
            target_kind=target_kind.value,
            target=target,
            kind=kind.value,
            note=note,
            at=now,
        )
        s.add(row)
        s.flush()
        trail.append(
            s,
            r.name,
            "mark",
            f"request:{v.request_id}",
            {
                "version_id": version_id,
                "mark_id": row.id,
                "target_kind": target_kind.value,
                "target": target,
                "kind": kind.value,
                "note": note,
            },
            at=now,
        )
        return MarkView(int(row.id or 0), version_id, r.name, target_kind, target, kind, note, now)

    def withdraw_mark(self, session: SignedIn, mark_id: int) -> None:
        """Withdraw one's own mark (it stays in the trail)."""
        self._uow.transact(self._withdraw_mark, session, mark_id)

    def _withdraw_mark(self, s: Session, session: SignedIn, mark_id: int) -> None:
        now = self._uow.stamp(s)
        m = s.get(MarkRow, mark_id)
        if m is None or m.withdrawn_at is not None:
            raise NotFound(f"no standing mark {mark_id}")
        v = rows.lock_version(s, m.version_id)
        r = self._people.acting(s, session, Action.MARK, rows.state(s, v, now)[0])
        if m.reviewer_id != r.id:
            raise PermissionDenied("a mark is withdrawn by the person who made it")
        m.withdrawn_at = now
        s.add(m)
        trail.append(
            s,
            r.name,
            "mark-withdrawn",
            f"request:{v.request_id}",
            {"version_id": v.id, "mark_id": mark_id},
            at=now,
        )

    def marks(self, version_id: int) -> list[MarkView]:
        with self._uow.read() as s:
            rows.version(s, version_id)
            return rows.marks(s, version_id)

    # ------------------------------------------------------------------ corrections

    def suggested_corrections(self, version_id: int) -> list[Correction]:
        """What the version's findings suggest (withhold the recordings and records they name,
        redact the names they quote), less what is already proposed."""
        detail = self._reviews.version_detail(version_id)
        proposed = {(c.correction.kind, c.correction.target) for c in detail.corrections}
        return [
            c
            for c in suggestions(detail.report.findings, detail.index)
            if (c.kind, c.target) not in proposed
        ]

    def propose_correction(
        self, session: SignedIn, version_id: int, correction: Correction
    ) -> CorrectionView:
        """Propose one correction on a version (checked against its export)."""
        detail = self._reviews.version_detail(version_id)
        problem = correction_problem(correction, detail.index, detail.report.findings)
        if problem is not None:
            raise UserError(problem)
        return self._uow.transact(self._propose, session, version_id, correction)

    def _propose(
        self, s: Session, session: SignedIn, version_id: int, correction: Correction
    ) -> CorrectionView:
        now = self._uow.stamp(s)
        v = rows.lock_version(s, version_id)
        r = self._people.acting(s, session, Action.CORRECT, rows.state(s, v, now)[0])
        rows.unpurged(s, v.request_id)
        c = correction
        row = CorrectionRow(
            version_id=version_id,
            reviewer_id=int(r.id or 0),
            kind=c.kind.value,
            target=c.target,
            reason=c.reason.value,
            note=c.note,
            start_s=c.start_s,
            end_s=c.end_s,
            at=now,
        )
        s.add(row)
        s.flush()
        trail.append(
            s,
            r.name,
            "correction-proposed",
            f"request:{v.request_id}",
            {"version_id": version_id, "correction_id": row.id, **c.to_dict()},
            at=now,
        )
        return CorrectionView(int(row.id or 0), version_id, r.name, c, now)

    def withdraw_correction(self, session: SignedIn, correction_id: int) -> None:
        """Take back a proposed correction before it is applied (undo)."""
        self._uow.transact(self._withdraw_correction, session, correction_id)

    def _withdraw_correction(self, s: Session, session: SignedIn, correction_id: int) -> None:
        now = self._uow.stamp(s)
        c = s.get(CorrectionRow, correction_id)
        if c is None or c.withdrawn_at is not None or c.applied_version_id is not None:
            raise NotFound(f"no proposed correction {correction_id}")
        v = rows.lock_version(s, c.version_id)
        r = self._people.acting(s, session, Action.CORRECT, rows.state(s, v, now)[0])
        c.withdrawn_at = now
        s.add(c)
        trail.append(
            s,
            r.name,
            "correction-withdrawn",
            f"request:{v.request_id}",
            {"version_id": v.id, "correction_id": correction_id},
            at=now,
        )

    def apply_corrections(
        self,
        session: SignedIn,
        version_id: int,
        *,
        limits: Limits | None = None,
        progress: Callable[[str], None] | None = None,
        reading: ProgressCallback | None = None,
    ) -> CorrectedVersion:
        """Build the corrected archive from the version's proposed corrections, prove it,
        check it again, and store it as the request's new version (earlier sign-offs void).
        A failed proof is a critical finding of the new version: it blocks.

        `progress` is told each step as it starts; `reading` how far the re-reading of the
        corrected archive has got (`reviewer.archive.progress`), from the reader's threads."""
        say = progress or (lambda _m: None)
        detail = self._reviews.version_detail(version_id)
        self._corrector(session, version_id)
        pending = detail.corrections
        the_plan = _plan_of(detail)
        say("building the corrected archive")
        limits = limits or Limits()
        built = self._build(detail, the_plan, limits)
        say("proving what was removed is gone")
        proof, index = prove(built.path, the_plan, limits, built.contents, reading)
        say("checking the corrected archive again")
        report = _report_of(detail, index, built, proof)
        correction: dict[str, Any] = {
            "from_version": detail.version_number,
            "from_sha256": detail.archive_sha256,
            "corrections": [
                {"id": c.id, "by": c.reviewer, "at": c.at.isoformat(), **c.correction.to_dict()}
                for c in pending
            ],
            "plan": the_plan.to_dict(),
            "build": built.to_dict(),
            "proof": proof.to_dict(),
        }
        result = self._ingest.ingest(
            Review(detail.request, index, report),
            built.path,
            actor=self._corrector(session, version_id),  # still allowed once it is built
            corrected=Corrected(
                version_id,
                tuple(c.id for c in pending),
                correction,
                lambda s: self._confirm_corrector(s, session, version_id),
            ),
        )
        return CorrectedVersion(
            request_id=detail.request.request_id,
            version_id=result.version_id,
            version_number=result.version_number,
            archive_path=built.path,
            archive_sha256=built.sha256,
            report=report,
            proof_ok=proof.ok,
            correction=correction,
        )

    def _confirm_corrector(self, s: Session, session: SignedIn, version_id: int) -> None:
        """In the transaction that stores the corrected version: its corrector may still
        correct it (a passphrase reset or a disable while it was built refuses it), and their
        key signs the application."""
        v = rows.version(s, version_id)
        state = rows.state(s, v, self._uow.decision_now(s))[0]
        self._people.acting(s, session, Action.CORRECT, state)

    def _corrector(self, session: SignedIn, version_id: int) -> str:
        """The name of the person correcting the version, once the access rule allows it."""
        with self._uow.read() as s:
            v = rows.version(s, version_id)
            state = rows.state(s, v, self._uow.decision_now(s))[0]
            return self._people.acting(s, session, Action.CORRECT, state).name

    def _build(self, detail: RequestDetail, the_plan: CorrectionPlan, limits: Limits) -> Built:
        """The corrected archive, built while the original is hashed (hashing lets go of the
        GIL); a copy of an archive that is no longer the one checked is not used."""
        with ThreadPoolExecutor(max_workers=1) as pool:
            original = pool.submit(_sha256, detail.archive_path, detail.index.archive_bytes)
            try:
                built = build_corrected(
                    detail.archive_path,
                    detail.index,
                    detail.request,
                    the_plan,
                    corrected_dir(self._uow.url) / detail.request.request_id,
                    limits,
                )
            except BuildError as exc:
                raise UserError(str(exc)) from None
            if original.result() != detail.archive_sha256:
                raise StoreError(
                    f"the archive {detail.archive_path} changed since it was checked: "
                    "ingest it again"
                )
        return built

    # ------------------------------------------------------------------ helpers

    def _check_target(self, s: Session, v: ExportVersionRow, kind: MarkTarget, target: str) -> None:
        stored = s.execute(
            select(ExportVersionRow.index_summary).where(ExportVersionRow.id == v.id)
        ).scalar_one()
        from reviewer.store.codec import index_from_json

        index = index_from_json(stored)
        if kind is MarkTarget.ENTRY:
            known = {t.utterance_id for t in index.transcripts} | {
                r.utterance_id for r in index.recordings
            }
        elif kind is MarkTarget.RECORDING:
            known = {m.path for m in index.audio_members}
        else:
            known = {m.path for m in index.members}
        if target not in known:
            raise UserError(f"no {kind.value} {target} in this export")


def unresolved_marks(marks: Sequence[MarkView], p: CorrectionPlan) -> list[MarkView]:
    """The foreign marks a plan leaves standing: what was marked not the requester's and is
    not withheld (a corrected version never drops a reviewer's finding silently)."""
    out = []
    for m in marks:
        if m.kind is not MarkKind.FOREIGN:
            continue
        if m.target_kind is MarkTarget.ENTRY:
            gone = m.target in p.withheld_utterances
        else:
            gone = m.target in p.withheld_members
        if not gone:
            out.append(m)
    return out


def _plan_of(detail: RequestDetail) -> CorrectionPlan:
    """The plan of the version's proposed corrections; UserError when there are none, when
    one no longer fits the export, or when a foreign mark stands on what the plan keeps."""
    if not detail.corrections:
        raise UserError("no corrections are proposed on this version")
    wanted = [c.correction for c in detail.corrections]
    for c in wanted:
        problem = correction_problem(c, detail.index, detail.report.findings)
        if problem is not None:
            raise UserError(problem)
    the_plan = plan(wanted, detail.index)
    unresolved = unresolved_marks(detail.marks, the_plan)
    if unresolved:
        raise UserError(
            "a foreign mark stands on what the corrections keep: "
            + "; ".join(
                f"{m.reviewer} marked {m.target_kind.value} {m.target}" for m in unresolved[:5]
            )
            + ". Withhold it too, or its author takes the mark back (u)"
        )
    return the_plan


def _report_of(detail: RequestDetail, index: ExportIndex, built: Built, proof: Proof) -> Report:
    """The corrected archive checked again; a failed proof is a critical finding: it blocks."""
    findings = list(run_checks(detail.request, index))
    if not proof.ok:
        findings.append(
            Finding(
                code=PROOF_CODE,
                severity=Severity.CRITICAL,
                title="The corrections are not proven",
                detail="Re-reading the corrected archive found: "
                + "; ".join(proof.failures)
                + ". Withhold what still holds it, or reject the export.",
            )
        )
    return Report(
        request_id=detail.request.request_id,
        archive_sha256=built.sha256,
        findings=sort_findings(findings),
        stats=Stats.of(index),
    )


def _sha256(path: Path, size: int) -> str:
    """The SHA-256 of the file at `path`, read up to one byte past `size` (the archive as it
    was checked): a file grown, or a pipe or device put in its place, ends at once as a hash
    that is not the checked one (StoreError when it is no regular file or cannot be read)."""
    h = hashlib.sha256()
    try:
        with open_regular(path) as fh:
            for chunk in signed_chunks(fh, size):
                h.update(chunk)
    except NotRegular as exc:
        raise StoreError(f"the archive {path} is no longer a regular file ({exc})") from None
    except OSError as exc:
        raise StoreError(f"cannot read the archive {path}: {exc.strerror or exc}") from None
    return h.hexdigest()
