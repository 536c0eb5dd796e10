"""Facts a decision rests on (migration 0016): what ingest decided about a version, a release,
a session's start, an account's activation. A terminal's database role may update these
tables (a version is voided, a session ends, a receipt is purged), so without these rules an
UPDATE could unblock a version, redirect a redelivery, or date a session back."""

from __future__ import annotations

from reviewer.store.triggers.model import Function, Group, Trigger

VERSION_FIXED_MSG = (
    "export_versions: what ingest decided never changes (archive, ticket, verdict, findings, "
    "blocked); a version is voided once and its round only grows"
)
VERSION_PURGED_ONLY_MSG = (
    "export_versions: the report, sample, index and archive of a version change only when its "
    "request is purged"
)
RELEASE_FIXED_MSG = "releases: a release never changes; only a purge empties its receipt"
SESSION_NOW_MSG = "sessions: a session starts now, by the database clock"
# (no apostrophes: the messages stand inside SQL string literals)
SESSION_FIXED_MSG = "sessions: the person, token and start of a session never change; it ends once"
ACTIVE_SINCE_MSG = "reviewers: active_since of an account only moves forward (re-enabled)"

_VERSION_FIXED = (
    "id",
    "request_id",
    "number",
    "archive_sha256",
    "ticket_sha256",
    "archive_bytes",
    "verdict",
    "critical",
    "warnings",
    "blocked",
    "ingested_at",
    "ingested_by",
    "corrected_from_id",
)
_RELEASE_FIXED = (
    "id",
    "version_id",
    "archive_sha256",
    "signoff_id",
    "signoff_stage",
    "signoff_decision",
    "released_by",
    "released_at",
    "outbox_path",
)
_SESSION_FIXED = ("id", "token_sha256", "reviewer_id", "started_at")
# what a purge empties; no other change touches them (the sample a sign-off rests on above all)
_VERSION_PURGED_ONLY = ("report", "sample", "index_summary", "correction")
_VERSION_PURGED_ONLY_TEXT = ("sampling_statement", "archive_path")
_REQUEST_PURGED = "(SELECT purged_at FROM requests WHERE request_id = OLD.request_id)"


def _purged_only(dialect: str) -> str:
    """A purge-only column changed while its request is not purged."""
    if dialect == "sqlite":
        changed = [f"json(NEW.{c}) IS NOT json(OLD.{c})" for c in _VERSION_PURGED_ONLY]
        changed += [f"NEW.{c} IS NOT OLD.{c}" for c in _VERSION_PURGED_ONLY_TEXT]
    else:
        changed = [f"NEW.{c}::jsonb IS DISTINCT FROM OLD.{c}::jsonb" for c in _VERSION_PURGED_ONLY]
        changed += [f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _VERSION_PURGED_ONLY_TEXT]
    return f"({' OR '.join(changed)}) AND {_REQUEST_PURGED} IS NULL"


def _changed(columns: tuple[str, ...], dialect: str) -> str:
    op = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"NEW.{c} {op} OLD.{c}" for c in columns)


def _once(column: str, dialect: str) -> str:
    op = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    return f"(OLD.{column} IS NOT NULL AND NEW.{column} {op} OLD.{column})"


_BACKWARD = (
    "NEW.active_since IS NOT OLD.active_since AND (NEW.active_since IS NULL OR "
    "(OLD.active_since IS NOT NULL AND NEW.active_since < OLD.active_since))"
)


def _refuse_pg(condition: str, message: str) -> str:
    return f"""
            BEGIN
              IF {condition} THEN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END
            """


