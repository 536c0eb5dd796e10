"""The decisions compared by what they left standing rather than row for event: whether each
account is disabled now (its last disable or enable), and the policy (the last policy change,
or the defaults)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from reviewer.domain.policy import DEFAULT_NEW_ACCOUNT_DAYS, DEFAULT_RETENTION_DAYS
from reviewer.domain.sampling import DEFAULT_CONFIDENCE, DEFAULT_MIN_FOREIGN_FRACTION
from reviewer.domain.signoff import DEFAULT_UNLOCK_LAPSE_DAYS
from reviewer.store.crosscheck.kind import Event
from reviewer.store.crosscheck.pairing import Problem

DEFAULT_POLICY = (
    DEFAULT_CONFIDENCE,
    DEFAULT_MIN_FOREIGN_FRACTION,
    DEFAULT_UNLOCK_LAPSE_DAYS,
    DEFAULT_NEW_ACCOUNT_DAYS,
    DEFAULT_RETENTION_DAYS,
)
POLICY_COLUMNS = (
    "sample_confidence",
    "sample_min_foreign_fraction",
    "unlock_lapse_days",
    "new_account_days",
    "retention_days",
)
STATE_ACTIONS = ("user-disable", "user-enable", "policy-change")


class State:
    """The accounts' disabled state and the policy as the trail leaves them, starting from
    what the marker recorded (`before`: the accounts disabled then, the policy then) at its
    event `since`."""

    def __init__(self, before: dict[str, Any], since: int) -> None:
        self.disabled: dict[str, bool] = dict.fromkeys(before.get("legacy_disabled") or [], True)
        self.policy: dict[str, Any] | None = before.get("policy")
        self.policy_seq = since

    def event(self, e: Event) -> None:
        if e.action in ("user-disable", "user-enable"):
            self.disabled[e.subject.removeprefix("reviewer:")] = e.action == "user-disable"
        elif e.action == "policy-change":
            self.policy, self.policy_seq = e.get("after") or {}, e.seq

    def disabled_problem(self, session: Session) -> str | None:
        """The first account (in id order) disabled or active in the store against what its
        events say."""
        for name, disabled in session.execute(
            sa.text("SELECT name, disabled FROM reviewers ORDER BY id")
        ):
            if bool(disabled) != self.disabled.get(name, False):
                state = "disabled" if disabled else "active"
                return (
                    f"account {name} is {state} in the store, but its audit events say "
                    f"otherwise: it was changed around the reviewer"
                )
        return None

    def policy_problem(self, session: Session) -> Problem | None:
        # A store read without migrating it (an auditor's copy) may predate a column: compare
        # the columns it has.
        present = {c["name"] for c in sa.inspect(session.connection()).get_columns("policy")}
        kept = [(c, d) for c, d in zip(POLICY_COLUMNS, DEFAULT_POLICY, strict=True) if c in present]
        stored = session.execute(
            sa.text(f"SELECT {', '.join(c for c, _ in kept)} FROM policy WHERE id = 1")
        ).first()
        if stored is None:
            return (0, "the policy row is missing")
        after = self.policy
        expected = tuple(d if not after else after.get(c, d) for c, d in kept)
        if not any(abs(float(a) - float(b)) > 1e-9 for a, b in zip(stored, expected, strict=True)):
            return None
        where = (
            f"event {self.policy_seq}, the last policy change or the marker"
            if after
            else "the defaults"
        )
        return (
            self.policy_seq,
            f"the policy in the store is not the one the audit trail says ({where}): "
            "it was changed around the reviewer",
        )
