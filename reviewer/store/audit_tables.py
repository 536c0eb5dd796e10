"""The audit trail's tables and the triggers that keep them append-only.

Tables (registered on ``SQLModel.metadata`` when this module is imported):

- ``audit_event`` (`AuditEvent`): ``seq`` (primary key, from 1 without gaps), ``at`` (UTC text,
  ``YYYY-MM-DDTHH:MM:SS.ffffffZ``), ``actor``, ``action``, ``subject``, ``payload`` (canonical
  JSON text), ``prev_hash`` and ``hash`` (lowercase hex). See `reviewer.domain.audit`.
- ``audit_checkpoint`` (`AuditCheckpoint`): signed checkpoints (``size``, ``head``, ``at``,
  ``signature``, ``key_id``).

For the migration that creates them::

    from reviewer.store.audit_tables import AuditCheckpoint, AuditEvent, append_only_ddl
    # create AuditEvent.__table__ and AuditCheckpoint.__table__, then
    for statement in append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    # and on downgrade, before dropping the tables:
    for statement in drop_append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)

`append_only_ddl` makes the database refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on
both tables, and refuse an event whose ``seq`` is not the next number or whose ``prev_hash`` is
not the current head's hash. The triggers stop mistakes and casual edits; they are no evidence
(whoever owns the database can drop them): the hash chain and the signed checkpoints are.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from reviewer.domain.audit import GENESIS_HEX

EVENT_TABLE = "audit_event"
CHECKPOINT_TABLE = "audit_checkpoint"
APPEND_ONLY_TABLES = (EVENT_TABLE, CHECKPOINT_TABLE)


class AuditEvent(SQLModel, table=True):
    __tablename__ = EVENT_TABLE
    __table_args__ = (sa.CheckConstraint("seq >= 1", name="ck_audit_event_seq"),)

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


def audit_tables() -> list[sa.Table]:
    return [AuditEvent.__table__, AuditCheckpoint.__table__]  # type: ignore[attr-defined]


def append_only_ddl(dialect: str) -> list[str]:
    """Statements creating the append-only and in-order triggers for `dialect`."""
    if dialect == "sqlite":
        out = []
        for table in APPEND_ONLY_TABLES:
            for op in ("UPDATE", "DELETE"):
                out.append(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} "
                    f"BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
                )
        out.append(
            f"CREATE TRIGGER IF NOT EXISTS {EVENT_TABLE}_in_order BEFORE INSERT ON {EVENT_TABLE} "
            f"WHEN NEW.seq IS NOT COALESCE((SELECT MAX(seq) FROM {EVENT_TABLE}), 0) + 1 "
            f"OR NEW.prev_hash IS NOT COALESCE((SELECT hash FROM {EVENT_TABLE} "
            f"ORDER BY seq DESC LIMIT 1), '{GENESIS_HEX}') "
            f"BEGIN SELECT RAISE(ABORT, '{EVENT_TABLE}: an event must follow the head "
            f"(next seq, previous hash)'); END"
        )
        return out
    if dialect == "postgresql":
        out = [
            "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP "
            "|| ' refused', ERRCODE = 'insufficient_privilege'; END $$",
            "CREATE OR REPLACE FUNCTION audit_event_in_order() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ DECLARE last_seq bigint; last_hash text; BEGIN "
            f"SELECT seq, hash INTO last_seq, last_hash FROM {EVENT_TABLE} "
            "ORDER BY seq DESC LIMIT 1; "
            f"IF last_seq IS NULL THEN last_seq := 0; last_hash := '{GENESIS_HEX}'; END IF; "
            "IF NEW.seq IS DISTINCT FROM last_seq + 1 "
            "OR NEW.prev_hash IS DISTINCT FROM last_hash THEN "
            f"RAISE EXCEPTION '{EVENT_TABLE}: an event must follow the head "
            "(next seq, previous hash)' USING ERRCODE = 'integrity_constraint_violation'; "
            "END IF; RETURN NEW; END $$",
        ]
        for table in APPEND_ONLY_TABLES:
            out.append(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
            out.append(
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
            )
            out.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            out.append(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
            )
        out.append(f"DROP TRIGGER IF EXISTS {EVENT_TABLE}_in_order ON {EVENT_TABLE}")
        out.append(
            f"CREATE TRIGGER {EVENT_TABLE}_in_order BEFORE INSERT ON {EVENT_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_in_order()"
        )
        return out
    raise ValueError(f"no append-only triggers for the {dialect!r} database")


def drop_append_only_ddl(dialect: str) -> list[str]:
    """Statements removing what `append_only_ddl` created (for a downgrade)."""
    if dialect == "sqlite":
        names = [f"{t}_no_{op}" for t in APPEND_ONLY_TABLES for op in ("update", "delete")]
        names.append(f"{EVENT_TABLE}_in_order")
        return [f"DROP TRIGGER IF EXISTS {name}" for name in names]
    if dialect == "postgresql":
        out = []
        for table in APPEND_ONLY_TABLES:
            out.append(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
            out.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        out.append(f"DROP TRIGGER IF EXISTS {EVENT_TABLE}_in_order ON {EVENT_TABLE}")
        out.append("DROP FUNCTION IF EXISTS audit_event_in_order()")
        out.append("DROP FUNCTION IF EXISTS audit_refuse_change()")
        return out
    raise ValueError(f"no append-only triggers for the {dialect!r} database")


def create_audit_schema(connection: sa.Connection) -> None:
    """Create both tables and their triggers on `connection` (for stores made without Alembic)."""
    SQLModel.metadata.create_all(connection, tables=audit_tables())
    for statement in append_only_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)
