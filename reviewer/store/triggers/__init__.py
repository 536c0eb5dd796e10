"""Every rule the store's database enforces with a trigger, on SQLite and on PostgreSQL.

Where the store's rules live:

- keys, unique and CHECK constraints: with the tables (`reviewer.store.tables`,
  `reviewer.store.audit_tables`) and the migrations that made them;
- the rules a constraint cannot express: the triggers of this package, all of them, grouped by
  the table they guard. Each names its table, says its rule in one sentence and holds the exact
  SQL the store runs (on PostgreSQL a trigger calls a function, listed beside it);
- the same rules, and those the database cannot check, in the domain (`reviewer.domain.access`,
  `reviewer.domain.signoff`, `reviewer.domain.policy`), which the service applies first.

Each group, with its messages, has its own module; `GROUPS` below lists them in the order the
store creates them:

    audit_trail.AUDIT_TRAIL       audit_event, audit_checkpoint: append-only and in order
    signoffs.SIGN_OFFS            signoffs: never on a voided version; what an approval needs
    releases.RELEASES             releases: a live version, a known ticket, the current
                                  approval, an active approver
    accounts.ACCOUNTS             reviewers: a fixed identity, never deleted, made by a
                                  supervisor, one supervisor kept
    policy.POLICY                 policy: within the domain's bounds (SQLite only)
    claims.CLAIMS                 signoffs: a held request's first decision is the holder's
    signed.SIGNED_DECISIONS       signoffs: never changed or deleted; a purge empties the text
    sealed.AUDIT_TEXTS            audit_text: added with their event, removed only by a purge
    purged.PURGED_CLOSED          claims, clock changes, marks, corrections, deliveries: nothing
                                  more about a purged request
    fixed_facts.FIXED_FACTS       export_versions, releases, sessions, reviewers: what a
                                  decision rests on never changes

`model` holds their shapes (`Trigger`, `Function`, `Group`); this module holds the set's order,
the retired names, and what installs it. Everything the rest of the program uses is importable
from here (``from reviewer.store import triggers``).

The messages (RAISE texts) are what the service and the tests match on: keep them. Some SQL is
built from the domain's constants (the checklist's keys, the policy's bounds, the genesis hash):
changing one of those changes this set too.

How this set gets into a store: a migration calls `install`, which drops every trigger and
trigger function the store may hold from any earlier migration, by name, and creates this set
(`ddl` lists the statements). Migrations 0003-0010 created the triggers one concern at a time;
0011 put this set in their place (the same rules, the same messages). To change a rule: edit
it in its group's module, add a migration that calls ``triggers.install(op.get_bind())`` and
records ``TRIGGER_SET_DIGEST`` (the value of `set_digest()`), and put the name of any trigger
or function you remove in `RETIRED_SQLITE_TRIGGERS` / `RETIRED_POSTGRESQL_TRIGGERS` /
`RETIRED_POSTGRESQL_FUNCTIONS`. tests/test_store_triggers.py fails until the newest installing
migration records this set's digest.

The triggers stop mistakes and casual edits; they are no evidence (whoever owns the database can
drop them): the audit trail's hash chain and signed checkpoints are (`reviewer.store.audit_log`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import sqlalchemy as sa

from reviewer.store.triggers.accounts import (
    ACCOUNTS,
    CREATOR_MSG,
    DELETE_MSG,
    FIRST_MSG,
    FIXED_MSG,
    LAST_SUP_MSG,
)
from reviewer.store.triggers.audit_trail import APPEND_ONLY_MSG, AUDIT_TRAIL, IN_ORDER_MSG
from reviewer.store.triggers.claims import CLAIMED_MSG, CLAIMS
from reviewer.store.triggers.fixed_facts import (
    ACTIVE_SINCE_MSG,
    FIXED_FACTS,
    RELEASE_FIXED_MSG,
    SESSION_FIXED_MSG,
    SESSION_NOW_MSG,
    VERSION_FIXED_MSG,
    VERSION_PURGED_ONLY_MSG,
)
from reviewer.store.triggers.model import DIALECTS, Function, Group, Trigger
from reviewer.store.triggers.policy import POLICY, POLICY_MSG
from reviewer.store.triggers.purged import PURGED_CLOSED, PURGED_MSG
from reviewer.store.triggers.releases import (
    LAPSED_MSG,
    RELEASER_MSG,
    RELEASES,
    TICKET_UNKNOWN_MSG,
    WRONG_SIGNOFF_MSG,
)
from reviewer.store.triggers.sealed import AUDIT_TEXTS, TEXTS_FIXED_MSG, TEXTS_HEAD_MSG
from reviewer.store.triggers.signed import SIGNED_DECISIONS, SIGNED_FIXED_MSG
from reviewer.store.triggers.signoffs import (
    ACK_MSG,
    CHECKLIST_MSG,
    EVIDENCE_MSG,
    SIGN_OFFS,
    VOIDED_MSG,
)

__all__ = [
    "ACCOUNTS",
    "ACK_MSG",
    "ACTIVE_SINCE_MSG",
    "APPEND_ONLY_MSG",
    "AUDIT_TEXTS",
    "AUDIT_TRAIL",
    "CHECKLIST_MSG",
    "CLAIMED_MSG",
    "CLAIMS",
    "CREATOR_MSG",
    "DELETE_MSG",
    "DIALECTS",
    "EVIDENCE_MSG",
    "FIRST_MSG",
    "FIXED_FACTS",
    "FIXED_MSG",
    "GROUPS",
    "IN_ORDER_MSG",
    "LAPSED_MSG",
    "LAST_SUP_MSG",
    "POLICY",
    "POLICY_MSG",
    "PURGED_CLOSED",
    "PURGED_MSG",
    "RELEASER_MSG",
    "RELEASES",
    "RELEASE_FIXED_MSG",
    "RETIRED_POSTGRESQL_FUNCTIONS",
    "RETIRED_POSTGRESQL_TRIGGERS",
    "RETIRED_SQLITE_TRIGGERS",
    "SESSION_FIXED_MSG",
    "SESSION_NOW_MSG",
    "SIGNED_DECISIONS",
    "SIGNED_FIXED_MSG",
    "SIGN_OFFS",
    "TEXTS_FIXED_MSG",
    "TEXTS_HEAD_MSG",
    "TICKET_UNKNOWN_MSG",
    "VERSION_FIXED_MSG",
    "VERSION_PURGED_ONLY_MSG",
    "VOIDED_MSG",
    "WRONG_SIGNOFF_MSG",
    "Function",
    "Group",
    "Trigger",
    "create_ddl",
    "ddl",
    "drop_ddl",
    "functions",
    "install",
    "set_digest",
    "triggers",
]

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
