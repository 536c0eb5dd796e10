"""The triggers a store holds are exactly those `reviewer.store.triggers` lists: on a new store,
and on a store made before that module existed (revision 0010) once it is upgraded; and the
module's set never changes without a migration that installs it."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from conftest import FAST
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from reviewer.domain.audit import GENESIS_HEX
from reviewer.store import audit_log, triggers
from reviewer.store.engine import make_engine
from reviewer.store.migrate import MIGRATIONS, current_revision, head_revision, upgrade
from reviewer.store.service import ReviewService

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SHA = "ab" * 32


def triggers_in(engine: sa.Engine) -> dict[str, tuple[str, str]]:
    """The store's triggers: name -> (table, SQL), as the database itself shows them (SQLite:
    ``sqlite_master``; PostgreSQL: ``pg_get_triggerdef``, the table unqualified; the internal
    triggers of foreign keys left out)."""
    with engine.connect() as c:
        if c.dialect.name == "sqlite":
            rows = c.exec_driver_sql(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
            ).all()
            return {name: (table, sql) for name, table, sql in rows}
        schema = c.exec_driver_sql("SELECT current_schema()").scalar_one()
        rows = c.exec_driver_sql(
            "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
        ).all()
        return {name: (table, sql.replace(f" ON {schema}.", " ON ")) for name, table, sql in rows}


def functions_in(engine: sa.Engine) -> dict[str, str]:
    """The store's trigger functions (PostgreSQL): name -> source."""
    if engine.dialect.name == "sqlite":
        return {}
    with engine.connect() as c:
        rows = c.exec_driver_sql(
            "SELECT p.proname, p.prosrc FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype"
        ).all()
    return dict(rows)


def assert_holds_exactly_the_module_set(engine: sa.Engine) -> None:
    dialect = engine.dialect.name
    want = {t.name: (t.table, t.sql) for t in triggers.triggers(dialect)}
    got = triggers_in(engine)
    assert sorted(got) == sorted(want), "the store holds other triggers than the module lists"
    for name, (table, sql) in want.items():
        assert got[name] == (table, sql), f"trigger {name} differs from the module's"
    assert functions_in(engine) == {f.name: f.source for f in triggers.functions(dialect)}


def test_a_new_store_holds_exactly_the_triggers_the_module_lists(store_url: str) -> None:
    svc = ReviewService.open(store_url)
    assert_holds_exactly_the_module_set(svc.engine)
    expected = 37 if svc.engine.dialect.name == "sqlite" else 26
    assert len(triggers_in(svc.engine)) == expected
    svc.close()


def test_every_trigger_says_its_table_and_rule_in_one_sentence() -> None:
    for group in triggers.GROUPS:
        for trigger in (*group.sqlite, *group.postgresql):
            assert trigger.rule.endswith(".") and trigger.rule.count(". ") == 0, trigger.name
            assert re.search(rf"\sON {trigger.table}\s", trigger.sql), trigger.name
        for function in group.postgresql_functions:
            assert any(f"{function.name}()" in t.sql for t in group.postgresql), function.name
    with pytest.raises(ValueError, match="only SQLite and PostgreSQL"):
        triggers.ddl("mysql")


# ------------------------------------------------------------------ a store made at 0010


def _old_store(engine: sa.Engine) -> None:
    """Rows as revision 0010 held them: accounts, a request and its version, an audit trail
    with a signed checkpoint."""
    upgrade(engine, "0010")
    with engine.begin() as c:
        account = (
            "INSERT INTO reviewers (id, name, role, passphrase_hash, disabled, failed_count, "
            "created_at, created_by_id, active_since) "
            "VALUES (:id, :name, :role, :h, :f, 0, :now, :by, :now)"
        )
        c.execute(
            sa.text(account),
            {"id": 1, "name": "carol", "role": "supervisor", "by": None, "now": NOW, "f": False}
            | {"h": FAST.hash("carol-old-passphrase")},
        )
        c.execute(
            sa.text(account),
            {"id": 2, "name": "dave", "role": "reviewer", "by": 1, "now": NOW, "f": False}
            | {"h": FAST.hash("dave-old-passphrase")},
        )
        ticket = {"request_id": "DSAR-OLD-11", "requester": {"customer_id": "C1", "name": "J"}}
        c.execute(
            sa.text(
                "INSERT INTO requests VALUES ('DSAR-OLD-11', 'C1', 'Jonas Weber', NULL, NULL, "
                ":t, :now)"
            ),
            {"t": json.dumps(ticket), "now": NOW},
        )
        c.execute(
            sa.text(
                "INSERT INTO export_versions (id, request_id, number, archive_sha256, "
                "archive_path, archive_bytes, verdict, critical, warnings, blocked, report, "
                "index_summary, sample, sampling_statement, round, ingested_at, ingested_by, "
                "ticket_sha256) VALUES (1, 'DSAR-OLD-11', 1, :sha, '/nowhere/export.zip', 10, "
                "'pass', 0, 0, :f, '{}', '{}', '{\"items\": []}', '0 of 0', 1, :now, 'carol', "
                ":sha)"
            ),
            {"sha": SHA, "f": False, "now": NOW},
        )
    with Session(engine) as s:
        audit_log.append(s, "carol", "user-add", "carol", {"role": "supervisor"})
        audit_log.append(s, "carol", "user-add", "dave", {"role": "reviewer"})
        audit_log.append(s, "carol", "ingest", "DSAR-OLD-11", {"version": 1})
        s.commit()


def _rows(engine: sa.Engine) -> dict[str, list[Any]]:
    tables = {
        "reviewers": "id",
        "requests": "request_id",
        "export_versions": "id",
        "policy": "id",
        "audit_event": "seq",
        "audit_checkpoint": "id",
    }
    with engine.connect() as c:
        return {
            t: [tuple(r) for r in c.exec_driver_sql(f"SELECT * FROM {t} ORDER BY {key}")]
            for t, key in tables.items()
        }


