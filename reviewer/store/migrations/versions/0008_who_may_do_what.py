"""Who may do what, enforced by the database too: accounts with a fixed identity, made by a
supervisor; sign-in throttling per name (real or not); sessions; deliveries; policy bounds.

- ``reviewers``: an account's id, name, role and creation are fixed and an account is never
  deleted, so a name is never reused; ``created_by_id`` names the supervisor who made it (NULL
  only for the first account of a store, which must be a supervisor); ``active_since`` is when
  it was created or last re-enabled. The last active supervisor cannot be disabled.
  (``failed_count`` and ``locked_until`` are no longer used: sign-in failures are counted in
  ``sign_in_throttle``.)
- ``sign_in_throttle``: failures and lockouts keyed by a keyed digest of the typed name, so an
  unknown name is throttled as a real one is and its text is never stored. The digest key is
  ``store_meta['name_digest_key']``.
- ``sessions``: who is signed in, by the SHA-256 of a random token the terminal holds.
- ``deliveries``: every time a released export's files were written to an outbox, by whom;
  a second one is a deliberate re-delivery with a reason.
- ``releases.released_by`` must name an active approver.
- ``policy``: sampling confidence 90% to 99.9%, foreign share 0.1% to 10%, unlock lapse 1 to
  30 days, new-account flag 0 to 365 days (``new_account_days``, default 7). A store whose
  values lie outside is brought to the nearest bound.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from reviewer.domain.policy import (
    MAX_CONFIDENCE,
    MAX_FOREIGN_FRACTION,
    MAX_LAPSE_DAYS,
    MAX_NEW_ACCOUNT_DAYS,
    MIN_CONFIDENCE,
    MIN_FOREIGN_FRACTION,
    MIN_LAPSE_DAYS,
)
from reviewer.store.tables import UTCDateTime

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIXED_MSG = "the id, name, role and creation of an account never change"
DELETE_MSG = "accounts are never deleted: disable them"
FIRST_MSG = "the first account of a store must be a supervisor, and only the first has no creator"
CREATOR_MSG = "an account is created by an active supervisor"
LAST_SUP_MSG = "the last active supervisor cannot be disabled"
RELEASER_MSG = "a release is made by an active approver"
POLICY_MSG = "the policy is outside the bounds a regulator accepts"


def _policy_ok(row: str = "") -> str:
    """The policy bounds as SQL over the columns of `row` ("NEW." in a trigger)."""
    return (
        f"{row}sample_confidence >= {MIN_CONFIDENCE}"
        f" AND {row}sample_confidence <= {MAX_CONFIDENCE}"
        f" AND {row}sample_min_foreign_fraction >= {MIN_FOREIGN_FRACTION}"
        f" AND {row}sample_min_foreign_fraction <= {MAX_FOREIGN_FRACTION}"
        f" AND {row}unlock_lapse_days >= {MIN_LAPSE_DAYS}"
        f" AND {row}unlock_lapse_days <= {MAX_LAPSE_DAYS}"
        f" AND {row}new_account_days >= 0 AND {row}new_account_days <= {MAX_NEW_ACCOUNT_DAYS}"
    )


SQLITE = [
    f"""
    CREATE TRIGGER reviewers_fixed BEFORE UPDATE OF id, name, role, created_at, created_by_id
    ON reviewers
    WHEN NEW.id IS NOT OLD.id OR NEW.name IS NOT OLD.name OR NEW.role IS NOT OLD.role
      OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by_id IS NOT OLD.created_by_id
    BEGIN SELECT RAISE(ABORT, '{FIXED_MSG}'); END
    """,
    f"""
    CREATE TRIGGER reviewers_no_delete BEFORE DELETE ON reviewers
    BEGIN SELECT RAISE(ABORT, '{DELETE_MSG}'); END
    """,
    f"""
    CREATE TRIGGER reviewers_first_is_supervisor BEFORE INSERT ON reviewers
    WHEN NEW.created_by_id IS NULL
      AND (NEW.role <> 'supervisor' OR EXISTS (SELECT 1 FROM reviewers))
    BEGIN SELECT RAISE(ABORT, '{FIRST_MSG}'); END
    """,
    f"""
    CREATE TRIGGER reviewers_made_by_supervisor BEFORE INSERT ON reviewers
    WHEN NEW.created_by_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM reviewers c
        WHERE c.id = NEW.created_by_id AND c.role = 'supervisor' AND NOT c.disabled)
    BEGIN SELECT RAISE(ABORT, '{CREATOR_MSG}'); END
    """,
    f"""
    CREATE TRIGGER reviewers_keep_a_supervisor BEFORE UPDATE OF disabled ON reviewers
    WHEN NEW.disabled AND NOT OLD.disabled AND OLD.role = 'supervisor' AND NOT EXISTS (
        SELECT 1 FROM reviewers o WHERE o.role = 'supervisor' AND NOT o.disabled AND o.id <> OLD.id)
    BEGIN SELECT RAISE(ABORT, '{LAST_SUP_MSG}'); END
    """,
    f"""
    CREATE TRIGGER releases_by_approver BEFORE INSERT ON releases
    WHEN NOT EXISTS (
        SELECT 1 FROM reviewers r
        WHERE r.name = NEW.released_by AND r.role = 'approver' AND NOT r.disabled)
    BEGIN SELECT RAISE(ABORT, '{RELEASER_MSG}'); END
    """,
    f"""
    CREATE TRIGGER policy_bounds_update BEFORE UPDATE ON policy
    WHEN NOT ({_policy_ok("NEW.")})
    BEGIN SELECT RAISE(ABORT, '{POLICY_MSG}'); END
    """,
    f"""
    CREATE TRIGGER policy_bounds_insert BEFORE INSERT ON policy
    WHEN NOT ({_policy_ok("NEW.")})
    BEGIN SELECT RAISE(ABORT, '{POLICY_MSG}'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS reviewers_fixed",
    "DROP TRIGGER IF EXISTS reviewers_no_delete",
    "DROP TRIGGER IF EXISTS reviewers_first_is_supervisor",
    "DROP TRIGGER IF EXISTS reviewers_made_by_supervisor",
    "DROP TRIGGER IF EXISTS reviewers_keep_a_supervisor",
    "DROP TRIGGER IF EXISTS releases_by_approver",
    "DROP TRIGGER IF EXISTS policy_bounds_update",
    "DROP TRIGGER IF EXISTS policy_bounds_insert",
]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION reviewer_account_rules() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '{DELETE_MSG}' USING ERRCODE = 'check_violation';
      END IF;
      IF TG_OP = 'UPDATE' THEN
        IF NEW.id IS DISTINCT FROM OLD.id OR NEW.name IS DISTINCT FROM OLD.name
           OR NEW.role IS DISTINCT FROM OLD.role OR NEW.created_at IS DISTINCT FROM OLD.created_at
           OR NEW.created_by_id IS DISTINCT FROM OLD.created_by_id THEN
          RAISE EXCEPTION '{FIXED_MSG}' USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.disabled AND NOT OLD.disabled AND OLD.role = 'supervisor' AND NOT EXISTS (
            SELECT 1 FROM reviewers o
            WHERE o.role = 'supervisor' AND NOT o.disabled AND o.id <> OLD.id) THEN
          RAISE EXCEPTION '{LAST_SUP_MSG}' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END IF;
      -- INSERT: one account at a time, so two first accounts cannot race in.
      LOCK TABLE reviewers IN SHARE ROW EXCLUSIVE MODE;
      IF NEW.created_by_id IS NULL THEN
        IF NEW.role <> 'supervisor' OR EXISTS (SELECT 1 FROM reviewers) THEN
          RAISE EXCEPTION '{FIRST_MSG}' USING ERRCODE = 'check_violation';
        END IF;
      ELSIF NOT EXISTS (
          SELECT 1 FROM reviewers c
          WHERE c.id = NEW.created_by_id AND c.role = 'supervisor' AND NOT c.disabled) THEN
        RAISE EXCEPTION '{CREATOR_MSG}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER reviewers_account_rules BEFORE INSERT OR UPDATE OR DELETE ON reviewers "
    "FOR EACH ROW EXECUTE FUNCTION reviewer_account_rules()",
    f"""
    CREATE OR REPLACE FUNCTION release_by_approver() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NOT EXISTS (
          SELECT 1 FROM reviewers r
          WHERE r.name = NEW.released_by AND r.role = 'approver' AND NOT r.disabled) THEN
        RAISE EXCEPTION '{RELEASER_MSG}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER releases_by_approver BEFORE INSERT ON releases "
    "FOR EACH ROW EXECUTE FUNCTION release_by_approver()",
    f"ALTER TABLE policy ADD CONSTRAINT ck_policy_bounds CHECK ({_policy_ok()})",
]
POSTGRES_DROP = [
    "ALTER TABLE policy DROP CONSTRAINT IF EXISTS ck_policy_bounds",
    "DROP TRIGGER IF EXISTS releases_by_approver ON releases",
    "DROP FUNCTION IF EXISTS release_by_approver()",
    "DROP TRIGGER IF EXISTS reviewers_account_rules ON reviewers",
    "DROP FUNCTION IF EXISTS reviewer_account_rules()",
]

CLAMP = f"""
UPDATE policy SET
  sample_confidence = MIN(MAX(sample_confidence, {MIN_CONFIDENCE}), {MAX_CONFIDENCE}),
  sample_min_foreign_fraction =
    MIN(MAX(sample_min_foreign_fraction, {MIN_FOREIGN_FRACTION}), {MAX_FOREIGN_FRACTION}),
  unlock_lapse_days = MIN(MAX(unlock_lapse_days, {MIN_LAPSE_DAYS}), {MAX_LAPSE_DAYS})
