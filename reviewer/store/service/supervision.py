"""Supervision: the sign-off history (filtered, or as CSV), each reviewer's figures, and the
audit trail's status."""

from __future__ import annotations

import csv
import dataclasses
import json
import statistics
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from reviewer.domain.access import Action
from reviewer.domain.audit.sealed import ReadEvent
from reviewer.domain.model import Finding
from reviewer.domain.report import Report
from reviewer.domain.signoff import InspectionKind, warning_code, warnings_to_ack
from reviewer.domain.states import Decision, Role, Stage
from reviewer.store import audit_log, trail
from reviewer.store.files import replacing
from reviewer.store.service import rows
from reviewer.store.service.people import People
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import (
    ExportVersionRow,
    InspectionRow,
    ReviewerRow,
    SignOffRowT,
)
from reviewer.store.views import (
    AuditStatus,
    ReviewerFigures,
    SignedIn,
    SignOffRow,
)


class Supervision:
    """What supervisors and auditors look back on."""

    def __init__(self, uow: UnitOfWork, people: People):
        self._uow = uow
        self._people = people

    def history(
        self,
        reviewer: str | None = None,
        decision: Decision | str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[SignOffRow]:
        with self._uow.read() as s:
            stmt = (
                select(SignOffRowT, ExportVersionRow, ReviewerRow.name)
                .join(ExportVersionRow, ExportVersionRow.id == SignOffRowT.version_id)  # type: ignore[arg-type]
                .join(ReviewerRow, ReviewerRow.id == SignOffRowT.reviewer_id)  # type: ignore[arg-type]
                .order_by(col(SignOffRowT.at).desc(), col(SignOffRowT.id).desc())
            )
            if reviewer:
                stmt = stmt.where(ReviewerRow.name == reviewer)
            if decision:
                stmt = stmt.where(SignOffRowT.decision == Decision(decision).value)
            if since:
                stmt = stmt.where(SignOffRowT.at >= since)
            if until:
                stmt = stmt.where(SignOffRowT.at < until)
            return [rows.signoff_row(s, so, v, name) for so, v, name in s.execute(stmt).all()]

    def reviewer_figures(self) -> list[ReviewerFigures]:
        signoffs = self.history()
        with self._uow.read() as s:
            people = {r.name: Role(r.role) for r in s.execute(select(ReviewerRow)).scalars()}
            played: dict[tuple[str, int], set[str]] = defaultdict(set)
            for ins, name in s.execute(
                select(InspectionRow, ReviewerRow.name)
                .join(ReviewerRow, ReviewerRow.id == InspectionRow.reviewer_id)  # type: ignore[arg-type]
                .where(InspectionRow.kind == InspectionKind.PLAYED.value)
            ).all():
                played[(name, ins.version_id)].add(ins.target)
        by_person: dict[str, list[SignOffRow]] = defaultdict(list)
        for r in signoffs:
            by_person[r.reviewer].append(r)
        pairs: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        by_version: dict[int, list[SignOffRow]] = defaultdict(list)
        for r in signoffs:
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

    def acknowledged_findings(self, version_id: int) -> dict[str, Finding]:
        """The warnings of a version's stored report that a sign-off acknowledges, by the key
        its `acknowledged` uses."""
        with self._uow.read() as s:
            report = Report.from_dict(rows.version(s, version_id).report)
        return {w.key: w.finding for w in warnings_to_ack(report.findings)}

    def audit_status(self) -> AuditStatus:
        status = trail.status(self._uow.engine, self._uow.key_dir)
        return dataclasses.replace(status, checked_at=self._uow.now())

    def history_csv(self, session: SignedIn, path: Path, **filters: Any) -> int:
        """Write the (filtered) sign-off history as CSV for a supervisor (PermissionDenied for
        anyone else), audited; returns the number of rows. `checklist` is JSON; `acknowledged`
        has one ``code: note`` line per acknowledged warning. Written as the audit export is
        (`reviewer.store.files.replacing`): a link, a pipe, a folder or a device is refused
        (TargetRefused) and a failed write leaves the old file as it was."""
        with self._uow.read() as s:
            who = self._people.acting(s, session, Action.EXPORT_HISTORY).name
        signoffs = self.history(**filters)
        with replacing(Path(path)) as f:
            w = csv.writer(f)
            w.writerow(
                [
                    "at",
                    "request_id",
                    "version",
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
                    "new_account",
                ]
            )
            for r in signoffs:
                w.writerow(
                    [
                        r.at.isoformat(),
                        r.request_id,
                        r.version,
                        r.archive_sha256,
                        r.reviewer,
                        r.role.value,
                        r.stage.value,
                        r.decision.value,
                        r.note,
                        json.dumps(r.checklist, sort_keys=True),
                        acknowledged_text(r.acknowledged),
                        r.sampling_statement,
                        "" if r.review_seconds is None else f"{r.review_seconds:.1f}",
                        "yes" if r.voided else "no",
                        "yes" if r.new_account else "no",
                    ]
                )
        self._uow.audit(
            who,
            "history-export",
            "history",
            {"path": str(Path(path).absolute()), "rows": len(signoffs)},
        )
        return len(signoffs)

    def audit_events(
        self,
        session: SignedIn,
        *,
        about: str = "",
        actor: str = "",
        action: str = "",
        since: str = "",
        until: str = "",
        limit: int = 1000,
    ) -> list[ReadEvent]:
        """The newest audit events matching every filter, for a supervisor (PermissionDenied
        for anyone else): `about` a request id or anything the subject or payload names,
        `actor` a person, `action` an event kind, `since` / `until` dates (both included)."""
        with self._uow.read() as s:
            self._people.acting(s, session, Action.BROWSE_AUDIT)
            return audit_log.readable(
                s,
                audit_log.find_events(
                    s,
                    about=about,
                    actor=actor,
                    action=action,
                    since=since,
                    until=until,
                    limit=limit,
                ),
            )

    def export_audit_csv(self, session: SignedIn, path: Path) -> int:
        """Every audit event as CSV for a supervisor (PermissionDenied for anyone else), the
        export itself audited first; see `reviewer.store.audit_log.export_csv`."""
        with self._uow.read() as s:
            who = self._people.acting(s, session, Action.EXPORT_HISTORY).name
        self._uow.audit(who, "audit-export", "audit", {"path": str(Path(path).absolute())})
        with self._uow.read() as s:
            return audit_log.export_csv(s, Path(path))


def acknowledged_text(acknowledged: dict[str, str]) -> str:
    """The CSV's acknowledged column: one ``code: note`` line per warning, in report order."""

    def order(key: str) -> tuple[int, str]:
        position = key.partition(":")[0]
        return (int(position) if position.isdigit() else 1 << 30, key)

    return "\n".join(
        f"{warning_code(k)}: {' '.join(acknowledged[k].split())}"
        for k in sorted(acknowledged, key=order)
    )
