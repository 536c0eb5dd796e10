"""The sampling and unlock policy: read by everyone, changed by supervisors only, every change
audited."""

from __future__ import annotations

from typing import Any

from reviewer.domain.signoff import (
    Role,
)
from reviewer.store import trail
from reviewer.store.errors import (
    UserError,
)
from reviewer.store.service.base import (
    ServiceBase,
)
from reviewer.store.tables import (
    PolicyRow,
)
from reviewer.store.views import (
    Policy,
)


def policy_problems(
    *,
    sample_confidence: float | None = None,
    sample_min_foreign_fraction: float | None = None,
    unlock_lapse_days: int | None = None,
) -> dict[str, str]:
    """What is wrong with these policy values (None: not being changed), one line each, keyed
    by the parameter's name; empty when they may be saved."""
    problems = {}
    if sample_confidence is not None and not 0.5 <= sample_confidence < 1:
        problems["sample_confidence"] = (
            "the sampling confidence must be at least 50% and below 100%"
        )
    if sample_min_foreign_fraction is not None and not 0 < sample_min_foreign_fraction <= 1:
        problems["sample_min_foreign_fraction"] = (
            "the foreign fraction to catch must be above 0% and at most 100%"
        )
    if unlock_lapse_days is not None and not 1 <= unlock_lapse_days <= 365:
        problems["unlock_lapse_days"] = "the unlock lapse must be 1 to 365 days"
    return problems


class PolicyPart(ServiceBase):
    """The supervisor-set policy."""

    def policy(self) -> Policy:
        with self._read() as s:
            return _policy(self._policy_row(s))

    def set_policy(
        self,
        supervisor: str,
        *,
        sample_confidence: float | None = None,
        sample_min_foreign_fraction: float | None = None,
        unlock_lapse_days: int | None = None,
    ) -> Policy:
        """Supervisors only (PermissionDenied); every change is audited. Applies to exports
        ingested afterwards (a stored sample never changes under a reviewer)."""
        problems = policy_problems(
            sample_confidence=sample_confidence,
            sample_min_foreign_fraction=sample_min_foreign_fraction,
            unlock_lapse_days=unlock_lapse_days,
        )
        if problems:
            raise UserError(next(iter(problems.values())))
        now = self._now()

        def go() -> Policy:
            with self._write() as s:
                self._require_role(s, supervisor, [Role.SUPERVISOR], "changing the policy")
                row = self._policy_row(s)
                before = _policy(row)
                if sample_confidence is not None:
                    row.sample_confidence = float(sample_confidence)
                if sample_min_foreign_fraction is not None:
                    row.sample_min_foreign_fraction = float(sample_min_foreign_fraction)
                if unlock_lapse_days is not None:
                    row.unlock_lapse_days = int(unlock_lapse_days)
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
        updated_by=r.updated_by,
        updated_at=r.updated_at,
    )


def _policy_dict(p: Policy) -> dict[str, Any]:
    return {
        "sample_confidence": p.sample_confidence,
        "sample_min_foreign_fraction": p.sample_min_foreign_fraction,
        "unlock_lapse_days": p.unlock_lapse_days,
    }
