"""The sampling, unlock and retention policy: read by everyone, changed by supervisors only, every change
audited."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from reviewer.domain.access import Action
from reviewer.domain.policy import policy_problems
from reviewer.store import trail
from reviewer.store.errors import (
    UserError,
)
from reviewer.store.service import rows
from reviewer.store.service.people import People
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import (
    PolicyRow,
)
from reviewer.store.views import (
    Policy,
    SignedIn,
)


class Policies:
    """The supervisor-set policy."""

    def __init__(self, uow: UnitOfWork, people: People):
        self._uow = uow
        self._people = people

    def policy(self) -> Policy:
        with self._uow.read() as s:
            return _policy(rows.policy_row(s))

    def set_policy(
        self,
        session: SignedIn,
        *,
        sample_confidence: float | None = None,
        sample_min_foreign_fraction: float | None = None,
        unlock_lapse_days: int | None = None,
        new_account_days: int | None = None,
        retention_days: int | None = None,
    ) -> Policy:
        """Supervisors only (PermissionDenied), within the bounds of `reviewer.domain.policy`
        (UserError); every change is audited. Sampling applies to exports ingested afterwards
        (a stored sample never changes under a reviewer)."""
        problems = policy_problems(
            sample_confidence=sample_confidence,
            sample_min_foreign_fraction=sample_min_foreign_fraction,
            unlock_lapse_days=unlock_lapse_days,
            new_account_days=new_account_days,
            retention_days=retention_days,
        )
        if problems:
            raise UserError(next(iter(problems.values())))
        changes = {
            "sample_confidence": sample_confidence,
            "sample_min_foreign_fraction": sample_min_foreign_fraction,
            "unlock_lapse_days": unlock_lapse_days,
            "new_account_days": new_account_days,
            "retention_days": retention_days,
        }
        return self._uow.transact(self._change, session, changes)

    def _change(
        self, s: Session, session: SignedIn, changes: dict[str, float | int | None]
    ) -> Policy:
        now = self._uow.stamp(s)
        supervisor = self._people.acting(s, session, Action.CHANGE_POLICY).name
        row = rows.policy_row(s)
        before = _policy(row)
        if (confidence := changes["sample_confidence"]) is not None:
            row.sample_confidence = float(confidence)
        if (fraction := changes["sample_min_foreign_fraction"]) is not None:
            row.sample_min_foreign_fraction = float(fraction)
        if (lapse := changes["unlock_lapse_days"]) is not None:
            row.unlock_lapse_days = int(lapse)
        if (days := changes["new_account_days"]) is not None:
            row.new_account_days = int(days)
        if (kept := changes["retention_days"]) is not None:
            row.retention_days = int(kept)
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


def _policy(r: PolicyRow) -> Policy:
    return Policy(
        sample_confidence=r.sample_confidence,
        sample_min_foreign_fraction=r.sample_min_foreign_fraction,
        unlock_lapse_days=r.unlock_lapse_days,
        new_account_days=r.new_account_days,
        retention_days=r.retention_days,
        updated_by=r.updated_by,
        updated_at=r.updated_at,
    )


def _policy_dict(p: Policy) -> dict[str, Any]:
    return {
        "sample_confidence": p.sample_confidence,
        "sample_min_foreign_fraction": p.sample_min_foreign_fraction,
        "unlock_lapse_days": p.unlock_lapse_days,
        "new_account_days": p.new_account_days,
        "retention_days": p.retention_days,
    }
