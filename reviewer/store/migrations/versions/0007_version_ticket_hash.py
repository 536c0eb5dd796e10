"""A version is one archive and one ticket: `export_versions.ticket_sha256` records the ticket it
was checked against, and a release needs a version whose ticket is known.

Versions stored before this revision keep NULL (unknown), not the hash of the ticket stored now:
ingest used to overwrite the ticket without making a new version, so the stored ticket may not
be the one a version was checked and signed against. The next ingest of such a request makes a
new version (checked again, earlier sign-offs void), and a version with an unknown ticket is
never released.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNKNOWN_MSG = (
    "the ticket this version was checked against is not recorded: ingest the request again"
)

# One statement for both databases (SQLite accepts a column CHECK in ADD COLUMN).
ADD_COLUMN = (
    "ALTER TABLE export_versions ADD COLUMN ticket_sha256 VARCHAR(64)"
    " CONSTRAINT ck_version_ticket_sha_len"
    " CHECK (ticket_sha256 IS NULL OR length(ticket_sha256) = 64)"
)
DROP_COLUMN = "ALTER TABLE export_versions DROP COLUMN ticket_sha256"

SQLITE = [
    f"""
    CREATE TRIGGER releases_ticket_known BEFORE INSERT ON releases
    WHEN (SELECT ticket_sha256 FROM export_versions WHERE id = NEW.version_id) IS NULL
    BEGIN SELECT RAISE(ABORT, '{UNKNOWN_MSG}'); END
    """,
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS releases_ticket_known"]
POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION release_ticket_known() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT ticket_sha256 FROM export_versions WHERE id = NEW.version_id) IS NULL THEN
        RAISE EXCEPTION '{UNKNOWN_MSG}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER releases_ticket_known BEFORE INSERT ON releases "
    "FOR EACH ROW EXECUTE FUNCTION release_ticket_known()",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS releases_ticket_known ON releases",
    "DROP FUNCTION IF EXISTS release_ticket_known()",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in [ADD_COLUMN, *(SQLITE if sqlite else POSTGRES)]:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in [*(SQLITE_DROP if sqlite else POSTGRES_DROP), DROP_COLUMN]:
        op.execute(statement)
