"""The supervisor-set policy and the bounds a regulator would accept. Pure: no I/O.

The service refuses values outside these bounds (`policy_problems`), and the database refuses
them again (migration 0008), so a supervisor cannot shrink the sample to a single recording
and nobody can do it in SQL either.
"""

from __future__ import annotations

from reviewer.domain.sampling import DEFAULT_CONFIDENCE, DEFAULT_MIN_FOREIGN_FRACTION
from reviewer.domain.signoff import DEFAULT_UNLOCK_LAPSE_DAYS

# Sampling: at least 90% confidence of catching at most a 10% share of foreign recordings.
MIN_CONFIDENCE = 0.90
MAX_CONFIDENCE = 0.999
MIN_FOREIGN_FRACTION = 0.001
MAX_FOREIGN_FRACTION = 0.10
# An unlocked export must be released within this many days, or both sign-offs lapse.
MIN_LAPSE_DAYS = 1
MAX_LAPSE_DAYS = 30
# A signer whose account was created or re-enabled fewer days than this before signing is
# flagged on the supervisor screen (0 turns the flag off).
DEFAULT_NEW_ACCOUNT_DAYS = 7
MAX_NEW_ACCOUNT_DAYS = 365
# A released or rejected request's personal content is kept this many days, then purged
# (`reviewer.domain.retention`). 0 purges it as soon as the decision is made; the upper bound
# is six years, the longest limitation period a claim about a disclosure could be brought in.
DEFAULT_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 6 * 366

__all__ = [
    "DEFAULT_CONFIDENCE",
    "DEFAULT_MIN_FOREIGN_FRACTION",
    "DEFAULT_NEW_ACCOUNT_DAYS",
    "DEFAULT_RETENTION_DAYS",
    "DEFAULT_UNLOCK_LAPSE_DAYS",
    "MAX_CONFIDENCE",
    "MAX_FOREIGN_FRACTION",
    "MAX_LAPSE_DAYS",
    "MAX_NEW_ACCOUNT_DAYS",
    "MAX_RETENTION_DAYS",
    "MIN_CONFIDENCE",
    "MIN_FOREIGN_FRACTION",
    "MIN_LAPSE_DAYS",
    "policy_problems",
]


def _pct(x: float) -> str:
    return f"{x * 100:g}%"


def policy_problems(
    *,
    sample_confidence: float | None = None,
    sample_min_foreign_fraction: float | None = None,
    unlock_lapse_days: int | None = None,
    new_account_days: int | None = None,
    retention_days: int | None = None,
) -> dict[str, str]:
    """What is wrong with these policy values (None: not being changed), one line each, keyed
    by the parameter's name; empty when they may be saved."""
    problems = {}
    if sample_confidence is not None and not (
        MIN_CONFIDENCE <= sample_confidence <= MAX_CONFIDENCE
    ):
        problems["sample_confidence"] = (
            f"the sampling confidence must be {_pct(MIN_CONFIDENCE)} to {_pct(MAX_CONFIDENCE)}"
        )
    if sample_min_foreign_fraction is not None and not (
        MIN_FOREIGN_FRACTION <= sample_min_foreign_fraction <= MAX_FOREIGN_FRACTION
    ):
        problems["sample_min_foreign_fraction"] = (
            f"the foreign share to catch must be {_pct(MIN_FOREIGN_FRACTION)} to "
            f"{_pct(MAX_FOREIGN_FRACTION)}"
        )
    if unlock_lapse_days is not None and not MIN_LAPSE_DAYS <= unlock_lapse_days <= MAX_LAPSE_DAYS:
        problems["unlock_lapse_days"] = (
            f"the unlock lapse must be {MIN_LAPSE_DAYS} to {MAX_LAPSE_DAYS} days"
        )
    if new_account_days is not None and not 0 <= new_account_days <= MAX_NEW_ACCOUNT_DAYS:
        problems["new_account_days"] = (
            f"the new-account flag period must be 0 to {MAX_NEW_ACCOUNT_DAYS} days"
        )
    if retention_days is not None and not 0 <= retention_days <= MAX_RETENTION_DAYS:
        problems["retention_days"] = f"the retention period must be 0 to {MAX_RETENTION_DAYS} days"
    return problems
