"""A release must rest on the current round's second sign-off of that very version, given
less than the policy's unlock period ago.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WRONG_MSG = "a release must rest on the second sign-off of the same version and round"
LAPSED_MSG = "the unlock lapsed: both sign-offs are needed again"

SQLITE = [
    f"""
    CREATE TRIGGER releases_signoff_current BEFORE INSERT ON releases
    WHEN NOT EXISTS (
        SELECT 1 FROM signoffs s JOIN export_versions v ON v.id = s.version_id
        WHERE s.id = NEW.signoff_id AND s.version_id = NEW.version_id AND s.round = v.round)
    BEGIN SELECT RAISE(ABORT, '{WRONG_MSG}'); END
    """,
    f"""
    CREATE TRIGGER releases_unlock_current BEFORE INSERT ON releases
    WHEN (SELECT julianday('now') >= julianday(s.at) + p.unlock_lapse_days
          FROM signoffs s, policy p WHERE s.id = NEW.signoff_id AND p.id = 1)
    BEGIN SELECT RAISE(ABORT, '{LAPSED_MSG}'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS releases_signoff_current",
    "DROP TRIGGER IF EXISTS releases_unlock_current",
]
POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION release_signoff_rules() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NOT EXISTS (
        SELECT 1 FROM signoffs s JOIN export_versions v ON v.id = s.version_id
        WHERE s.id = NEW.signoff_id AND s.version_id = NEW.version_id AND s.round = v.round) THEN
        RAISE EXCEPTION '{WRONG_MSG}' USING ERRCODE = 'check_violation';
      END IF;
      IF (SELECT now() >= s.at + make_interval(days => p.unlock_lapse_days)
          FROM signoffs s, policy p WHERE s.id = NEW.signoff_id AND p.id = 1) THEN
        RAISE EXCEPTION '{LAPSED_MSG}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER releases_signoff_rules BEFORE INSERT ON releases "
    "FOR EACH ROW EXECUTE FUNCTION release_signoff_rules()",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS releases_signoff_rules ON releases",
    "DROP FUNCTION IF EXISTS release_signoff_rules()",
]


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DROP if op.get_bind().dialect.name == "sqlite" else POSTGRES_DROP:
        op.execute(statement)
