"""Accounts: reviewers."""

from __future__ import annotations

from reviewer.store.triggers.model import Function, Group, Trigger

FIXED_MSG = "the id, name, role and creation of an account never change"
DELETE_MSG = "accounts are never deleted: disable them"
FIRST_MSG = "the first account of a store must be a supervisor, and only the first has no creator"
CREATOR_MSG = "an account is created by an active supervisor"
LAST_SUP_MSG = "the last active supervisor cannot be disabled"

ACCOUNTS = Group(
    "Accounts: a fixed identity, never deleted, made by a supervisor, one supervisor kept",
    sqlite=(
        Trigger(
            "reviewers_fixed",
            "reviewers",
            "An account's id, name, role, creation time and creator never change.",
            f"""
            CREATE TRIGGER reviewers_fixed BEFORE UPDATE OF id, name, role, created_at, created_by_id
            ON reviewers
            WHEN NEW.id IS NOT OLD.id OR NEW.name IS NOT OLD.name OR NEW.role IS NOT OLD.role
              OR NEW.created_at IS NOT OLD.created_at OR NEW.created_by_id IS NOT OLD.created_by_id
            BEGIN SELECT RAISE(ABORT, '{FIXED_MSG}'); END
            """,
        ),
        Trigger(
            "reviewers_no_delete",
            "reviewers",
            "An account is never deleted (so a name is never reused): it is disabled.",
            f"""
            CREATE TRIGGER reviewers_no_delete BEFORE DELETE ON reviewers
            BEGIN SELECT RAISE(ABORT, '{DELETE_MSG}'); END
            """,
        ),
        Trigger(
            "reviewers_first_is_supervisor",
            "reviewers",
            "The first account of a store is a supervisor, and only the first has no creator.",
            f"""
            CREATE TRIGGER reviewers_first_is_supervisor BEFORE INSERT ON reviewers
            WHEN NEW.created_by_id IS NULL
              AND (NEW.role <> 'supervisor' OR EXISTS (SELECT 1 FROM reviewers))
            BEGIN SELECT RAISE(ABORT, '{FIRST_MSG}'); END
            """,
        ),
        Trigger(
            "reviewers_made_by_supervisor",
            "reviewers",
            "Every later account names its creator, an active supervisor.",
            f"""
            CREATE TRIGGER reviewers_made_by_supervisor BEFORE INSERT ON reviewers
            WHEN NEW.created_by_id IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM reviewers c
              WHERE c.id = NEW.created_by_id AND c.role = 'supervisor' AND NOT c.disabled)
            BEGIN SELECT RAISE(ABORT, '{CREATOR_MSG}'); END
            """,
        ),
        Trigger(
            "reviewers_keep_a_supervisor",
            "reviewers",
            "The last active supervisor cannot be disabled.",
            f"""
            CREATE TRIGGER reviewers_keep_a_supervisor BEFORE UPDATE OF disabled ON reviewers
            WHEN NEW.disabled AND NOT OLD.disabled AND OLD.role = 'supervisor' AND NOT EXISTS (
              SELECT 1 FROM reviewers o
              WHERE o.role = 'supervisor' AND NOT o.disabled AND o.id <> OLD.id)
            BEGIN SELECT RAISE(ABORT, '{LAST_SUP_MSG}'); END
            """,
        ),
    ),
    postgresql_functions=(
        Function(
            "reviewer_account_rules",
            "Refuses deleting an account, changing its identity, disabling the last active "
            "supervisor, and an account not made as the rules say (taking a table lock on "
            "insert, so two first accounts cannot race in).",
            f"""
            BEGIN
              IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION '{DELETE_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              IF TG_OP = 'UPDATE' THEN
                IF NEW.id IS DISTINCT FROM OLD.id OR NEW.name IS DISTINCT FROM OLD.name
                   OR NEW.role IS DISTINCT FROM OLD.role
                   OR NEW.created_at IS DISTINCT FROM OLD.created_at
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
            END
            """,
        ),
    ),
    postgresql=(
        Trigger(
            "reviewers_account_rules",
            "reviewers",
            "An account keeps its identity and is never deleted; the first is a supervisor, "
            "every later one is made by an active supervisor; the last active supervisor "
            "stays enabled.",
            "CREATE TRIGGER reviewers_account_rules BEFORE INSERT OR DELETE OR UPDATE ON reviewers "
            "FOR EACH ROW EXECUTE FUNCTION reviewer_account_rules()",
        ),
    ),
)
