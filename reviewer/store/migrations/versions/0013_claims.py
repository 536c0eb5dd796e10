"""Work handed out: who holds each request, and the first decision reserved for them.

- ``claims``: one row per claim, assignment or hand-over (`reviewer.store.tables.ClaimRow`),
  open until released or replaced; the partial unique index ``ux_claims_open`` lets at most one
  be open per request, so two people claiming at once get one winner and one refusal;
- the triggers of `reviewer.store.triggers` (this set adds ``signoffs_first_claimed`` /
  ``signoffs_claim``: the first sign-off, or a rejection before any, of a request another
  person holds is refused). `TRIGGER_SET_DIGEST` is the digest of the set it installs.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reviewer.store import triggers
from reviewer.store.tables import UTCDateTime

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER_SET_DIGEST = "5294ec441a2296cb1bb98b670d94689fb7b119ad5af324172e8be44efd1a174a"


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id", sa.String(200), sa.ForeignKey("requests.request_id"), nullable=False
        ),
        sa.Column("holder_id", sa.Integer(), sa.ForeignKey("reviewers.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("by_id", sa.Integer(), sa.ForeignKey("reviewers.id"), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("ended", sa.String(20), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), sa.ForeignKey("reviewers.id"), nullable=True),
        sa.CheckConstraint("kind IN ('claim', 'assign', 'handover')", name="ck_claim_kind"),
        sa.CheckConstraint(
            "(ended_at IS NULL AND ended IS NULL AND ended_by_id IS NULL) OR "
            "(ended_at IS NOT NULL AND ended IN ('released', 'reassigned', 'handed-over') "
            "AND ended_by_id IS NOT NULL)",
            name="ck_claim_ended",
        ),
    )
    op.create_index(
        "ux_claims_open",
        "claims",
        ["request_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    if triggers.set_digest() == TRIGGER_SET_DIGEST:
        triggers.install(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in triggers.drop_ddl(dialect, [triggers.CLAIMS]):
        bind.exec_driver_sql(statement)
    op.drop_index("ux_claims_open", table_name="claims")
    op.drop_table("claims")
