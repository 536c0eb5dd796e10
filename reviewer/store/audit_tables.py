"""The audit trail's tables and the triggers that keep them append-only.

Tables (registered on ``SQLModel.metadata`` when this module is imported):

- ``audit_event`` (`AuditEvent`): ``seq`` (primary key, from 1 without gaps), ``at`` (UTC text,
  ``YYYY-MM-DDTHH:MM:SS.ffffffZ``), ``actor``, ``action``, ``subject``, ``payload`` (canonical
  JSON text), ``prev_hash`` and ``hash`` (lowercase hex). See `reviewer.domain.audit`.
- ``audit_checkpoint`` (`AuditCheckpoint`): signed checkpoints (``size``, ``head``, ``at``,
  ``signature``, ``key_id``).
- ``audit_text`` (`AuditText`): the texts people typed that an event's payload seals
  (`reviewer.domain.audit.sealed`): ``seq`` (the event's), ``request_id`` (the request it is
  about, so a purge finds them), ``salt`` (hex) and ``texts`` (canonical JSON). Rows are added
  with their event, never changed, and deleted only by the purge of their request (the
  audit-texts group of `reviewer.store.triggers`, migration 0015).

The triggers that keep them append-only and in order are the audit-trail group of
`reviewer.store.triggers` (where every trigger of the store is listed); `append_only_ddl` and
`drop_append_only_ddl` give that group's statements, for migration 0003 (which creates the two
tables and then runs `append_only_ddl`) and for loading a trail in bulk (drop, load, create
again). They make the database refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on both
tables, and an event whose ``seq`` is not the next number or whose ``prev_hash`` is not the
current head's hash. The triggers stop mistakes and casual edits; they are no evidence (whoever
owns the database can drop them): the hash chain and the signed checkpoints are.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from reviewer.store import triggers

EVENT_TABLE = "audit_event"
CHECKPOINT_TABLE = "audit_checkpoint"
TEXT_TABLE = "audit_text"
APPEND_ONLY_TABLES = (EVENT_TABLE, CHECKPOINT_TABLE)


class AuditEvent(SQLModel, table=True):
    __tablename__ = EVENT_TABLE
    __table_args__ = (
        sa.CheckConstraint("seq >= 1", name="ck_audit_event_seq"),
        # an account's certified personal key, looked up at every sign-in (migration 0017)
        sa.Index("ix_audit_event_subject_action", "subject", "action"),
    )

    # INTEGER on SQLite makes seq the rowid itself (the table is stored in seq order).
    seq: int = Field(
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        )
    )
    at: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    actor: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    action: str = Field(sa_column=sa.Column(sa.Text(), nullable=False, index=True))
    subject: str = Field(sa_column=sa.Column(sa.Text(), nullable=False, index=True))
    payload: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    prev_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))


class AuditCheckpoint(SQLModel, table=True):
    __tablename__ = CHECKPOINT_TABLE

    id: int | None = Field(default=None, primary_key=True)
    size: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False, index=True))
    head: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    at: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    signature: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    key_id: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))


class AuditText(SQLModel, table=True):
    __tablename__ = TEXT_TABLE

    seq: int = Field(
        sa_column=sa.Column(
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        )
    )
    request_id: str = Field(sa_column=sa.Column(sa.Text(), nullable=False, index=True))
    salt: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    texts: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))


def audit_tables() -> list[sa.Table]:
    return [AuditEvent.__table__, AuditCheckpoint.__table__]  # type: ignore[attr-defined]


def append_only_ddl(dialect: str) -> list[str]:
    """Statements (re)creating the append-only and in-order triggers for `dialect`: any left in
    place are dropped first, so running them twice is harmless."""
    group = [triggers.AUDIT_TRAIL]
    return [*triggers.drop_ddl(dialect, group), *triggers.create_ddl(dialect, group)]


def drop_append_only_ddl(dialect: str) -> list[str]:
    """Statements removing what `append_only_ddl` created (for a downgrade, or a bulk load)."""
    return triggers.drop_ddl(dialect, [triggers.AUDIT_TRAIL])


def create_audit_schema(connection: sa.Connection) -> None:
    """Create the trail's tables (the sealed texts' too) and the chain's triggers on
    `connection` (for stores made without Alembic)."""
    SQLModel.metadata.create_all(
        connection,
        tables=[*audit_tables(), AuditText.__table__],  # type: ignore[attr-defined]
    )
    for statement in append_only_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)