FIXED_FACTS = Group(
    "What a decision rests on never changes: a version's verdict, a release, a session's start",
    sqlite=(
        Trigger(
            "export_versions_fixed",
            "export_versions",
            "What ingest decided about a version (its archive, ticket, verdict, findings count "
            "and blocked flag, who ingested it and when) never changes; it is voided once; its "
            "sign-off round only grows.",
            f"""
            CREATE TRIGGER export_versions_fixed BEFORE UPDATE ON export_versions
            WHEN {_changed(_VERSION_FIXED, "sqlite")}
              OR {_once("voided_at", "sqlite")} OR NEW.round < OLD.round
            BEGIN SELECT RAISE(ABORT, '{VERSION_FIXED_MSG}'); END
            """,
        ),
        Trigger(
            "export_versions_purged_only",
            "export_versions",
            "A version's report, sample, index summary, sampling statement, archive path and "
            "correction change only once its request is purged (a purge empties them).",
            f"""
            CREATE TRIGGER export_versions_purged_only BEFORE UPDATE ON export_versions
            WHEN {_purged_only("sqlite")}
            BEGIN SELECT RAISE(ABORT, '{VERSION_PURGED_ONLY_MSG}'); END
            """,
        ),
        Trigger(
            "releases_fixed",
            "releases",
            "A release (its version, archive, approving sign-off, releaser, time and outbox) "
            "never changes; only a purge empties its receipt.",
            f"""
            CREATE TRIGGER releases_fixed BEFORE UPDATE ON releases
            WHEN {_changed(_RELEASE_FIXED, "sqlite")}
            BEGIN SELECT RAISE(ABORT, '{RELEASE_FIXED_MSG}'); END
            """,
        ),
        Trigger(
            "sessions_fixed",
            "sessions",
            "A session's person, token and start never change; it ends once.",
            f"""
            CREATE TRIGGER sessions_fixed BEFORE UPDATE ON sessions
            WHEN {_changed(_SESSION_FIXED, "sqlite")} OR {_once("ended_at", "sqlite")}
            BEGIN SELECT RAISE(ABORT, '{SESSION_FIXED_MSG}'); END
            """,
        ),
        Trigger(
            "reviewers_active_since_forward",
            "reviewers",
            "An account's active_since (created, or last re-enabled) only moves forward.",
            f"""
            CREATE TRIGGER reviewers_active_since_forward BEFORE UPDATE ON reviewers
            WHEN {_BACKWARD}
            BEGIN SELECT RAISE(ABORT, '{ACTIVE_SINCE_MSG}'); END
            """,
        ),
    ),
    postgresql_functions=(
        Function(
            "version_fixed",
            "Refuses changing what ingest decided about a version, voiding it again, or "
            "lowering its round.",
            _refuse_pg(
                f"{_changed(_VERSION_FIXED, 'postgresql')} OR {_once('voided_at', 'postgresql')} "
                "OR NEW.round < OLD.round",
                VERSION_FIXED_MSG,
            ),
        ),
        Function(
            "version_purged_only",
            "Refuses changing what only a purge empties while the request is not purged.",
            _refuse_pg(_purged_only("postgresql"), VERSION_PURGED_ONLY_MSG),
        ),
        Function(
            "session_starts_now",
            "Refuses a session recorded as started more than a minute from the database's "
            "clock (a session dated back would make a whole sample look played).",
            _refuse_pg(
                "NEW.started_at < clock_timestamp() - interval '1 minute' "
                "OR NEW.started_at > clock_timestamp() + interval '1 minute'",
                SESSION_NOW_MSG,
            ),
        ),
        Function(
            "release_fixed",
            "Refuses changing a release other than emptying its receipt.",
            _refuse_pg(_changed(_RELEASE_FIXED, "postgresql"), RELEASE_FIXED_MSG),
        ),
        Function(
            "session_fixed",
            "Refuses changing a session's person, token or start, or ending it again.",
            _refuse_pg(
                f"{_changed(_SESSION_FIXED, 'postgresql')} OR {_once('ended_at', 'postgresql')}",
                SESSION_FIXED_MSG,
            ),
        ),
        Function(
            "active_since_forward",
            "Refuses moving an account's active_since back or emptying it.",
            _refuse_pg(_BACKWARD.replace("IS NOT OLD", "IS DISTINCT FROM OLD"), ACTIVE_SINCE_MSG),
        ),
    ),
    postgresql=(
        Trigger(
            "export_versions_fixed",
            "export_versions",
            "What ingest decided about a version never changes; it is voided once; its round "
            "only grows.",
            "CREATE TRIGGER export_versions_fixed BEFORE UPDATE ON export_versions "
            "FOR EACH ROW EXECUTE FUNCTION version_fixed()",
        ),
        Trigger(
            "export_versions_purged_only",
            "export_versions",
            "A version's report, sample, index, statement, archive path and correction change "
            "only once its request is purged.",
            "CREATE TRIGGER export_versions_purged_only BEFORE UPDATE ON export_versions "
            "FOR EACH ROW EXECUTE FUNCTION version_purged_only()",
        ),
        Trigger(
            "sessions_start_now",
            "sessions",
            "A session starts now by the database's clock (within a minute).",
            "CREATE TRIGGER sessions_start_now BEFORE INSERT ON sessions "
            "FOR EACH ROW EXECUTE FUNCTION session_starts_now()",
        ),
        Trigger(
            "releases_fixed",
            "releases",
            "A release never changes; only a purge empties its receipt.",
            "CREATE TRIGGER releases_fixed BEFORE UPDATE ON releases "
            "FOR EACH ROW EXECUTE FUNCTION release_fixed()",
        ),
        Trigger(
            "sessions_fixed",
            "sessions",
            "A session's person, token and start never change; it ends once.",
            "CREATE TRIGGER sessions_fixed BEFORE UPDATE ON sessions "
            "FOR EACH ROW EXECUTE FUNCTION session_fixed()",
        ),
        Trigger(
            "reviewers_active_since_forward",
            "reviewers",
            "An account's active_since only moves forward.",
            "CREATE TRIGGER reviewers_active_since_forward BEFORE UPDATE ON reviewers "
            "FOR EACH ROW EXECUTE FUNCTION active_since_forward()",
        ),
    ),
)
