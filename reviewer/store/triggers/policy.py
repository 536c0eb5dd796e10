"""The policy: its bounds, on SQLite (on PostgreSQL a CHECK constraint holds them)."""

from __future__ import annotations

from reviewer.domain.policy import (
    MAX_CONFIDENCE,
    MAX_FOREIGN_FRACTION,
    MAX_LAPSE_DAYS,
    MAX_NEW_ACCOUNT_DAYS,
    MAX_RETENTION_DAYS,
    MIN_CONFIDENCE,
    MIN_FOREIGN_FRACTION,
    MIN_LAPSE_DAYS,
)
from reviewer.store.triggers.model import Group, Trigger

POLICY_MSG = "the policy is outside the bounds a regulator accepts"
_POLICY_OK = (
    f"NEW.sample_confidence >= {MIN_CONFIDENCE} AND NEW.sample_confidence <= {MAX_CONFIDENCE}"
    f"\n  AND NEW.sample_min_foreign_fraction >= {MIN_FOREIGN_FRACTION}"
    f" AND NEW.sample_min_foreign_fraction <= {MAX_FOREIGN_FRACTION}"
    f"\n  AND NEW.unlock_lapse_days >= {MIN_LAPSE_DAYS}"
    f" AND NEW.unlock_lapse_days <= {MAX_LAPSE_DAYS}"
    f"\n  AND NEW.new_account_days >= 0 AND NEW.new_account_days <= {MAX_NEW_ACCOUNT_DAYS}"
    f"\n  AND NEW.retention_days >= 0 AND NEW.retention_days <= {MAX_RETENTION_DAYS}"
)

POLICY = Group(
    "The policy stays within the bounds of reviewer.domain.policy",
    sqlite=(
        Trigger(
            "policy_bounds_update",
            "policy",
            "A changed policy stays within the bounds of reviewer.domain.policy.",
            f"CREATE TRIGGER policy_bounds_update BEFORE UPDATE ON policy\n"
            f"WHEN NOT ({_POLICY_OK})\n"
            f"BEGIN SELECT RAISE(ABORT, '{POLICY_MSG}'); END",
        ),
        Trigger(
            "policy_bounds_insert",
            "policy",
            "A policy row stays within the bounds of reviewer.domain.policy.",
            f"CREATE TRIGGER policy_bounds_insert BEFORE INSERT ON policy\n"
            f"WHEN NOT ({_POLICY_OK})\n"
            f"BEGIN SELECT RAISE(ABORT, '{POLICY_MSG}'); END",
        ),
    ),
    postgresql_functions=(),
    postgresql=(),
    note="On PostgreSQL the same bounds are the CHECK constraint ck_policy_bounds (migrations "
    "0008 and 0014), not a trigger.",
)
