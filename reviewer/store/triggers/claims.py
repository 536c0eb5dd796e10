"""Claims: a request someone holds has its first decision reserved for them (migration 0013; the
one open claim per request is the partial unique index ux_claims_open)."""

from __future__ import annotations

from reviewer.store.triggers.model import Function, Group, Trigger

CLAIMED_MSG = "this request is held by someone else: the first decision is theirs"

CLAIMS = Group(
    "A first sign-off or rejection is the holder's while someone holds the request",
    sqlite=(
        Trigger(
            "signoffs_first_claimed",
            "signoffs",
            "The first sign-off (or a rejection before any) of a request another person holds "
            "is refused.",
            f"""
            CREATE TRIGGER signoffs_first_claimed BEFORE INSERT ON signoffs
            WHEN NEW.stage = 1 AND EXISTS (
              SELECT 1 FROM claims c JOIN export_versions v ON v.request_id = c.request_id
              WHERE v.id = NEW.version_id AND c.ended_at IS NULL
                AND c.holder_id <> NEW.reviewer_id)
            BEGIN SELECT RAISE(ABORT, '{CLAIMED_MSG}'); END
            """,
        ),
    ),
    postgresql_functions=(
        Function(
            "signoff_claim_rule",
            "Refuses the first sign-off (or a rejection before any) of a request another "
            "person holds.",
            f"""
            BEGIN
              IF NEW.stage = 1 AND EXISTS (
                SELECT 1 FROM claims c JOIN export_versions v ON v.request_id = c.request_id
                WHERE v.id = NEW.version_id AND c.ended_at IS NULL
                  AND c.holder_id <> NEW.reviewer_id) THEN
                RAISE EXCEPTION '{CLAIMED_MSG}' USING ERRCODE = 'check_violation';
              END IF;
              RETURN NEW;
            END
            """,
        ),
    ),
    postgresql=(
        Trigger(
            "signoffs_claim",
            "signoffs",
            "The first sign-off (or a rejection before any) of a request another person holds "
            "is refused.",
            "CREATE TRIGGER signoffs_claim BEFORE INSERT ON signoffs "
            "FOR EACH ROW EXECUTE FUNCTION signoff_claim_rule()",
        ),
    ),
)
