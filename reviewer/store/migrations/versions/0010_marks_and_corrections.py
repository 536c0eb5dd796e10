"""Making a flagged export right: reviewers' marks, proposed corrections, and corrected
versions.

- ``marks``: a reviewer's own finding on one item of a version (a recording, a catalogue entry,
  a member): foreign, third party or doubtful, with a note; withdrawn, never deleted.
- ``corrections``: a correction proposed on a version, with its reason category and note;
  ``applied_version_id`` names the corrected version built with it.
- ``export_versions.corrected_from_id`` and ``correction``: a corrected version names the
  version it was built from, and records the corrections, the plan, the build and its proof.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reviewer.store.tables import UTCDateTime

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE export_versions ADD COLUMN corrected_from_id INTEGER "
        "REFERENCES export_versions (id)"
    )
    op.add_column("export_versions", sa.Column("correction", sa.JSON(), nullable=True))
    op.create_table(
        "marks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("export_versions.id"), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey("reviewers.id"), nullable=False),
        sa.Column("target_kind", sa.String(20), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('foreign', 'third-party', 'doubtful')", name="ck_mark_kind"),
        sa.CheckConstraint(
            "target_kind IN ('recording', 'entry', 'member')", name="ck_mark_target_kind"
        ),
    )
    op.create_index("ix_mark_version", "marks", ["version_id"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("export_versions.id"), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey("reviewers.id"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column(
            "applied_version_id", sa.Integer(), sa.ForeignKey("export_versions.id"), nullable=True
        ),
        sa.CheckConstraint(
            "kind IN ('withhold-member', 'withhold-utterance', 'withhold-records', "
            "'redact-text', 'silence')",
            name="ck_correction_kind",
        ),
        sa.CheckConstraint(
            "reason IN ('not-requesters', 'third-party', 'other')", name="ck_correction_reason"
        ),
    )
    op.create_index("ix_correction_version", "corrections", ["version_id"])


def downgrade() -> None:
    op.drop_index("ix_correction_version", table_name="corrections")
    op.drop_table("corrections")
    op.drop_index("ix_mark_version", table_name="marks")
    op.drop_table("marks")
    op.drop_column("export_versions", "correction")
    op.drop_column("export_versions", "corrected_from_id")
