"""Nothing kept longer than needed: the retention period, and what a purge left of a request.

- ``policy.retention_days``: how many days a released or rejected request's personal content
  is kept before `reviewer purge` removes it (default 30; 0 to 2196, `reviewer.domain.policy`).
  The bounds are the policy triggers on SQLite and the CHECK constraint ``ck_policy_bounds``
  on PostgreSQL, both with the new column.
- ``requests.purged_at`` and ``requests.purge``: when the request's personal content was
  purged, and what was removed (counts, the disclosure record's digest); its audit event is
  the ``purge`` event.
- The trigger set of `reviewer.store.triggers` with the sign-off group: a sign-off is never
  deleted and what it decided never changes; only the purge of its request empties its note,
  acknowledgements and sampling statement.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reviewer.domain.policy import (
    DEFAULT_RETENTION_DAYS,
    MAX_CONFIDENCE,
    MAX_FOREIGN_FRACTION,
    MAX_LAPSE_DAYS,
    MAX_NEW_ACCOUNT_DAYS,
    MAX_RETENTION_DAYS,
    MIN_CONFIDENCE,
    MIN_FOREIGN_FRACTION,
    MIN_LAPSE_DAYS,
)
from reviewer.store import triggers
from reviewer.store.tables import UTCDateTime

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER_SET_DIGEST = "ec0bf17022ff2499a8bb185c9e0b2b4d5bd3db249f66955c1143fb888ab97444"

_BOUNDS_0008 = (
    f"sample_confidence >= {MIN_CONFIDENCE} AND sample_confidence <= {MAX_CONFIDENCE}"
    f" AND sample_min_foreign_fraction >= {MIN_FOREIGN_FRACTION}"
    f" AND sample_min_foreign_fraction <= {MAX_FOREIGN_FRACTION}"
    f" AND unlock_lapse_days >= {MIN_LAPSE_DAYS} AND unlock_lapse_days <= {MAX_LAPSE_DAYS}"
    f" AND new_account_days >= 0 AND new_account_days <= {MAX_NEW_ACCOUNT_DAYS}"
)
BOUNDS = f"{_BOUNDS_0008} AND retention_days >= 0 AND retention_days <= {MAX_RETENTION_DAYS}"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column(
        "policy",
        sa.Column(
            "retention_days",
            sa.Integer(),
            nullable=False,
            server_default=str(DEFAULT_RETENTION_DAYS),
        ),
    )
    op.add_column("requests", sa.Column("purged_at", UTCDateTime(), nullable=True))
    op.add_column("requests", sa.Column("purge", sa.JSON(), nullable=True))
    if postgres:
        op.execute("ALTER TABLE policy DROP CONSTRAINT IF EXISTS ck_policy_bounds")
        op.execute(f"ALTER TABLE policy ADD CONSTRAINT ck_policy_bounds CHECK ({BOUNDS})")
    if triggers.set_digest() == TRIGGER_SET_DIGEST:
        triggers.install(op.get_bind())


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    bind = op.get_bind()
    if postgres:
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS signoffs_fixed ON signoffs")
        bind.exec_driver_sql("DROP FUNCTION IF EXISTS signoff_fixed()")
        op.execute("ALTER TABLE policy DROP CONSTRAINT IF EXISTS ck_policy_bounds")
        op.execute(f"ALTER TABLE policy ADD CONSTRAINT ck_policy_bounds CHECK ({_BOUNDS_0008})")
    else:
        for name in ("signoffs_fixed", "signoffs_no_delete", "policy_bounds_update",
                     "policy_bounds_insert"):  # fmt: skip
            bind.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("purge")
        batch.drop_column("purged_at")
    with op.batch_alter_table("policy") as batch:
        batch.drop_column("retention_days")
    if not postgres:  # the policy bounds of 0011's set, over the columns left
        for statement in triggers.create_ddl("sqlite", [triggers.POLICY]):
            bind.exec_driver_sql(
                statement.replace(
                    f"\n  AND NEW.retention_days >= 0 AND NEW.retention_days <= {MAX_RETENTION_DAYS}",
                    "",
                )
            )
