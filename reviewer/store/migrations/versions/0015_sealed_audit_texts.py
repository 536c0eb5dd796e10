"""What people typed, sealed beside the audit chain so a purge can remove it.

- ``audit_text`` (`reviewer.store.audit_tables.AuditText`): the texts an event seals (notes,
  reasons, acknowledgements, sampling statements, correction targets; see
  `reviewer.domain.audit.sealed`), one row per event: the event's ``seq``, the request it is
  about, the salt and the texts. The event's payload holds their digest instead of the texts.
- The trigger set of `reviewer.store.triggers` with two new groups: sealed texts are added only
  beside the newest event, never changed, and deleted only once their request is purged; and
  nothing more (claims, clock changes, marks, corrections, deliveries) is written about a
  purged request.

Events recorded before this migration keep their texts in their payloads (the chain's hashes
cover them); only events recorded from now on seal them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reviewer.store import triggers

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER_SET_DIGEST = "5f654af06fcad9a735163001c6029aa1c84554f7a6374e6e26425f1abb6ee6ed"


def upgrade() -> None:
    op.create_table(
        "audit_text",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("texts", sa.Text(), nullable=False),
    )
    op.create_index("ix_audit_text_request_id", "audit_text", ["request_id"])
    if triggers.set_digest() == TRIGGER_SET_DIGEST:
        triggers.install(op.get_bind())


def downgrade() -> None:
    bind = op.get_bind()
    groups = [triggers.AUDIT_TEXTS, triggers.PURGED_CLOSED]
    for statement in triggers.drop_ddl(bind.dialect.name, groups):
        bind.exec_driver_sql(statement)
    op.drop_index("ix_audit_text_request_id", table_name="audit_text")
    op.drop_table("audit_text")
