"""The gate (may this reviewer sign now, and if not why) and the sign-off itself: passphrase
again, the domain's rules, then the database's constraints, all in one transaction."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session, select

from reviewer.domain.access import Actor
from reviewer.domain.corrections import Correction
from reviewer.domain.errors import first_line
from reviewer.domain.report import Report
from reviewer.domain.sampling import Sample
from reviewer.domain.signoff import (
    NOT_RECORDED,
    Evidence,
    InspectionKind,
    SampleRequirement,
    SignOffFact,
    SignOffRefused,
    check_sign_off,
    checklist_for,
    evaluate_gate,
    locked_out_text,
    warnings_to_ack,
    wrong_passphrase_text,
)
from reviewer.domain.states import Decision, Role, Stage
from reviewer.store import trail
from reviewer.store.crosscheck import passphrase_mark
from reviewer.store.errors import (
    NotFound,
    SignInError,
    SignOffError,
)
from reviewer.store.service import rows
from reviewer.store.service.people import People
from reviewer.store.service.rows import NO_INDEX
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import (
    ExportVersionRow,
    InspectionRow,
    ReviewerRow,
    SignOffRowT,
)
from reviewer.store.views import (
    Gate,
    Signer,
    SignOffRow,
)


class SignOffs:
    """Approve or reject one export version."""

    def __init__(self, uow: UnitOfWork, people: People):
        self._uow = uow
        self._people = people

    def gate(self, reviewer: str, version_id: int) -> Gate:
        with self._uow.read() as s:
            v = rows.version(s, version_id, *NO_INDEX)
            r = rows.reviewer(s, reviewer)
            if r is None:
                raise NotFound(f"no reviewer named {reviewer}")
            return self._gate(s, v, r)[0]

    def _gate(
        self, s: Session, v: ExportVersionRow, r: ReviewerRow
    ) -> tuple[Gate, int, tuple[Signer, ...]]:
        """The gate, the round a sign-off would go into, and that round's sign-offs."""
        vid = int(v.id or 0)
        state, current, round_, _exp = rows.state(s, v, self._uow.decision_now(s))
        findings = list(Report.from_dict(v.report).findings) + rows.mark_findings(s, v)
        sample = Sample.from_dict(v.sample)
        played: dict[str, float] = defaultdict(float)
        viewed: set[str] = set()
        for ins in s.execute(
            select(InspectionRow).where(
                (InspectionRow.version_id == vid) & (InspectionRow.reviewer_id == r.id)
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
            actor=Actor(int(r.id or 0), r.name, Role(r.role), active=not r.disabled),
            state=state,
            signoffs=[SignOffFact(f.name, f.role, f.stage, f.decision, f.at) for f in current],
            findings=findings,
            sample=[
                SampleRequirement(i.member, i.duration_s, i.has_transcript) for i in sample.items
            ],
            evidence=evidence,
            hold=rows.holds_of(s, [v.request_id]).get(v.request_id),
        )
        gate = Gate(
            allowed=decision.allowed,
            stage=decision.stage,
            reasons=decision.reasons,
            warnings=warnings_to_ack(findings),
            # The one statement the dialog shows and the sign-off records.
            sampling_statement=sample.statement(sample.size - len(decision.missing), findings),
            can_reject=decision.can_reject,
            reject_reasons=decision.reject_reasons,
            missing=decision.missing,
            checklist=checklist_for(v.corrected_from_id is not None),
            corrections=_correction_lines(v.correction),
            proof=_proof_lines(v.correction),
            marks=tuple(
                f"{m.kind.words}: {m.target_kind.value} {m.target} (by {m.reviewer})"
                + (f": {m.note}" if m.note else "")
                for m in rows.marks(s, vid)
            ),
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
        acks = {str(k): str(v) for k, v in (acknowledgements or {}).items()}
        marks = self._check_signer(name, passphrase)
        key = self._people.unlock(name, passphrase)  # signs the sign-off's event
        # Another sign-off taking this stage at the same moment: re-evaluate, which refuses
        # with the reason now that it is committed.
        return self._people.refusing_uncertified(
            name,
            "sign-off",
            lambda: self._uow.transact_or_refuse(
                lambda exc: SignOffError([f"the store refused this sign-off: {first_line(exc)}"]),
                self._sign,
                name,
                version_id,
                decision,
                note,
                checklist or {},
                acks,
                marks,
                key,
            ),
            then=f": {NOT_RECORDED}.",
        )

    def _sign(
        self,
        s: Session,
        name: str,
        version_id: int,
        decision: Decision,
        note: str,
        checklist: dict[str, bool],
        acks: dict[str, str],
        marks: dict[str, str],
        key: Ed25519PrivateKey | None,
    ) -> SignOffRow:
        now = self._uow.stamp(s)
        v = rows.lock_version(s, version_id)
        r = rows.reviewer(s, name)
        assert r is not None
        self._people.hold_key(s, r, key, now)
        gate, round_, current = self._gate(s, v, r)
        answers = {k: bool(checklist.get(k, False)) for k, _ in gate.checklist}
        try:
            check_sign_off(
                gate.as_decision(),
                decision=decision,
                note=note,
                checklist=answers,
                acknowledgements=acks,
                warnings=gate.warnings,
                items=gate.checklist,
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
        first = next((f for f in current if f.stage is Stage.FIRST), None)
        first_id = None
        if gate.stage is Stage.SECOND:
            first_id = rows.signoff_id(s, int(v.id or 0), round_, Stage.FIRST)
        statement = gate.sampling_statement  # exactly what the dialog showed
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
                **marks,
            },
            at=now,
        )
        return rows.signoff_row(s, row, v, r.name)

    def _check_signer(self, name: str, passphrase: str) -> dict[str, str]:
        """The passphrase again; the marks of the hash that verified it and of the one held
        after it, for the event. A refusal says what it means for this sign-off: how many
        tries are left before the lockout, or until when the signer is locked out."""
        try:
            row, was = self._people.verify(name, passphrase, purpose="sign-off")
            return {"was": was, "key": passphrase_mark(row.passphrase_hash)}
        except SignInError as exc:
            failures, locked = self._people.lockout_of(name)
            if locked is not None:
                raise SignInError(locked_out_text(locked)) from None
            if failures:
                raise SignInError(wrong_passphrase_text(failures)) from None
            said = str(exc)
            raise SignInError(f"{said[:1].upper()}{said[1:]}: {NOT_RECORDED}.") from None

    def reject(self, name: str, passphrase: str, version_id: int, note: str) -> SignOffRow:
        return self.sign_off(name, passphrase, version_id, Decision.REJECT, note)


def _correction_lines(correction: dict[str, Any] | None) -> tuple[str, ...]:
    """A corrected version's corrections, one line each: what, why, by whom."""
    if not correction:
        return ()
    lines = []
    for c in correction.get("corrections", []):
        what = Correction.from_dict(c)
        lines.append(f"{what.words} ({what.reason.words}; {c.get('by')}): {what.note}".rstrip(": "))
    return tuple(lines)


def _proof_lines(correction: dict[str, Any] | None) -> tuple[str, ...]:
    if not correction:
        return ()
    return tuple(
        f"{'proven' if c['ok'] else 'FAILED'}: {c['what']} ({c['detail']})"
        for c in (correction.get("proof") or {}).get("checks", [])
    )