def test_a_store_made_at_0010_gets_the_same_set_keeps_its_rows_and_its_refusals(
    store_url: str,
) -> None:
    engine = make_engine(store_url)
    _old_store(engine)
    assert current_revision(engine) == "0010"
    before = _rows(engine)
    assert len(before["audit_event"]) == 3 and len(before["audit_checkpoint"]) == 2

    upgrade(engine)  # what opening the store does
    assert current_revision(engine) == head_revision()
    assert_holds_exactly_the_module_set(engine)
    assert _as_before(_rows(engine), before) == before

    pg = engine.dialect.name == "postgresql"
    refused = {
        "DELETE FROM audit_event WHERE seq = 3": "audit_event is append-only: DELETE refused",
        "UPDATE audit_event SET actor = 'mallory'": "audit_event is append-only: UPDATE refused",
        "DELETE FROM audit_checkpoint": "audit_checkpoint is append-only: DELETE refused",
        "UPDATE audit_checkpoint SET size = 1": "audit_checkpoint is append-only: UPDATE refused",
        (
            "INSERT INTO audit_event (seq, at, actor, action, subject, payload, prev_hash, hash) "
            f"VALUES (9, '2026-12-01T00:00:00.000000Z', 'm', 'a', 's', '{{}}', '{GENESIS_HEX}', "
            f"'{GENESIS_HEX}')"
        ): "an event must follow the head",
        "DELETE FROM reviewers WHERE name = 'dave'": "accounts are never deleted",
        "UPDATE reviewers SET name = 'dave-old' WHERE name = 'dave'": "never change",
        "UPDATE reviewers SET role = 'supervisor' WHERE name = 'dave'": "never change",
        "UPDATE reviewers SET disabled = true WHERE name = 'carol'": "last active supervisor",
        (
            "INSERT INTO reviewers (name, role, passphrase_hash, disabled, failed_count, "
            "created_at) VALUES ('eve', 'supervisor', 'x', false, 0, '2026-12-01 00:00:00')"
        ): "first account of a store must be a supervisor",
        "UPDATE policy SET unlock_lapse_days = 90": (
            "ck_policy_bounds" if pg else "outside the bounds a regulator accepts"
        ),
    }
    if pg:
        refused["TRUNCATE audit_event"] = "audit_event is append-only: TRUNCATE refused"
    for statement, message in refused.items():
        with pytest.raises(DBAPIError, match=message), engine.begin() as c:
            c.exec_driver_sql(statement)
    assert _as_before(_rows(engine), before) == before
    with Session(engine) as s:
        assert audit_log.verify(s).ok
    engine.dispose()

    svc = ReviewService.open(store_url, hasher=FAST)
    assert svc.sign_in("dave", "dave-old-passphrase").name == "dave"
    svc.close()


# ------------------------------------------------------------------ the digest guard


def _newest_installing_migration() -> tuple[str, str]:
    """(revision, TRIGGER_SET_DIGEST) of the newest migration that installs the trigger set."""
    for script in ScriptDirectory(str(MIGRATIONS)).walk_revisions():  # newest first
        digest = getattr(script.module, "TRIGGER_SET_DIGEST", None)
        if digest is not None:
            return script.revision, digest
    raise AssertionError("no migration installs reviewer.store.triggers")


def stale_trigger_set() -> str | None:
    """None while the newest installing migration installs the set `reviewer.store.triggers`
    lists today; otherwise what to do about it."""
    revision, recorded = _newest_installing_migration()
    now = triggers.set_digest()
    if recorded == now:
        return None
    return (
        f"reviewer/store/triggers/ no longer holds the trigger set migration {revision} "
        f"installs: add a migration after {head_revision()} (copy "
        f"0011_triggers_in_one_place.py) whose upgrade() calls "
        f"triggers.install(op.get_bind()), with TRIGGER_SET_DIGEST = {now!r}; put the names of "
        "removed triggers and functions in triggers.RETIRED_*"
    )


def test_the_trigger_set_never_changes_without_a_migration_that_installs_it() -> None:
    problem = stale_trigger_set()
    assert problem is None, problem


def _as_before(now: dict[str, list[Any]], before: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The rows as they are now, cut to the columns they had before (later migrations add
    columns at the end: the retention period, a request's purge)."""
    return {
        table: [tuple(row)[: len(was[0])] if was else tuple(row) for row in now.get(table, [])]
        for table, was in before.items()
    }


def test_the_guard_notices_a_changed_rule_and_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reworded = dataclasses.replace(
        triggers.ACCOUNTS.sqlite[1],
        sql=triggers.ACCOUNTS.sqlite[1].sql.replace("never deleted", "not deleted"),
    )
    accounts = dataclasses.replace(
        triggers.ACCOUNTS,
        sqlite=(triggers.ACCOUNTS.sqlite[0], reworded, *triggers.ACCOUNTS.sqlite[2:]),
    )
    groups = tuple(accounts if g is triggers.ACCOUNTS else g for g in triggers.GROUPS)
    monkeypatch.setattr(triggers, "GROUPS", groups)
    problem = stale_trigger_set()
    assert problem is not None
    assert "migration 0016" in problem and "triggers.install(op.get_bind())" in problem
    assert f"TRIGGER_SET_DIGEST = {triggers.set_digest()!r}" in problem
    monkeypatch.undo()
    assert stale_trigger_set() is None
    monkeypatch.setattr(triggers, "RETIRED_SQLITE_TRIGGERS", ("reviewers_old_rule",))
    assert stale_trigger_set() is not None  # dropping one more name is a change too
