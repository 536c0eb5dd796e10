"""The sampling and unlock policy: read by everyone, changed by supervisors only, every change
audited."""

from __future__ import annotations

from typing import Any

from reviewer.domain.access import Action
from reviewer.domain.policy import policy_problems
from reviewer.store import trail
from reviewer.store.errors import (
    UserError,
)
from reviewer.store.service.people import PeoplePart
from reviewer.store.tables import (
    PolicyRow,
)
from reviewer.store.views import (
    Policy,
    SignedIn,
)


class PolicyPart(PeoplePart):
    """The supervisor-set policy."""

    def policy(self) -> Policy:
        with self._read() as s:
            return _policy(self._policy_row(s))

    def set_policy(
        self,
        session: SignedIn,
        *,
        sample_confidence: float | None = None,
        sample_min_foreign_fraction: float | None = None,
        unlock_lapse_days: int | None = None,
        new_account_days: int | None = None,
    ) -> Policy:
        """Supervisors only (PermissionDenied), within the bounds of `reviewer.domain.policy`
        (UserError); every change is audited. Sampling applies to exports ingested afterwards
        (a stored sample never changes under a reviewer)."""
        problems = policy_problems(
            sample_confidence=sample_confidence,
            sample_min_foreign_fraction=sample_min_foreign_fraction,
            unlock_lapse_days=unlock_lapse_days,
            new_account_days=new_account_days,
        )
        if problems:
            raise UserError(next(iter(problems.values())))

        def go() -> Policy:
            with self._write() as s:
                now = self._stamp(s)
                supervisor = self._acting(s, session, Action.CHANGE_POLICY).name
                row = self._policy_row(s)
                before = _policy(row)
                if sample_confidence is not None:
                    row.sample_confidence = float(sample_confidence)
                if sample_min_foreign_fraction is not None:
                    row.sample_min_foreign_fraction = float(sample_min_foreign_fraction)
                if unlock_lapse_days is not None:
                    row.unlock_lapse_days = int(unlock_lapse_days)
                if new_account_days is not None:
                    row.new_account_days = int(new_account_days)
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


def _policy(r: PolicyRow) -> Policy:
    return Policy(
        sample_confidence=r.sample_confidence,
        sample_min_foreign_fraction=r.sample_min_foreign_fraction,
        unlock_lapse_days=r.unlock_lapse_days,
        new_account_days=r.new_account_days,
        updated_by=r.updated_by,
        updated_at=r.updated_at,
    )


def _policy_dict(p: Policy) -> dict[str, Any]:
    return {
        "sample_confidence": p.sample_confidence,
        "sample_min_foreign_fraction": p.sample_min_foreign_fraction,
        "unlock_lapse_days": p.unlock_lapse_days,
        "new_account_days": p.new_account_days,
    }
