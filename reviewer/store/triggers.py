"""Every rule the store's database enforces with a trigger, on SQLite and on PostgreSQL.

Where the store's rules live:

- keys, unique and CHECK constraints: with the tables (`reviewer.store.tables`,
  `reviewer.store.audit_tables`) and the migrations that made them;
- the rules a constraint cannot express: the triggers below, all of them, grouped by the table
  they guard. Each names its table, says its rule in one sentence and holds the exact SQL the
  store runs (on PostgreSQL a trigger calls a function, listed beside it);
- the same rules, and those the database cannot check, in the domain (`reviewer.domain.access`,
  `reviewer.domain.signoff`, `reviewer.domain.policy`), which the service applies first.

The messages (RAISE texts) are what the service and the tests match on: keep them. Some SQL is
built from the domain's constants (the checklist's keys, the policy's bounds, the genesis hash):
changing one of those changes this set too.

How this set gets into a store: a migration calls `install`, which drops every trigger and
trigger function the store may hold from any earlier migration, by name, and creates this set
(`ddl` lists the statements). Migrations 0003-0010 created the triggers one concern at a time;
0011 put this set in their place (the same rules, the same messages). To change a rule: edit
it here, add a migration that calls ``triggers.install(op.get_bind())`` and records
``TRIGGER_SET_DIGEST`` (the value of `set_digest()`), and put the name of any trigger or
function you remove in `RETIRED_SQLITE_TRIGGERS` / `RETIRED_POSTGRESQL_TRIGGERS` /
`RETIRED_POSTGRESQL_FUNCTIONS`. tests/test_store_triggers.py fails until the newest installing
migration records this set's digest.

The triggers stop mistakes and casual edits; they are no evidence (whoever owns the database can
drop them): the audit trail's hash chain and signed checkpoints are (`reviewer.store.audit_log`).
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from reviewer.domain.audit import GENESIS_HEX
from reviewer.domain.policy import (
    MAX_CONFIDENCE,
    MAX_FOREIGN_FRACTION,
    MAX_LAPSE_DAYS,
    MAX_NEW_ACCOUNT_DAYS,
    MAX_RETENTION_DAYS,
    MIN_CONFIDENCE,
    MIN_FOREIGN_FRACTION,
    MIN_LAPSE_DAYS,
)
from reviewer.domain.signoff import CHECKLIST_KEYS

DIALECTS = ("sqlite", "postgresql")


def _sql(text: str) -> str:
    return textwrap.dedent(text).strip()


@dataclass(frozen=True)
class Trigger:
    """One trigger: its name, the table it guards, its rule in one sentence, its SQL.

    `sql` is the whole CREATE TRIGGER statement. On SQLite it is exactly what ``sqlite_master``
    keeps; on PostgreSQL exactly what ``pg_get_triggerdef`` gives back (the table unqualified)."""

    name: str
    table: str
    rule: str
    sql: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "sql", _sql(self.sql))
        if not self.sql.startswith(f"CREATE TRIGGER {self.name} ") or not re.search(
            rf"\sON {self.table}\s", self.sql
        ):
            raise ValueError(f"trigger {self.name}: its SQL must create it on {self.table}")


@dataclass(frozen=True)
class Function:
    """A PostgreSQL trigger function: its name, what it checks, its PL/pgSQL body."""

    name: str
    rule: str
    body: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", _sql(self.body))

    @property
    def source(self) -> str:
        """The function's source as PostgreSQL keeps it (``pg_proc.prosrc``)."""
        return f"\n{self.body}\n"

    @property
    def sql(self) -> str:
        return (
            f"CREATE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $${self.source}$$"
        )


@dataclass(frozen=True)
class Group:
    """The triggers guarding one table (or one pair of tables), for both databases."""

    title: str
    sqlite: tuple[Trigger, ...]
    postgresql_functions: tuple[Function, ...]
    postgresql: tuple[Trigger, ...]
    note: str = ""


# ---------------------------------------------------------------------------------------------
# The audit trail: audit_event, audit_checkpoint
#
# Migration 0003 installs this group on the two tables alone (through
# `reviewer.store.audit_tables.append_only_ddl`), so its SQL may name no other table.

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

