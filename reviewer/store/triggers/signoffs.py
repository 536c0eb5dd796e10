"""Sign-offs: what an approval needs, beyond what keys and checks express (the keys and checks
are in migration 0001: two distinct people, the roles, the archive's hash, the first stage)."""

from __future__ import annotations

from reviewer.domain.signoff import CHECKLIST_KEYS
from reviewer.store.triggers.model import Function, Group, Trigger

VOIDED_MSG = "a newer archive voided this export version"
CHECKLIST_MSG = "an approval needs every checklist item answered yes"
ACK_MSG = "an approval needs a note on every warning"
EVIDENCE_MSG = (
    "an approval needs every sampled recording played and its transcript viewed by the signer"
)

_CHECKLIST_SQLITE = "\n      AND ".join(
    f"COALESCE(json_extract(NEW.checklist, '$.{key}'), 0) = 1" for key in CHECKLIST_KEYS
)
_CHECKLIST_PG = "\n          AND ".join(
    f"COALESCE((NEW.checklist->>'{key}')::boolean, false)" for key in CHECKLIST_KEYS
)

SIGN_OFFS = Group(
    "A sign-off: never on a voided version; an approval with its checklist, notes and evidence",
    sqlite=(
        Trigger(
            "signoffs_not_voided",
            "signoffs",
            "Nothing is signed on a version a newer archive voided.",
            f"""
            CREATE TRIGGER signoffs_not_voided BEFORE INSERT ON signoffs
            WHEN (SELECT voided_at FROM export_versions WHERE id = NEW.version_id) IS NOT NULL
            BEGIN SELECT RAISE(ABORT, '{VOIDED_MSG}'); END
            """,
        ),
        Trigger(
            "signoffs_checklist",
            "signoffs",
            "An approval has every checklist item answered yes.",
            f"""
            CREATE TRIGGER signoffs_checklist BEFORE INSERT ON signoffs
            WHEN NEW.decision = 'approve' AND NOT (
              {_CHECKLIST_SQLITE})
            BEGIN SELECT RAISE(ABORT, '{CHECKLIST_MSG}'); END
            """,
        ),
        Trigger(
            "signoffs_warnings_acknowledged",
            "signoffs",
            "An approval has a note on every warning of the version's stored report.",
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
        ),
        Trigger(
            "signoffs_sample_inspected",
            "signoffs",
            "An approval's signer played every sampled recording (2 s, or to its end) and "
            "viewed its transcript entry when it has one.",
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
                          ELSE MIN(2.0, json_extract(item.value, '$.duration_s') - 0.05) END)
                    - 1e-9
                OR (COALESCE(json_extract(item.value, '$.has_transcript'), 0) = 1
                    AND NOT EXISTS (SELECT 1 FROM inspections i
                                    WHERE i.version_id = NEW.version_id
                                      AND i.reviewer_id = NEW.reviewer_id
                                      AND i.kind = 'viewed_transcript'
                                      AND i.target = json_extract(item.value, '$.member')))))
            BEGIN SELECT RAISE(ABORT, '{EVIDENCE_MSG}'); END
            """,
        ),
    ),
    postgresql_functions=(
        Function(
            "signoff_rules",
            "Refuses a sign-off on a voided version, and an approval without every checklist "
            "item, a note on every warning, or the signer's evidence of the whole sample.",
            f"""
            BEGIN
              IF (SELECT voided_at FROM export_versions WHERE id = NEW.version_id) IS NOT NULL THEN
                RAISE EXCEPTION '{VOIDED_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              IF NEW.decision <> 'approve' THEN
                RETURN NEW;
              END IF;
              IF NOT (
                  {_CHECKLIST_PG}) THEN
                RAISE EXCEPTION '{CHECKLIST_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              IF EXISTS (
                SELECT 1 FROM export_versions v,
                     json_array_elements(v.report->'findings') WITH ORDINALITY AS f(value, ord)
                WHERE v.id = NEW.version_id AND f.value->>'severity' = 'warning'
                  AND trim(COALESCE(
                        NEW.acknowledged->>((f.ord - 1)::text || ':' || (f.value->>'code')),
                        '')) = '') THEN
                RAISE EXCEPTION '{ACK_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              IF EXISTS (
                SELECT 1 FROM export_versions v, json_array_elements(v.sample->'items') AS item
                WHERE v.id = NEW.version_id AND (
                  COALESCE((SELECT SUM(i.seconds) FROM inspections i
                            WHERE i.version_id = NEW.version_id
                              AND i.reviewer_id = NEW.reviewer_id
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
            END
            """,
        ),
    ),
    postgresql=(
        Trigger(
            "signoffs_rules",
            "signoffs",
            "Nothing is signed on a voided version, and an approval has every checklist item "
            "answered yes, a note on every warning, and the signer's evidence of the sample.",
            "CREATE TRIGGER signoffs_rules BEFORE INSERT ON signoffs "
            "FOR EACH ROW EXECUTE FUNCTION signoff_rules()",
        ),
    ),
)
