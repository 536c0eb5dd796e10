"""Played time is bounded by the wall time that passed: the service sums what one person
recorded as played since their session began, by ``inspections(reviewer_id, at)``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_inspection_reviewer_at", "inspections", ["reviewer_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_inspection_reviewer_at", table_name="inspections")