"""


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.add_column("reviewers", sa.Column("created_by_id", sa.Integer(), nullable=True))
    op.add_column("reviewers", sa.Column("active_since", UTCDateTime(), nullable=True))
    op.execute("UPDATE reviewers SET active_since = created_at")
    op.add_column(
        "policy",
        sa.Column("new_account_days", sa.Integer(), nullable=False, server_default="7"),
    )
    op.execute(CLAMP if sqlite else CLAMP.replace("MIN(", "LEAST(").replace("MAX(", "GREATEST("))
    op.create_table(
        "sign_in_throttle",
        sa.Column("name_digest", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("window_start", UTCDateTime(), nullable=True),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.CheckConstraint("failures >= 0", name="ck_throttle_failures"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey("reviewers.id"), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("release_id", sa.Integer(), sa.ForeignKey("releases.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("by_id", sa.Integer(), sa.ForeignKey("reviewers.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("outbox_path", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.CheckConstraint("kind IN ('delivery', 'redelivery')", name="ck_delivery_kind"),
        sa.CheckConstraint(
            "kind = 'delivery' OR length(trim(reason)) > 0", name="ck_delivery_reason"
        ),
    )
    op.create_index("ix_delivery_release", "deliveries", ["release_id"])
    meta = sa.table("store_meta", sa.column("key", sa.String), sa.column("value", sa.JSON))
    op.bulk_insert(meta, [{"key": "name_digest_key", "value": {"hex": secrets.token_hex(32)}}])
    for statement in SQLITE if sqlite else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DROP if sqlite else POSTGRES_DROP:
        op.execute(statement)
    op.execute("DELETE FROM store_meta WHERE key = 'name_digest_key'")
    op.drop_index("ix_delivery_release", "deliveries")
    op.drop_table("deliveries")
    op.drop_table("sessions")
    op.drop_table("sign_in_throttle")
    with op.batch_alter_table("policy") as batch:
        batch.drop_column("new_account_days")
    with op.batch_alter_table("reviewers") as batch:
        batch.drop_column("active_since")
        batch.drop_column("created_by_id")
