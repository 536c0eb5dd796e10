"""Sign-off rules the database checks itself, beyond what keys and checks can express.

An approval must come with the whole checklist answered yes, a note on every warning of the
stored report, and evidence that the signer played every sampled recording (2 s or to its
end) and viewed its transcript entry. Nothing is signed or released on a voided version.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKLIST = (
    "identity_verified",
    "data_is_requesters",
    "third_parties_redacted",
    "nothing_withheld",
    "delivery_to_verified_contact",
)
EVIDENCE_MSG = (
    "an approval needs every sampled recording played and its transcript viewed by the signer"
)
CHECKLIST_MSG = "an approval needs every checklist item answered yes"
ACK_MSG = "an approval needs a note on every warning"
VOIDED_MSG = "a newer archive voided this export version"

SQLITE = [
    f"""
    CREATE TRIGGER signoffs_not_voided BEFORE INSERT ON signoffs
    WHEN (SELECT voided_at FROM export_versions WHERE id = NEW.version_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, '{VOIDED_MSG}'); END
    """,
    f"""
    CREATE TRIGGER releases_not_voided BEFORE INSERT ON releases
    WHEN (SELECT voided_at FROM export_versions WHERE id = NEW.version_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, '{VOIDED_MSG}'); END
    """,
    f"""
    CREATE TRIGGER signoffs_checklist BEFORE INSERT ON signoffs
    WHEN NEW.decision = 'approve' AND NOT ({
        " AND ".join(f"COALESCE(json_extract(NEW.checklist, '$.{k}'), 0) = 1" for k in CHECKLIST)
    })
    BEGIN SELECT RAISE(ABORT, '{CHECKLIST_MSG}'); END
    """,
    f"""
    CREATE TRIGGER signoffs_warnings_acknowledged BEFORE INSERT ON signoffs
    WHEN NEW.decision = 'approve' AND EXISTS (
        SELECT 1 FROM export_versions v, json_each(v.report, '$.findings') f
        WHERE v.id = NEW.version_id
          AND json_extract(f.value, '$.severity') = 'warning'
          AND trim(COALESCE(json_extract(NEW.acknowledged,
                '$."' || f.key || ':' || json_extract(f.value, '$.code') || '"'), '')) = '')
    BEGIN SELECT RAISE(ABORT, '{ACK_MSG}'); END
    """,
    f"""
    CREATE TRIGGER signoffs_sample_inspected BEFORE INSERT ON signoffs
    WHEN NEW.decision = 'approve' AND EXISTS (
        SELECT 1 FROM export_versions v, json_each(v.sample, '$.items') item
        WHERE v.id = NEW.version_id AND (
            COALESCE((SELECT SUM(i.seconds) FROM inspections i
                      WHERE i.version_id = NEW.version_id AND i.reviewer_id = NEW.reviewer_id
                        AND i.kind = 'played'
                        AND i.target = json_extract(item.value, '$.member')), 0)
              < (CASE WHEN json_extract(item.value, '$.duration_s') IS NULL THEN 2.0
                      ELSE MIN(2.0, json_extract(item.value, '$.duration_s') - 0.05) END) - 1e-9
            OR (COALESCE(json_extract(item.value, '$.has_transcript'), 0) = 1
                AND NOT EXISTS (SELECT 1 FROM inspections i
                                WHERE i.version_id = NEW.version_id
                                  AND i.reviewer_id = NEW.reviewer_id
                                  AND i.kind = 'viewed_transcript'
                                  AND i.target = json_extract(item.value, '$.member')))))
    BEGIN SELECT RAISE(ABORT, '{EVIDENCE_MSG}'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS signoffs_not_voided",
    "DROP TRIGGER IF EXISTS releases_not_voided",
    "DROP TRIGGER IF EXISTS signoffs_checklist",
    "DROP TRIGGER IF EXISTS signoffs_warnings_acknowledged",
    "DROP TRIGGER IF EXISTS signoffs_sample_inspected",
]

_CHECKLIST_PG = " AND ".join(
    f"COALESCE((NEW.checklist->>'{k}')::boolean, false)" for k in CHECKLIST
)
POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION signoff_rules() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT voided_at FROM export_versions WHERE id = NEW.version_id) IS NOT NULL THEN
        RAISE EXCEPTION '{VOIDED_MSG}' USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.decision <> 'approve' THEN
        RETURN NEW;
      END IF;
      IF NOT ({_CHECKLIST_PG}) THEN
        RAISE EXCEPTION '{CHECKLIST_MSG}' USING ERRCODE = 'check_violation';
      END IF;
      IF EXISTS (
        SELECT 1 FROM export_versions v,
             json_array_elements(v.report->'findings') WITH ORDINALITY AS f(value, ord)
        WHERE v.id = NEW.version_id AND f.value->>'severity' = 'warning'
          AND trim(COALESCE(NEW.acknowledged->>((f.ord - 1)::text || ':' || (f.value->>'code')),
                            '')) = '') THEN
        RAISE EXCEPTION '{ACK_MSG}' USING ERRCODE = 'check_violation';
      END IF;
      IF EXISTS (
        SELECT 1 FROM export_versions v, json_array_elements(v.sample->'items') AS item
        WHERE v.id = NEW.version_id AND (
          COALESCE((SELECT SUM(i.seconds) FROM inspections i
                    WHERE i.version_id = NEW.version_id AND i.reviewer_id = NEW.reviewer_id
                      AND i.kind = 'played' AND i.target = item->>'member'), 0)
            < (CASE WHEN item->>'duration_s' IS NULL THEN 2.0
                    ELSE LEAST(2.0, (item->>'duration_s')::float - 0.05) END) - 1e-9
          OR (COALESCE((item->>'has_transcript')::boolean, false)
              AND NOT EXISTS (SELECT 1 FROM inspections i
                              WHERE i.version_id = NEW.version_id
                                AND i.reviewer_id = NEW.reviewer_id
                                AND i.kind = 'viewed_transcript'
                                AND i.target = item->>'member')))) THEN
        RAISE EXCEPTION '{EVIDENCE_MSG}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER signoffs_rules BEFORE INSERT ON signoffs "
    "FOR EACH ROW EXECUTE FUNCTION signoff_rules()",
    f"""
    CREATE OR REPLACE FUNCTION release_rules() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT voided_at FROM export_versions WHERE id = NEW.version_id) IS NOT NULL THEN
        RAISE EXCEPTION '{VOIDED_MSG}' USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER releases_rules BEFORE INSERT ON releases "
    "FOR EACH ROW EXECUTE FUNCTION release_rules()",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS signoffs_rules ON signoffs",
    "DROP TRIGGER IF EXISTS releases_rules ON releases",
    "DROP FUNCTION IF EXISTS signoff_rules()",
    "DROP FUNCTION IF EXISTS release_rules()",
]


def upgrade() -> None:
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DROP if op.get_bind().dialect.name == "sqlite" else POSTGRES_DROP:
        op.execute(statement)
