"""Sealed texts (migration 0015, `reviewer.domain.audit.sealed`): what people typed, kept beside
the chain's events so a purge can remove it."""

from __future__ import annotations

from reviewer.store.triggers.model import Function, Group, Trigger

TEXTS_FIXED_MSG = (
    "audit_text: sealed texts never change; only the purge of their request removes them"
)
TEXTS_HEAD_MSG = "audit_text: texts are added only with their event, at the head of the chain"

AUDIT_TEXTS = Group(
    "Sealed texts are added with their event, never changed, and removed only by a purge",
    sqlite=(
        Trigger(
            "audit_text_with_event",
            "audit_text",
            "Texts are added only beside the chain's newest event (in its transaction).",
            f"""
            CREATE TRIGGER audit_text_with_event BEFORE INSERT ON audit_text
            WHEN NEW.seq IS NOT (SELECT MAX(seq) FROM audit_event)
            BEGIN SELECT RAISE(ABORT, '{TEXTS_HEAD_MSG}'); END
            """,
        ),
        Trigger(
            "audit_text_no_update",
            "audit_text",
            "Sealed texts never change.",
            f"""
            CREATE TRIGGER audit_text_no_update BEFORE UPDATE ON audit_text
            BEGIN SELECT RAISE(ABORT, '{TEXTS_FIXED_MSG}'); END
            """,
        ),
        Trigger(
            "audit_text_purge_only",
            "audit_text",
            "Sealed texts are deleted only once their request is purged.",
            f"""
            CREATE TRIGGER audit_text_purge_only BEFORE DELETE ON audit_text
            WHEN (SELECT purged_at FROM requests WHERE request_id = OLD.request_id) IS NULL
            BEGIN SELECT RAISE(ABORT, '{TEXTS_FIXED_MSG}'); END
            """,
        ),
    ),
    postgresql_functions=(
        Function(
            "audit_text_guard",
            "Refuses texts added other than beside the newest event, any change, and a delete "
            "before their request is purged.",
            f"""
            BEGIN
              IF TG_OP = 'INSERT' THEN
                IF NEW.seq IS DISTINCT FROM (SELECT MAX(seq) FROM audit_event) THEN
                  RAISE EXCEPTION '{TEXTS_HEAD_MSG}' USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
              END IF;
              IF TG_OP <> 'DELETE' THEN
                RAISE EXCEPTION '{TEXTS_FIXED_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              IF (SELECT purged_at FROM requests WHERE request_id = OLD.request_id) IS NULL THEN
                RAISE EXCEPTION '{TEXTS_FIXED_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN OLD;
            END
            """,
        ),
    ),
    postgresql=(
        Trigger(
            "audit_text_guard",
            "audit_text",
            "Texts are added only beside the newest event, never changed, and deleted only "
            "once their request is purged.",
            "CREATE TRIGGER audit_text_guard BEFORE INSERT OR DELETE OR UPDATE ON audit_text "
            "FOR EACH ROW EXECUTE FUNCTION audit_text_guard()",
        ),
        Trigger(
            "audit_text_no_truncate",
            "audit_text",
            "Sealed texts are never truncated.",
            "CREATE TRIGGER audit_text_no_truncate BEFORE TRUNCATE ON audit_text "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_text_guard()",
        ),
    ),
)
