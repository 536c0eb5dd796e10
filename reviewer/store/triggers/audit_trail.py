"""The audit trail: audit_event, audit_checkpoint.

Migration 0003 installs this group on the two tables alone (through
`reviewer.store.audit_tables.append_only_ddl`), so its SQL may name no other table."""

from __future__ import annotations

from reviewer.domain.audit import GENESIS_HEX
from reviewer.store.triggers.model import Function, Group, Trigger

APPEND_ONLY_MSG = "{table} is append-only: {op} refused"
IN_ORDER_MSG = "audit_event: an event must follow the head (next seq, previous hash)"

AUDIT_TRAIL = Group(
    "The audit trail is append-only and in order",
    sqlite=(
        Trigger(
            "audit_event_no_update",
            "audit_event",
            "An audit event is never changed.",
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT "
            f"RAISE(ABORT, '{APPEND_ONLY_MSG.format(table='audit_event', op='UPDATE')}'); END",
        ),
        Trigger(
            "audit_event_no_delete",
            "audit_event",
            "An audit event is never deleted.",
            "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT "
            f"RAISE(ABORT, '{APPEND_ONLY_MSG.format(table='audit_event', op='DELETE')}'); END",
        ),
        Trigger(
            "audit_checkpoint_no_update",
            "audit_checkpoint",
            "A signed checkpoint is never changed.",
            "CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint BEGIN "
            "SELECT RAISE(ABORT, "
            f"'{APPEND_ONLY_MSG.format(table='audit_checkpoint', op='UPDATE')}'); END",
        ),
        Trigger(
            "audit_checkpoint_no_delete",
            "audit_checkpoint",
            "A signed checkpoint is never deleted.",
            "CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint BEGIN "
            "SELECT RAISE(ABORT, "
            f"'{APPEND_ONLY_MSG.format(table='audit_checkpoint', op='DELETE')}'); END",
        ),
        Trigger(
            "audit_event_in_order",
            "audit_event",
            "An event is added only right after the head: the next seq, and the head's hash "
            "(the genesis hash for the first event) as its prev_hash.",
            f"""
            CREATE TRIGGER audit_event_in_order BEFORE INSERT ON audit_event
            WHEN NEW.seq IS NOT COALESCE((SELECT MAX(seq) FROM audit_event), 0) + 1
              OR NEW.prev_hash IS NOT COALESCE(
                (SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1), '{GENESIS_HEX}')
            BEGIN SELECT RAISE(ABORT, '{IN_ORDER_MSG}'); END
            """,
        ),
    ),
    postgresql_functions=(
        Function(
            "audit_refuse_change",
            "Refuses the change it is called for, naming the table and the operation.",
            """
            BEGIN
              RAISE EXCEPTION USING
                MESSAGE = TG_TABLE_NAME || ' is append-only: ' || TG_OP || ' refused',
                ERRCODE = 'insufficient_privilege';
            END
            """,
        ),
        Function(
            "audit_event_in_order",
            "Refuses an event that does not follow the head (next seq, the head's hash).",
            f"""
            DECLARE
              last_seq bigint;
              last_hash text;
            BEGIN
              SELECT seq, hash INTO last_seq, last_hash FROM audit_event
              ORDER BY seq DESC LIMIT 1;
              IF last_seq IS NULL THEN
                last_seq := 0;
                last_hash := '{GENESIS_HEX}';
              END IF;
              IF NEW.seq IS DISTINCT FROM last_seq + 1
                 OR NEW.prev_hash IS DISTINCT FROM last_hash THEN
                RAISE EXCEPTION '{IN_ORDER_MSG}' USING ERRCODE = 'integrity_constraint_violation';
              END IF;
              RETURN NEW;
            END
            """,
        ),
    ),
    postgresql=(
        Trigger(
            "audit_event_no_change",
            "audit_event",
            "An audit event is never changed or deleted.",
            "CREATE TRIGGER audit_event_no_change BEFORE DELETE OR UPDATE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        ),
        Trigger(
            "audit_event_no_truncate",
            "audit_event",
            "The audit events are never truncated.",
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
        ),
        Trigger(
            "audit_checkpoint_no_change",
            "audit_checkpoint",
            "A signed checkpoint is never changed or deleted.",
            "CREATE TRIGGER audit_checkpoint_no_change BEFORE DELETE OR UPDATE ON audit_checkpoint "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        ),
        Trigger(
            "audit_checkpoint_no_truncate",
            "audit_checkpoint",
            "The signed checkpoints are never truncated.",
            "CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
        ),
        Trigger(
            "audit_event_in_order",
            "audit_event",
            "An event is added only right after the head: the next seq, and the head's hash "
            "(the genesis hash for the first event) as its prev_hash.",
            "CREATE TRIGGER audit_event_in_order BEFORE INSERT ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_in_order()",
        ),
    ),
)
