"""The statutory clock: every extension, pause, resume and extension notice of a request.

- ``clock_changes``: one row per change (`reviewer.domain.deadline`), with who made it and
  why; the due date is computed from the ticket and these rows, never stored.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reviewer.store.tables import UTCDateTime

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clock_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id", sa.String(200), sa.ForeignKey("requests.request_id"), nullable=False
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), sa.ForeignKey("reviewers.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('extend', 'pause', 'resume', 'notice-sent')", name="ck_clock_change_kind"
        ),
        sa.CheckConstraint(
            "(kind = 'extend' AND months IN (1, 2)) OR (kind <> 'extend' AND months = 0)",
            name="ck_clock_change_months",
        ),
    )
    op.create_index("ix_clock_change_request", "clock_changes", ["request_id"])


def downgrade() -> None:
    op.drop_index("ix_clock_change_request", table_name="clock_changes")
    op.drop_table("clock_changes")
