"""Releases (the keys and checks in migration 0001: once per version, against an approving
second-stage sign-off of that archive)."""

from __future__ import annotations

from reviewer.store.triggers.model import Function, Group, Trigger
from reviewer.store.triggers.signoffs import VOIDED_MSG

WRONG_SIGNOFF_MSG = "a release must rest on the second sign-off of the same version and round"
LAPSED_MSG = "the unlock lapsed: both sign-offs are needed again"
TICKET_UNKNOWN_MSG = (
    "the ticket this version was checked against is not recorded: ingest the request again"
)
RELEASER_MSG = "a release is made by an active approver"

RELEASES = Group(
    "A release: of a live version with a known ticket, on its current approval, by an approver",
    sqlite=(
        Trigger(
            "releases_not_voided",
            "releases",
            "Nothing is released from a version a newer archive voided.",
            f"""
            CREATE TRIGGER releases_not_voided BEFORE INSERT ON releases
            WHEN (SELECT voided_at FROM export_versions WHERE id = NEW.version_id) IS NOT NULL
            BEGIN SELECT RAISE(ABORT, '{VOIDED_MSG}'); END
            """,
        ),
        Trigger(
            "releases_signoff_current",
            "releases",
            "A release rests on a sign-off of the same version in the version's current round.",
            f"""
            CREATE TRIGGER releases_signoff_current BEFORE INSERT ON releases
            WHEN NOT EXISTS (
              SELECT 1 FROM signoffs s JOIN export_versions v ON v.id = s.version_id
              WHERE s.id = NEW.signoff_id AND s.version_id = NEW.version_id
                AND s.round = v.round)
            BEGIN SELECT RAISE(ABORT, '{WRONG_SIGNOFF_MSG}'); END
            """,
        ),
        Trigger(
            "releases_unlock_current",
            "releases",
            "A release's time (released_at) is less than the policy's unlock lapse after the "
            "second sign-off's.",
            f"""
            CREATE TRIGGER releases_unlock_current BEFORE INSERT ON releases
            WHEN (SELECT julianday(NEW.released_at) >= julianday(s.at) + p.unlock_lapse_days
                  FROM signoffs s, policy p WHERE s.id = NEW.signoff_id AND p.id = 1)
            BEGIN SELECT RAISE(ABORT, '{LAPSED_MSG}'); END
            """,
        ),
        Trigger(
            "releases_ticket_known",
            "releases",
            "A version is released only if the ticket it was checked against is recorded.",
            f"""
            CREATE TRIGGER releases_ticket_known BEFORE INSERT ON releases
            WHEN (SELECT ticket_sha256 FROM export_versions WHERE id = NEW.version_id) IS NULL
            BEGIN SELECT RAISE(ABORT, '{TICKET_UNKNOWN_MSG}'); END
            """,
        ),
        Trigger(
            "releases_by_approver",
            "releases",
            "A release is made by (released_by names) an active approver.",
            f"""
            CREATE TRIGGER releases_by_approver BEFORE INSERT ON releases
            WHEN NOT EXISTS (
              SELECT 1 FROM reviewers r
              WHERE r.name = NEW.released_by AND r.role = 'approver' AND NOT r.disabled)
            BEGIN SELECT RAISE(ABORT, '{RELEASER_MSG}'); END
            """,
        ),
    ),
    postgresql_functions=(
        Function(
            "release_rules",
            "Refuses a release from a voided version.",
            f"""
            BEGIN
              IF (SELECT voided_at FROM export_versions WHERE id = NEW.version_id) IS NOT NULL THEN
                RAISE EXCEPTION '{VOIDED_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END
            """,
        ),
        Function(
            "release_signoff_rules",
            "Refuses a release that does not rest on a current-round sign-off of its version, "
            "or whose time is the policy's unlock lapse or more after that sign-off's.",
            f"""
            BEGIN
              IF NOT EXISTS (
                SELECT 1 FROM signoffs s JOIN export_versions v ON v.id = s.version_id
                WHERE s.id = NEW.signoff_id AND s.version_id = NEW.version_id
                  AND s.round = v.round) THEN
                RAISE EXCEPTION '{WRONG_SIGNOFF_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              IF (SELECT NEW.released_at >= s.at + make_interval(days => p.unlock_lapse_days)
                  FROM signoffs s, policy p WHERE s.id = NEW.signoff_id AND p.id = 1) THEN
                RAISE EXCEPTION '{LAPSED_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END
            """,
        ),
        Function(
            "release_ticket_known",
            "Refuses a release of a version whose ticket is not recorded.",
            f"""
            BEGIN
              IF (SELECT ticket_sha256 FROM export_versions WHERE id = NEW.version_id) IS NULL THEN
                RAISE EXCEPTION '{TICKET_UNKNOWN_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END
            """,
        ),
        Function(
            "release_by_approver",
            "Refuses a release whose released_by is not an active approver.",
            f"""
            BEGIN
              IF NOT EXISTS (
                  SELECT 1 FROM reviewers r
                  WHERE r.name = NEW.released_by AND r.role = 'approver' AND NOT r.disabled) THEN
                RAISE EXCEPTION '{RELEASER_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END
            """,
        ),
    ),
    postgresql=(
        Trigger(
            "releases_by_approver",
            "releases",
            "A release is made by (released_by names) an active approver.",
            "CREATE TRIGGER releases_by_approver BEFORE INSERT ON releases "
            "FOR EACH ROW EXECUTE FUNCTION release_by_approver()",
        ),
        Trigger(
            "releases_rules",
            "releases",
            "Nothing is released from a version a newer archive voided.",
            "CREATE TRIGGER releases_rules BEFORE INSERT ON releases "
            "FOR EACH ROW EXECUTE FUNCTION release_rules()",
        ),
        Trigger(
            "releases_signoff_rules",
            "releases",
            "A release rests on a current-round sign-off of its version, made less than the "
            "policy's unlock lapse before the release's time.",
            "CREATE TRIGGER releases_signoff_rules BEFORE INSERT ON releases "
            "FOR EACH ROW EXECUTE FUNCTION release_signoff_rules()",
        ),
        Trigger(
            "releases_ticket_known",
            "releases",
            "A version is released only if the ticket it was checked against is recorded.",
            "CREATE TRIGGER releases_ticket_known BEFORE INSERT ON releases "
            "FOR EACH ROW EXECUTE FUNCTION release_ticket_known()",
        ),
    ),
)
