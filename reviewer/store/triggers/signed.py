"""Signed decisions: what a sign-off says never changes; the purge of a request (migration 0014,
`reviewer.store.service.purge`) may only empty the personal text a signer wrote beside it."""

from __future__ import annotations

from reviewer.store.triggers.model import Function, Group, Trigger

SIGNED_FIXED_MSG = "a sign-off never changes: only a purge empties its note and statements"
_SIGNOFF_FIXED = ("version_id", "round", "stage", "reviewer_id", "reviewer_role", "decision",
                  "archive_sha256", "version_blocked", "first_signoff_id", "first_stage",
                  "first_decision", "checklist", "at")  # fmt: skip
_SIGNOFF_FIXED_SQLITE = " OR ".join(
    f"NEW.{c} IS NOT OLD.{c}" for c in ("id", *_SIGNOFF_FIXED) if c != "checklist"
)
_SIGNOFF_FIXED_PG = " OR ".join(
    f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in ("id", *_SIGNOFF_FIXED) if c != "checklist"
)
_PURGED = (
    "(SELECT r.purged_at FROM requests r JOIN export_versions v ON v.request_id = r.request_id "
    "WHERE v.id = OLD.version_id)"
)

SIGNED_DECISIONS = Group(
    "A sign-off is never changed or deleted; a purge only empties what its signer wrote",
    sqlite=(
        Trigger(
            "signoffs_fixed",
            "signoffs",
            "A sign-off's decision, signer, version, archive, checklist and time never change; "
            "its note, acknowledgements and sampling statement are only emptied, once its "
            "request is purged.",
            f"""
            CREATE TRIGGER signoffs_fixed BEFORE UPDATE ON signoffs
            WHEN {_SIGNOFF_FIXED_SQLITE}
              OR json(NEW.checklist) IS NOT json(OLD.checklist)
              OR ((NEW.note IS NOT OLD.note OR json(NEW.acknowledged) IS NOT json(OLD.acknowledged)
                   OR NEW.sampling_statement IS NOT OLD.sampling_statement)
                  AND ({_PURGED} IS NULL OR NEW.note <> ''
                       OR NEW.sampling_statement <> ''
                       OR json(NEW.acknowledged) <> '{{}}'))
            BEGIN SELECT RAISE(ABORT, '{SIGNED_FIXED_MSG}'); END
            """,
        ),
        Trigger(
            "signoffs_no_delete",
            "signoffs",
            "A sign-off is never deleted.",
            f"""
            CREATE TRIGGER signoffs_no_delete BEFORE DELETE ON signoffs
            BEGIN SELECT RAISE(ABORT, '{SIGNED_FIXED_MSG}'); END
            """,
        ),
    ),
    postgresql_functions=(
        Function(
            "signoff_fixed",
            "Refuses deleting a sign-off, changing what it decided, and changing its note, "
            "acknowledgements or sampling statement other than emptying them once its request "
            "is purged.",
            f"""
            BEGIN
              IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION '{SIGNED_FIXED_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              IF {_SIGNOFF_FIXED_PG}
                 OR NEW.checklist::jsonb IS DISTINCT FROM OLD.checklist::jsonb THEN
                RAISE EXCEPTION '{SIGNED_FIXED_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              IF (NEW.note IS DISTINCT FROM OLD.note
                  OR NEW.acknowledged::jsonb IS DISTINCT FROM OLD.acknowledged::jsonb
                  OR NEW.sampling_statement IS DISTINCT FROM OLD.sampling_statement)
                 AND ({_PURGED} IS NULL OR NEW.note <> ''
                      OR NEW.sampling_statement <> ''
                      OR NEW.acknowledged::jsonb <> '{{}}'::jsonb) THEN
                RAISE EXCEPTION '{SIGNED_FIXED_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END
            """,
        ),
    ),
    postgresql=(
        Trigger(
            "signoffs_fixed",
            "signoffs",
            "A sign-off is never deleted and what it decided never changes; only the purge of "
            "its request empties its note, acknowledgements and sampling statement.",
            "CREATE TRIGGER signoffs_fixed BEFORE DELETE OR UPDATE ON signoffs "
            "FOR EACH ROW EXECUTE FUNCTION signoff_fixed()",
        ),
    ),
)
