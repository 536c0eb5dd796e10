"""The release's unlock-period rule compares the release's own time (`released_at`, from the
service's clock) with the second sign-off's, instead of the database server's clock: every time
in the store comes from one clock.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LAPSED_MSG = "the unlock lapsed: both sign-offs are needed again"
WRONG_MSG = "a release must rest on the second sign-off of the same version and round"


def _sqlite(now: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS releases_unlock_current",
        f"""
        CREATE TRIGGER releases_unlock_current BEFORE INSERT ON releases
        WHEN (SELECT julianday({now}) >= julianday(s.at) + p.unlock_lapse_days
              FROM signoffs s, policy p WHERE s.id = NEW.signoff_id AND p.id = 1)
        BEGIN SELECT RAISE(ABORT, '{LAPSED_MSG}'); END
        """,
    ]


def _postgres(now: str) -> list[str]:
    return [
        f"""
        CREATE OR REPLACE FUNCTION release_signoff_rules() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NOT EXISTS (
            SELECT 1 FROM signoffs s JOIN export_versions v ON v.id = s.version_id
            WHERE s.id = NEW.signoff_id AND s.version_id = NEW.version_id
              AND s.round = v.round) THEN
            RAISE EXCEPTION '{WRONG_MSG}' USING ERRCODE = 'check_violation';
          END IF;
          IF (SELECT {now} >= s.at + make_interval(days => p.unlock_lapse_days)
              FROM signoffs s, policy p WHERE s.id = NEW.signoff_id AND p.id = 1) THEN
            RAISE EXCEPTION '{LAPSED_MSG}' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$
        """
    ]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite("NEW.released_at") if sqlite else _postgres("NEW.released_at"):
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in _sqlite("'now'") if sqlite else _postgres("now()"):
        op.execute(statement)
