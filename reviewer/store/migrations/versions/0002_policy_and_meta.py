"""Supervisor-set policy (sampling, unlock lapse) and store metadata (the demo mark).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import context, op

from reviewer.store.tables import UTCDateTime

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _now() -> datetime:
    """The store's clock, when the service hands one over (`reviewer.store.migrate.upgrade`)."""
    clock = context.config.attributes.get("clock")
    return clock() if clock is not None else datetime.now(UTC)


def upgrade() -> None:
    policy = op.create_table(
        "policy",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sample_confidence", sa.Float(), nullable=False),
        sa.Column("sample_min_foreign_fraction", sa.Float(), nullable=False),
        sa.Column("unlock_lapse_days", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_policy_single"),
        sa.CheckConstraint(
            "sample_confidence > 0 AND sample_confidence < 1", name="ck_policy_conf"
        ),
        sa.CheckConstraint(
            "sample_min_foreign_fraction > 0 AND sample_min_foreign_fraction <= 1",
            name="ck_policy_fraction",
        ),
        sa.CheckConstraint("unlock_lapse_days >= 1", name="ck_policy_lapse"),
    )
    # The documented defaults: 95% confidence of catching >= 5% foreign; unlock lapses after 7 days.
    op.bulk_insert(
        policy,
        [
            {
                "id": 1,
                "sample_confidence": 0.95,
                "sample_min_foreign_fraction": 0.05,
                "unlock_lapse_days": 7,
                "updated_by": "defaults",
                "updated_at": _now(),
            }
        ],
    )
    op.create_table(
        "store_meta",
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("store_meta")
    op.drop_table("policy")
