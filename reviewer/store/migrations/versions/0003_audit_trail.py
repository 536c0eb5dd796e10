"""The audit trail: hash-chained events, signed checkpoints, append-only triggers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

from reviewer.store.audit_tables import append_only_ddl, audit_tables, drop_append_only_ddl

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in audit_tables():
        table.create(bind)
    for statement in append_only_ddl(bind.dialect.name):
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in drop_append_only_ddl(bind.dialect.name):
        op.execute(statement)
    for table in reversed(audit_tables()):
        table.drop(bind)