# ---------------------------------------------------------------------------------------------
# Sign-offs: what an approval needs, beyond what keys and checks express (the keys and checks
# are in migration 0001: two distinct people, the roles, the archive's hash, the first stage).

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

# ---------------------------------------------------------------------------------------------
# Claims: a request someone holds has its first decision reserved for them (migration 0013; the
# one open claim per request is the partial unique index ux_claims_open).

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

# ---------------------------------------------------------------------------------------------
# Releases (the keys and checks in migration 0001: once per version, against an approving
# second-stage sign-off of that archive).

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

# ---------------------------------------------------------------------------------------------
# Accounts: reviewers

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

# ---------------------------------------------------------------------------------------------
# The policy

POLICY_MSG = "the policy is outside the bounds a regulator accepts"
_POLICY_OK = (
    f"NEW.sample_confidence >= {MIN_CONFIDENCE} AND NEW.sample_confidence <= {MAX_CONFIDENCE}"
    f"\n  AND NEW.sample_min_foreign_fraction >= {MIN_FOREIGN_FRACTION}"
    f" AND NEW.sample_min_foreign_fraction <= {MAX_FOREIGN_FRACTION}"
    f"\n  AND NEW.unlock_lapse_days >= {MIN_LAPSE_DAYS}"
    f" AND NEW.unlock_lapse_days <= {MAX_LAPSE_DAYS}"
    f"\n  AND NEW.new_account_days >= 0 AND NEW.new_account_days <= {MAX_NEW_ACCOUNT_DAYS}"
    f"\n  AND NEW.retention_days >= 0 AND NEW.retention_days <= {MAX_RETENTION_DAYS}"
)

POLICY = Group(
    "The policy stays within the bounds of reviewer.domain.policy",
    sqlite=(
        Trigger(
            "policy_bounds_update",
            "policy",
            "A changed policy stays within the bounds of reviewer.domain.policy.",
            f"CREATE TRIGGER policy_bounds_update BEFORE UPDATE ON policy\n"
            f"WHEN NOT ({_POLICY_OK})\n"
            f"BEGIN SELECT RAISE(ABORT, '{POLICY_MSG}'); END",
        ),
        Trigger(
            "policy_bounds_insert",
            "policy",
            "A policy row stays within the bounds of reviewer.domain.policy.",
            f"CREATE TRIGGER policy_bounds_insert BEFORE INSERT ON policy\n"
            f"WHEN NOT ({_POLICY_OK})\n"
            f"BEGIN SELECT RAISE(ABORT, '{POLICY_MSG}'); END",
        ),
    ),
    postgresql_functions=(),
    postgresql=(),
    note="On PostgreSQL the same bounds are the CHECK constraint ck_policy_bounds (migrations "
    "0008 and 0014), not a trigger.",
)

# ---------------------------------------------------------------------------------------------
# Signed decisions: what a sign-off says never changes; the purge of a request (migration 0014,
# `reviewer.store.service.purge`) may only empty the personal text a signer wrote beside it.

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

# ---------------------------------------------------------------------------------------------
# Sealed texts (migration 0015, `reviewer.domain.audit.sealed`): what people typed, kept beside
# the chain's events so a purge can remove it.

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

# ---------------------------------------------------------------------------------------------
# Purged requests are closed (migration 0015, `reviewer.store.service.purge`): nothing more is
# written about them, since a purge happens once and what came after would be kept for ever.

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

# ---------------------------------------------------------------------------------------------
# Facts a decision rests on (migration 0016): what ingest decided about a version, a release,
# a session's start, an account's activation. A terminal's database role may update these
# tables (a version is voided, a session ends, a receipt is purged), so without these rules an
# UPDATE could unblock a version, redirect a redelivery, or date a session back.

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


GROUPS: tuple[Group, ...] = (
    AUDIT_TRAIL,
    SIGN_OFFS,
    RELEASES,
    ACCOUNTS,
    POLICY,
    CLAIMS,
    SIGNED_DECISIONS,
    AUDIT_TEXTS,
    PURGED_CLOSED,
    FIXED_FACTS,
)

