"""Personal keys: the key the trail last certified for an account is looked up at every
sign-in and sign-off, by ``audit_event(subject, action)``
(`reviewer.store.service.people.certified_key`).

This revision also marks the era of personal signatures in the schema: a terminal of an
earlier version, which would write decisions without them, finds a revision it does not know
and does not open the store.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a store made at this version has it already: migration 0003 creates the audit tables
    # from their current model
    op.create_index(
        "ix_audit_event_subject_action", "audit_event", ["subject", "action"], if_not_exists=True
    )


def downgrade() -> None:
    op.drop_index("ix_audit_event_subject_action", table_name="audit_event", if_exists=True)
