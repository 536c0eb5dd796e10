"""What a decision rests on never changes, in the database itself.

The trigger set of `reviewer.store.triggers` with the group `FIXED_FACTS`: what ingest decided
about a version (archive, ticket, verdict, findings count, blocked flag) never changes, a
version is voided once and its round only grows; a release never changes but for a purge
emptying its receipt; a session's person, token and start never change and it ends once; an
account's active_since only moves forward. A terminal's database role may update these tables,
so before this an UPDATE could unblock a version, redirect a redelivery or date a session back.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

from reviewer.store import triggers

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER_SET_DIGEST = "c16e23a3763cdbfb8b8913fee5b97ac30a6baaf05a74efc90451bce6da248a22"


def upgrade() -> None:
    if triggers.set_digest() == TRIGGER_SET_DIGEST:
        triggers.install(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    for statement in triggers.drop_ddl(bind.dialect.name, [triggers.FIXED_FACTS]):
        bind.exec_driver_sql(statement)