# Triggers and functions earlier migrations created that are no longer in the set: `install`
# drops them too. None yet: 0003-0010 created exactly the names above. (name) / (name, table).
RETIRED_SQLITE_TRIGGERS: tuple[str, ...] = ()
RETIRED_POSTGRESQL_TRIGGERS: tuple[tuple[str, str], ...] = ()
RETIRED_POSTGRESQL_FUNCTIONS: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------


def _check(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise ValueError(f"no triggers for the {dialect!r} database (only SQLite and PostgreSQL)")


def triggers(dialect: str, groups: Iterable[Group] | None = None) -> tuple[Trigger, ...]:
    """The triggers of `groups` (all of them by default) on `dialect`, in the order they are
    created. On SQLite a table's triggers for one event fire newest first, so this order
    decides which message a row that breaks several rules gets: it is the order migrations
    0003-0010 created them in. PostgreSQL fires them in the order of their names."""
    _check(dialect)
    return tuple(
        t
        for g in (GROUPS if groups is None else groups)
        for t in (g.sqlite if dialect == "sqlite" else g.postgresql)
    )


def functions(dialect: str, groups: Iterable[Group] | None = None) -> tuple[Function, ...]:
    """The trigger functions of `groups` (all by default; PostgreSQL only, none on SQLite)."""
    _check(dialect)
    if dialect == "sqlite":
        return ()
    return tuple(f for g in (GROUPS if groups is None else groups) for f in g.postgresql_functions)


def drop_ddl(dialect: str, groups: Iterable[Group] | None = None) -> list[str]:
    """Statements dropping the triggers (then the functions) of `groups` (all by default), if
    they exist."""
    groups = GROUPS if groups is None else tuple(groups)
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {t.name}" for t in triggers(dialect, groups)]
    return [
        *(f"DROP TRIGGER IF EXISTS {t.name} ON {t.table}" for t in triggers(dialect, groups)),
        *(f"DROP FUNCTION IF EXISTS {f.name}()" for f in functions(dialect, groups)),
    ]


def create_ddl(dialect: str, groups: Iterable[Group] | None = None) -> list[str]:
    """Statements creating the functions, then the triggers, of `groups` (all by default)."""
    groups = GROUPS if groups is None else tuple(groups)
    return [
        *(f.sql for f in functions(dialect, groups)),
        *(t.sql for t in triggers(dialect, groups)),
    ]


def ddl(dialect: str) -> list[str]:
    """What `install` runs on `dialect`: drop every trigger and function the store may hold
    from any migration (the retired ones too), by name, then create the whole set."""
    _check(dialect)
    if dialect == "sqlite":
        retired = [f"DROP TRIGGER IF EXISTS {name}" for name in RETIRED_SQLITE_TRIGGERS]
        return [*retired, *drop_ddl(dialect), *create_ddl(dialect)]
    return [  # every trigger before the functions they call
        *(f"DROP TRIGGER IF EXISTS {n} ON {table}" for n, table in RETIRED_POSTGRESQL_TRIGGERS),
        *(f"DROP TRIGGER IF EXISTS {t.name} ON {t.table}" for t in triggers(dialect)),
        *(f"DROP FUNCTION IF EXISTS {name}()" for name in RETIRED_POSTGRESQL_FUNCTIONS),
        *(f"DROP FUNCTION IF EXISTS {f.name}()" for f in functions(dialect)),
        *create_ddl(dialect),
    ]


def install(connection: sa.Connection) -> None:
    """Put exactly this set of triggers in place on `connection`'s store (in its transaction)."""
    for statement in ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


def set_digest() -> str:
    """SHA-256 of what `install` runs on both databases: the value an installing migration
    records as ``TRIGGER_SET_DIGEST``."""
    digest = hashlib.sha256()
    for dialect in DIALECTS:
        for statement in ddl(dialect):
            digest.update(f"{dialect}\x00{statement}\x00".encode())
    return digest.hexdigest()
