"""Purged requests are closed (migration 0015, `reviewer.store.service.purge`): nothing more is
written about them, since a purge happens once and what came after would be kept for ever."""

from __future__ import annotations

from reviewer.store.triggers.model import Function, Group, Trigger

PURGED_MSG = "the request is purged: it is closed"
_REQUEST_OF = {
    "claims": "NEW.request_id",
    "clock_changes": "NEW.request_id",
    "marks": "(SELECT request_id FROM export_versions WHERE id = NEW.version_id)",
    "corrections": "(SELECT request_id FROM export_versions WHERE id = NEW.version_id)",
    "deliveries": (
        "(SELECT v.request_id FROM releases r JOIN export_versions v ON v.id = r.version_id "
        "WHERE r.id = NEW.release_id)"
    ),
}

PURGED_CLOSED = Group(
    "Nothing more is written about a purged request",
    sqlite=tuple(
        Trigger(
            f"{table}_not_purged",
            table,
            f"A row of {table} is not added for a purged request.",
            f"""
            CREATE TRIGGER {table}_not_purged BEFORE INSERT ON {table}
            WHEN (SELECT purged_at FROM requests WHERE request_id = {request}) IS NOT NULL
            BEGIN SELECT RAISE(ABORT, '{PURGED_MSG}'); END
            """,
        )
        for table, request in _REQUEST_OF.items()
    ),
    postgresql_functions=(
        Function(
            "request_not_purged",
            "Refuses a row about a purged request; holds the request against a purge (FOR "
            "SHARE) until the transaction ends, so a purge running at the same moment waits for "
            "it and empties what it wrote.",
            f"""
            DECLARE
              rid text;
              gone boolean;
            BEGIN
              IF TG_TABLE_NAME IN ('claims', 'clock_changes') THEN
                rid := NEW.request_id;
              ELSIF TG_TABLE_NAME = 'deliveries' THEN
                rid := {_REQUEST_OF["deliveries"]};
              ELSE
                rid := (SELECT request_id FROM export_versions WHERE id = NEW.version_id);
              END IF;
              SELECT purged_at IS NOT NULL INTO gone FROM requests WHERE request_id = rid
                FOR SHARE;
              IF gone THEN
                RAISE EXCEPTION '{PURGED_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END
            """,
        ),
    ),
    postgresql=tuple(
        Trigger(
            f"{table}_not_purged",
            table,
            f"A row of {table} is not added for a purged request.",
            f"CREATE TRIGGER {table}_not_purged BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION request_not_purged()",
        )
        for table in _REQUEST_OF
    ),
)
