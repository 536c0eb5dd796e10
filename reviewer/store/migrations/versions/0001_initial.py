"""The four-eyes store: requests, export versions, reviewers, inspections, sign-offs, releases.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reviewer.store.tables import UTCDateTime

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("request_id", sa.String(200), primary_key=True),
        sa.Column("customer_id", sa.String(200), nullable=False),
        sa.Column("requester_name", sa.String(400), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("ticket", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "export_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "request_id", sa.String(200), sa.ForeignKey("requests.request_id"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("archive_sha256", sa.String(64), nullable=False),
        sa.Column("archive_path", sa.Text(), nullable=False),
        sa.Column("archive_bytes", sa.BigInteger(), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("critical", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("index_summary", sa.JSON(), nullable=False),
        sa.Column("sample", sa.JSON(), nullable=False),
        sa.Column("sampling_statement", sa.Text(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("ingested_at", UTCDateTime(), nullable=False),
        sa.Column("ingested_by", sa.String(200), nullable=False),
        sa.Column("voided_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("request_id", "number", name="uq_version_number"),
        sa.UniqueConstraint("id", "archive_sha256", name="uq_version_sha"),
        sa.UniqueConstraint("id", "blocked", name="uq_version_blocked"),
        sa.CheckConstraint("length(archive_sha256) = 64", name="ck_version_sha_len"),
        sa.CheckConstraint(
            "(blocked AND critical > 0) OR (NOT blocked AND critical = 0)",
            name="ck_version_blocked",
        ),
        sa.CheckConstraint("round >= 1", name="ck_version_round"),
    )
    op.create_index("ix_version_request", "export_versions", ["request_id"])
    op.create_table(
        "reviewers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("passphrase_hash", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("id", "role", name="uq_reviewer_role"),
        sa.CheckConstraint(
            "role IN ('reviewer', 'approver', 'supervisor')", name="ck_reviewer_role"
        ),
        sa.CheckConstraint("failed_count >= 0", name="ck_reviewer_failed"),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("export_versions.id"), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey("reviewers.id"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('opened', 'played', 'viewed_transcript', 'viewed_member')",
            name="ck_inspection_kind",
        ),
        sa.CheckConstraint("seconds >= 0", name="ck_inspection_seconds"),
    )
    op.create_index("ix_inspection_version_reviewer", "inspections", ["version_id", "reviewer_id"])
    op.create_table(
        "signoffs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_role", sa.String(20), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("archive_sha256", sa.String(64), nullable=False),
        sa.Column("version_blocked", sa.Boolean(), nullable=False),
        sa.Column("first_signoff_id", sa.Integer(), nullable=True),
        sa.Column("first_stage", sa.Integer(), nullable=True),
        sa.Column("first_decision", sa.String(10), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("acknowledged", sa.JSON(), nullable=False),
        sa.Column("sampling_statement", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("version_id", "round", "stage", name="uq_signoff_stage"),
        sa.UniqueConstraint("version_id", "round", "reviewer_id", name="uq_signoff_reviewer"),
        sa.UniqueConstraint("id", "stage", "decision", name="uq_signoff_stage_decision"),
        sa.ForeignKeyConstraint(
            ["version_id", "archive_sha256"],
            ["export_versions.id", "export_versions.archive_sha256"],
            name="fk_signoff_version_sha",
        ),
        sa.ForeignKeyConstraint(
            ["version_id", "version_blocked"],
            ["export_versions.id", "export_versions.blocked"],
            name="fk_signoff_version_blocked",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id", "reviewer_role"],
            ["reviewers.id", "reviewers.role"],
            name="fk_signoff_reviewer_role",
        ),
        sa.ForeignKeyConstraint(
            ["first_signoff_id", "first_stage", "first_decision"],
            ["signoffs.id", "signoffs.stage", "signoffs.decision"],
            name="fk_signoff_first",
        ),
        sa.CheckConstraint("stage IN (1, 2)", name="ck_signoff_stage"),
        sa.CheckConstraint("decision IN ('approve', 'reject')", name="ck_signoff_decision"),
        sa.CheckConstraint(
            "reviewer_role IN ('reviewer', 'approver')", name="ck_signoff_no_supervisor"
        ),
        sa.CheckConstraint(
            "stage = 1 OR reviewer_role = 'approver'", name="ck_signoff_second_approver"
        ),
        sa.CheckConstraint(
            "NOT (version_blocked AND decision = 'approve')", name="ck_signoff_blocked"
        ),
        sa.CheckConstraint(
            "(stage = 1 AND first_signoff_id IS NULL)"
            " OR (stage = 2 AND first_signoff_id IS NOT NULL"
            " AND first_stage = 1 AND first_decision = 'approve')",
            name="ck_signoff_follows_first",
        ),
    )
    op.create_index("ix_signoff_version", "signoffs", ["version_id"])
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("archive_sha256", sa.String(64), nullable=False),
        sa.Column("signoff_id", sa.Integer(), nullable=False),
        sa.Column("signoff_stage", sa.Integer(), nullable=False),
        sa.Column("signoff_decision", sa.String(10), nullable=False),
        sa.Column("released_by", sa.String(200), nullable=False),
        sa.Column("released_at", UTCDateTime(), nullable=False),
        sa.Column("outbox_path", sa.Text(), nullable=False),
        sa.Column("receipt", sa.JSON(), nullable=False),
        sa.UniqueConstraint("version_id", name="uq_release_version"),
        sa.ForeignKeyConstraint(
            ["version_id", "archive_sha256"],
            ["export_versions.id", "export_versions.archive_sha256"],
            name="fk_release_version_sha",
        ),
        sa.ForeignKeyConstraint(
            ["signoff_id", "signoff_stage", "signoff_decision"],
            ["signoffs.id", "signoffs.stage", "signoffs.decision"],
            name="fk_release_signoff",
        ),
        sa.CheckConstraint(
            "signoff_stage = 2 AND signoff_decision = 'approve'", name="ck_release_approved"
        ),
    )


def downgrade() -> None:
    for table in (
        "releases",
        "signoffs",
        "inspections",
        "reviewers",
        "export_versions",
        "requests",
    ):
        op.drop_table(table)
