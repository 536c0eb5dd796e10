"""The audit trail on real databases: SQLite files and a throwaway PostgreSQL database.

Tampering is done the way an attacker who owns the database would: real SQL, with the
append-only triggers dropped first.
"""

from __future__ import annotations

import csv
import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session

from reviewer.cli import main
from reviewer.domain.audit import (
    GENESIS_HEX,
    AuditError,
    chain_hash,
    event_bytes,
    load_or_create_signing_key,
    sign_checkpoint,
)
from reviewer.store import audit_log, paths
from reviewer.store.audit_log import verifying
from reviewer.store.audit_tables import (
    CHECKPOINT_TABLE,
    EVENT_TABLE,
    create_audit_schema,
    drop_append_only_ddl,
)
from reviewer.store.engine import make_engine

PG_URL = os.environ.get("REVIEWER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
EVENT_COLUMNS = ("seq", "at", "actor", "action", "subject", "payload", "prev_hash", "hash")
CHECKPOINT_COLUMNS = ("size", "head", "at", "signature", "key_id")


@dataclass
class Store:
    url: str
    engine: sa.Engine
    key_dir: Path

    def session(self) -> Session:
        return Session(self.engine)


def _pg_admin() -> sa.Engine:
    return sa.create_engine(paths.resolve_url(PG_URL), isolation_level="AUTOCOMMIT")


def _pg_available() -> str | None:
    try:
        with _pg_admin().connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}"
    return None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    monkeypatch.setenv("REVIEWER_HOME", str(tmp_path / "home"))
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'reviewer.db'}"
        engine = make_engine(url)
        with engine.begin() as conn:
            create_audit_schema(conn)
        yield Store(url, engine, tmp_path)
        engine.dispose()
        return
    reason = _pg_available()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    name = f"reviewer_audit_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = paths.resolve_url(PG_URL).rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    with engine.begin() as conn:
        create_audit_schema(conn)
    yield Store(url, engine, tmp_path / "home")
    engine.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _small_log(store: Store, n: int = 5) -> None:
    """`n` events with checkpoints after every second event and at the end (as on release)."""
    with store.session() as s:
        for i in range(n):
            audit_log.append(
                s,
                ["alice", "bob", "carol"][i % 3],
                ["sign-in", "sign-off"][i % 2],
                f"DSAR-{i}",
                {"n": i, "who": "Zoë Ångström", "ok": True},
                checkpoint_every=2,
            )
        audit_log.checkpoint(s)
        s.commit()


def _verify(store: Store, conn: sa.Connection | None = None) -> audit_log.VerifyResult:
    if conn is None:
        with store.session() as s:
            return audit_log.verify(s)
    return audit_log.verify(Session(bind=conn))


def _drop_triggers(store: Store) -> None:
    with store.engine.begin() as conn:
        for statement in drop_append_only_ddl(conn.dialect.name):
            conn.exec_driver_sql(statement)


def _rows(store: Store, table: str, columns: tuple[str, ...], key: str) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        result = conn.execute(
            sa.text(f"SELECT {key}, {', '.join(columns)} FROM {table} ORDER BY {key}")
        )
        return [dict(r._mapping) for r in result]


# ---------------------------------------------------------------------------------------------


def test_a_fresh_log_verifies_with_checkpoints_in_the_db_and_in_the_file(store: Store) -> None:
    _small_log(store)
    result = _verify(store)
    assert result.ok, result.reason
    assert (result.size, result.last_checkpoint, result.unsigned_tail) == (5, 5, 0)
    with store.session() as s:
        assert audit_log.head(s) == (5, result.head)
        latest = audit_log.latest_checkpoint(s)
    assert latest is not None and (latest.size, latest.head) == (5, result.head)
    lines = [
        json.loads(x) for x in (store.key_dir / paths.CHECKPOINT_FILE).read_text().splitlines()
    ]
    assert [x["size"] for x in lines] == [2, 4, 5]
    assert (store.key_dir / "audit-signing.key").stat().st_mode & 0o777 == 0o600
    assert (store.key_dir / "audit-signing.pub").is_file()


def test_triggers_refuse_update_delete_and_out_of_order_inserts(store: Store) -> None:
    _small_log(store)
    statements = [
        f"UPDATE {EVENT_TABLE} SET actor = 'mallory' WHERE seq = 2",
        f"DELETE FROM {EVENT_TABLE} WHERE seq = 5",
        f"UPDATE {CHECKPOINT_TABLE} SET size = 3",
        f"DELETE FROM {CHECKPOINT_TABLE}",
        f"INSERT INTO {EVENT_TABLE} (seq, at, actor, action, subject, payload, prev_hash, hash) "
        f"VALUES (9, '2026-01-01T00:00:00.000000Z', 'm', 'a', 's', '{{}}', '{GENESIS_HEX}', "
        f"'{GENESIS_HEX}')",
        f"INSERT INTO {EVENT_TABLE} (seq, at, actor, action, subject, payload, prev_hash, hash) "
        f"VALUES (6, '2026-01-01T00:00:00.000000Z', 'm', 'a', 's', '{{}}', '{GENESIS_HEX}', "
        f"'{GENESIS_HEX}')",
    ]
    for statement in statements:
        with pytest.raises(sa.exc.DBAPIError), store.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    if store.engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DBAPIError), store.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {EVENT_TABLE}")
    assert _verify(store).ok


def _text_mutants(value: str) -> Iterator[str]:
    """Each byte of `value` changed, one at a time (kept valid UTF-8 without NUL)."""
    raw = value.encode("utf-8")
    for index in range(len(raw)):
        for mask in (0x01, 0x40):
            changed = bytearray(raw)
            changed[index] ^= mask
            try:
                text = changed.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if "\x00" not in text and text != value:
                yield text


def _int_mutants(value: int) -> Iterator[int]:
    digits = str(value)
    for index in range(len(digits)):
        for digit in "0123456789":
            if digit != digits[index]:
                yield int(digits[:index] + digit + digits[index + 1 :])


@pytest.mark.slow(seconds=10)
def test_every_single_byte_mutation_of_every_field_is_caught(store: Store) -> None:
    _small_log(store)
    _drop_triggers(store)
    assert _verify(store).ok
    tried = caught = refused = 0
    targets: list[tuple[str, str, tuple[str, ...], dict[str, Any]]] = [
        (EVENT_TABLE, "seq", EVENT_COLUMNS, r)
        for r in _rows(store, EVENT_TABLE, EVENT_COLUMNS[1:], "seq")
    ]
    targets += [
        (CHECKPOINT_TABLE, "id", CHECKPOINT_COLUMNS, r)
        for r in _rows(store, CHECKPOINT_TABLE, CHECKPOINT_COLUMNS, "id")
    ]
    assert len(targets) == 5 + 3
    for table, key, columns, row in targets:
        for column in columns:
            value = row[column]
            mutants: Iterator[Any] = (
                _int_mutants(value) if isinstance(value, int) else _text_mutants(value)
            )
            for mutant in mutants:
                tried += 1
                with store.engine.connect() as conn:
                    trans = conn.begin()
                    try:
                        conn.execute(
                            sa.text(f"UPDATE {table} SET {column} = :v WHERE {key} = :k"),
                            {"v": mutant, "k": row[key]},
                        )
                    except sa.exc.IntegrityError:
                        # The primary key or the seq >= 1 check refuses it: it cannot exist.
                        assert (table, column) == (EVENT_TABLE, "seq")
                        refused += 1
                        trans.rollback()
                        continue
                    result = _verify(store, conn)
                    trans.rollback()
                assert not result.ok, f"{table}.{column} of {row[key]} = {mutant!r} not caught"
                if table == EVENT_TABLE:
                    assert result.bad_seq is not None and result.bad_seq <= row["seq"]
                caught += 1
    assert tried == caught + refused
    assert caught > 2000
    assert _verify(store).ok


def _exec(store: Store, *statements: tuple[str, dict[str, Any]]) -> None:
    with store.engine.begin() as conn:
        for sql, params in statements:
            conn.execute(sa.text(sql), params)


def test_deleted_event_is_caught(store: Store) -> None:
    _small_log(store)
    _drop_triggers(store)
    _exec(store, (f"DELETE FROM {EVENT_TABLE} WHERE seq = 3", {}))
    result = _verify(store)
    assert (result.ok, result.bad_seq) == (False, 3)


def test_reordered_events_are_caught(store: Store) -> None:
    _small_log(store)
    _drop_triggers(store)
    _exec(
        store,
        (f"UPDATE {EVENT_TABLE} SET seq = 100 WHERE seq = 2", {}),
        (f"UPDATE {EVENT_TABLE} SET seq = 2 WHERE seq = 3", {}),
        (f"UPDATE {EVENT_TABLE} SET seq = 3 WHERE seq = 100", {}),
    )
    result = _verify(store)
    assert (result.ok, result.bad_seq) == (False, 2)


def test_inserted_event_is_caught(store: Store) -> None:
    _small_log(store)
    _drop_triggers(store)
    rows = _rows(store, EVENT_TABLE, EVENT_COLUMNS[1:], "seq")
    forged_body = event_bytes(3, rows[2]["at"], "mallory", "release", "DSAR-X", "{}")
    forged_hash = chain_hash(bytes.fromhex(rows[1]["hash"]), forged_body).hex()
    _exec(
        store,
        *[
            (f"UPDATE {EVENT_TABLE} SET seq = :new WHERE seq = :old", {"new": s + 100, "old": s})
            for s in (5, 4, 3)
        ],
        *[
            (
                f"UPDATE {EVENT_TABLE} SET seq = :new WHERE seq = :old",
                {"new": s + 1, "old": s + 100},
            )
            for s in (5, 4, 3)
        ],
        (
            f"INSERT INTO {EVENT_TABLE} VALUES (3, :at, 'mallory', 'release', 'DSAR-X', '{{}}', "
            f":prev, :hash)",
            {"at": rows[2]["at"], "prev": rows[1]["hash"], "hash": forged_hash},
        ),
    )
    result = _verify(store)
    assert not result.ok
    assert result.bad_seq == 4  # the genuine event after the forged one no longer links


def test_truncated_tail_is_caught_by_the_checkpoint_file(store: Store) -> None:
    _small_log(store)
    _drop_triggers(store)
    _exec(
        store,
        (f"DELETE FROM {EVENT_TABLE} WHERE seq > 3", {}),
        (f"DELETE FROM {CHECKPOINT_TABLE} WHERE size > 3", {}),
    )
    result = _verify(store)
    assert (result.ok, result.bad_seq) == (False, 4)
    assert "cut off" in (result.reason or "")


def _recompute_from(store: Store, start: int, change: dict[str, Any]) -> None:
    """Edit event `start` and rewrite every hash from it on, as an attacker without the key."""
    rows = _rows(store, EVENT_TABLE, EVENT_COLUMNS[1:], "seq")
    prev = rows[start - 2]["hash"] if start > 1 else GENESIS_HEX
    statements = []
    for row in rows[start - 1 :]:
        if row["seq"] == start:
            row.update(change)
        body = event_bytes(
            row["seq"], row["at"], row["actor"], row["action"], row["subject"], row["payload"]
        )
        digest = chain_hash(bytes.fromhex(prev), body).hex()
        statements.append(
            (
                f"UPDATE {EVENT_TABLE} SET actor = :actor, payload = :payload, "
                f"prev_hash = :prev, hash = :hash WHERE seq = :seq",
                {
                    "actor": row["actor"],
                    "payload": row["payload"],
                    "prev": prev,
                    "hash": digest,
                    "seq": row["seq"],
                },
            )
        )
        prev = digest
    _exec(store, *statements)


def test_recomputed_chain_is_caught_by_the_signed_checkpoints(store: Store) -> None:
    _small_log(store)
    _drop_triggers(store)
    _recompute_from(store, 2, {"actor": "mallory"})
    result = _verify(store)
    assert (result.ok, result.bad_seq) == (False, 2)
    assert "rewritten" in (result.reason or "")


def test_recomputed_chain_with_db_checkpoints_removed_or_resigned_is_caught(
    store: Store, tmp_path: Path
) -> None:
    _small_log(store)
    _drop_triggers(store)
    _recompute_from(store, 4, {"payload": '{"n":3,"ok":false,"who":"Zoë Ångström"}'})
    _exec(store, (f"DELETE FROM {CHECKPOINT_TABLE}", {}))
    result = _verify(store)
    assert (result.ok, result.bad_seq) == (False, 4)
    # The attacker signs their own checkpoint with a key of their own.
    rows = _rows(store, EVENT_TABLE, ("hash",), "seq")
    forged = sign_checkpoint(load_or_create_signing_key(tmp_path / "attacker"), 5, rows[-1]["hash"])
    _exec(
        store,
        (
            f"INSERT INTO {CHECKPOINT_TABLE} (size, head, at, signature, key_id) "
            f"VALUES (:size, :head, :at, :signature, :key_id)",
            forged.to_dict(),
        ),
    )
    assert not _verify(store).ok


def test_a_damaged_checkpoint_file_fails_verification(store: Store) -> None:
    _small_log(store)
    with open(store.key_dir / paths.CHECKPOINT_FILE, "a") as handle:
        handle.write("{not json\n")
    result = _verify(store)
    assert not result.ok
    assert "line 4" in (result.reason or "")


def test_a_rolled_back_checkpoint_leaves_no_line_in_the_file(store: Store) -> None:
    _small_log(store)
    file = store.key_dir / paths.CHECKPOINT_FILE
    before = file.read_text()
    with store.session() as s:
        audit_log.append(s, "alice", "ingest", "DSAR-9", {})
        assert audit_log.checkpoint(s) is not None
        s.rollback()
    assert file.read_text() == before
    assert _verify(store).ok


def test_secrets_are_refused_and_nothing_is_recorded(store: Store) -> None:
    with store.session() as s:
        with pytest.raises(AuditError) as err:
            audit_log.append(s, "alice", "sign-in", "", {"Passphrase": "correct horse battery"})
        assert "correct horse" not in str(err.value)
        s.rollback()
        assert audit_log.head(s).size == 0


def test_concurrent_writers_form_one_chain(store: Store) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(20):
                with store.session() as s:
                    audit_log.append(s, name, "inspect", f"DSAR-{i}", {"i": i}, checkpoint_every=7)
                    s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"user{t}",)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = _verify(store)
    assert result.ok, result.reason
    assert result.size == 80
    rows = _rows(store, EVENT_TABLE, ("actor",), "seq")
    assert [r["seq"] for r in rows] == list(range(1, 81))
    assert sorted({r["actor"] for r in rows}) == ["user0", "user1", "user2", "user3"]


def test_export_csv_holds_every_event_and_recomputes_to_the_head(
    store: Store, tmp_path: Path
) -> None:
    _small_log(store)
    out = tmp_path / "audit.csv"
    with store.session() as s:
        assert audit_log.export_csv(s, out) == 5
        expected_head = audit_log.head(s).hash
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["actor"] for r in rows] == ["alice", "bob", "carol", "alice", "bob"]
    assert json.loads(rows[0]["payload"])["who"] == "Zoë Ångström"
    prev = bytes.fromhex(GENESIS_HEX)
    for r in rows:
        prev = chain_hash(
            prev,
            event_bytes(
                int(r["seq"]), r["at"], r["actor"], r["action"], r["subject"], r["payload"]
            ),
        )
        assert r["hash"] == prev.hex()
    assert prev.hex() == expected_head


def test_cli_verify_and_export(store: Store, tmp_path: Path) -> None:
    _small_log(store)
    runner = CliRunner()
    ok = runner.invoke(main, ["--db", store.url, "audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "verifies: 5 events" in ok.output
    as_json = runner.invoke(main, ["--db", store.url, "audit", "verify", "--json"])
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    assert (data["ok"], data["size"], data["last_checkpoint"]) == (True, 5, 5)
    out = tmp_path / "events.csv"  # exporting names its supervisor (test_cli_store)
    exported = runner.invoke(main, ["--db", store.url, "audit", "export", "--csv", str(out)])
    assert exported.exit_code == 2 and "--as" in exported.output and not out.exists()
    _drop_triggers(store)
    _exec(store, (f"UPDATE {EVENT_TABLE} SET subject = 'DSAR-other' WHERE seq = 3", {}))
    bad = runner.invoke(main, ["--db", store.url, "audit", "verify"])
    assert bad.exit_code == 1
    assert "does NOT verify: event 3:" in bad.output
    bad_json = runner.invoke(main, ["--db", store.url, "audit", "verify", "--json"])
    assert bad_json.exit_code == 1
    assert json.loads(bad_json.stdout)["bad_seq"] == 3


def test_cli_answers_a_missing_store_in_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--db", f"sqlite:///{tmp_path / 'none.db'}", "audit", "verify"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "no store at" in result.output
    assert not (tmp_path / "none.db").exists()


def _edit(column: str, seq: int, value: str) -> Callable[[Store], None]:
    return lambda store: _exec(
        store, (f"UPDATE {EVENT_TABLE} SET {column} = :v WHERE seq = :s", {"v": value, "s": seq})
    )


def _chain_recomputed(store: Store) -> None:
    _recompute_from(store, 3, {"actor": "mallory"})
    _exec(store, (f"DELETE FROM {CHECKPOINT_TABLE}", {}))


TAMPERING: dict[str, Callable[[Store], None]] = {
    "untouched": lambda store: None,
    "first event deleted": lambda store: _exec(
        store, (f"DELETE FROM {EVENT_TABLE} WHERE seq = 1", {})
    ),
    "event at a run boundary deleted": lambda store: _exec(
        store, (f"DELETE FROM {EVENT_TABLE} WHERE seq = 3", {})
    ),
    "tail cut with its checkpoints": lambda store: _exec(
        store,
        (f"DELETE FROM {EVENT_TABLE} WHERE seq >= 4", {}),
        (f"DELETE FROM {CHECKPOINT_TABLE} WHERE size >= 4", {}),
    ),
    "link at a run boundary edited": _edit("prev_hash", 3, "0" * 64),
    "payload edited": _edit("payload", 4, '{"n":3}'),
    "hash of the last event edited": _edit("hash", 5, "f" * 64),
    "chain recomputed": _chain_recomputed,
}


@pytest.mark.parametrize("tampering", list(TAMPERING))
def test_parallel_verify_finds_exactly_what_one_walk_finds(
    store: Store, tampering: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_log(store)
    _drop_triggers(store)
    TAMPERING[tampering](store)
    with store.session() as s:
        single = audit_log.verify(s, workers=1)
    monkeypatch.setattr(verifying, "PARALLEL_MIN_EVENTS", 0)
    for workers in (2, 3):
        with store.session() as s:
            split = audit_log.verify(s, workers=workers)
        assert (split.ok, split.bad_seq) == (single.ok, single.bad_seq), (workers, split.reason)
        if single.ok:
            assert (split.size, split.head, split.checkpoints) == (
                single.size,
                single.head,
                single.checkpoints,
            )
    assert single.ok == (tampering == "untouched")


def test_a_line_torn_by_a_crash_is_ignored_and_cut_by_the_next_write(store: Store) -> None:
    _small_log(store)
    file = store.key_dir / paths.CHECKPOINT_FILE
    whole = file.read_text()
    with open(file, "a") as handle:
        handle.write(whole.splitlines()[-1][:40])  # a write cut short, no newline
    assert _verify(store).ok
    with store.session() as s:
        audit_log.append(s, "bob", "release", "DSAR-1", {})
        audit_log.checkpoint(s)
        s.commit()
    lines = file.read_text().splitlines()
    assert lines[:3] == whole.splitlines()
    assert [json.loads(x)["size"] for x in lines] == [2, 4, 5, 6]
    assert _verify(store).ok


def test_checkpoints_removed_from_the_db_and_the_file_alike_are_caught(store: Store) -> None:
    with store.session() as s:
        for i in range(250):
            audit_log.append(s, "alice", "inspect", f"DSAR-{i // 50}", {"i": i})
        s.commit()
    assert _verify(store).ok
    assert _verify(store).last_checkpoint == 200
    _drop_triggers(store)
    # Rewrite from event 150 on and remove every trace of the checkpoint at 200.
    _recompute_from(store, 150, {"actor": "mallory"})
    _exec(store, (f"DELETE FROM {CHECKPOINT_TABLE} WHERE size >= 200", {}))
    file = store.key_dir / paths.CHECKPOINT_FILE
    kept = [x for x in file.read_text().splitlines() if json.loads(x)["size"] < 200]
    file.write_text("".join(x + "\n" for x in kept))
    result = _verify(store)
    assert (result.ok, result.bad_seq) == (False, 200)
    assert "removed" in (result.reason or "")
    file.unlink()
    _exec(store, (f"DELETE FROM {CHECKPOINT_TABLE}", {}))
    result = _verify(store)
    assert (result.ok, result.bad_seq) == (False, 1)
    assert "250 events and no signed checkpoint" in (result.reason or "")


def test_parallel_verify_from_a_threaded_program(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_log(store)
    monkeypatch.setattr(verifying, "PARALLEL_MIN_EVENTS", 0)
    answers: list[audit_log.VerifyResult] = []

    def run() -> None:
        with store.session() as s:
            answers.append(audit_log.verify(s, workers=2))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert [(a.ok, a.size) for a in answers] == [(True, 5)]


def test_events_read_back_in_order_as_recorded(store: Store) -> None:
    _small_log(store)
    with store.session() as s:
        events = list(audit_log.iter_events(s, after_seq=2))
    assert [e.seq for e in events] == [3, 4, 5]
    assert events[0].data == {"n": 2, "ok": True, "who": "Zoë Ångström"}
    assert events[0].actor == "carol"
    assert events[1].prev_hash == events[0].hash


def test_team_mode_trusts_another_terminals_key_once_copied_as_documented(
    store: Store, tmp_path: Path
) -> None:
    desk1, desk2 = tmp_path / "desk1", tmp_path / "desk2"
    with store.session() as s, s.begin():
        audit_log.append(s, "alice", "sign-in", "reviewer:alice", {}, key_dir=desk1)
        audit_log.checkpoint(s, desk1)
        audit_log.append(s, "bob", "sign-in", "reviewer:bob", {}, key_dir=desk2)
        audit_log.checkpoint(s, desk2)
    runner = CliRunner()
    verify = ["--db", store.url, "audit", "verify", "--key-dir", str(desk1)]
    before = runner.invoke(main, verify)
    assert before.exit_code == 1
    assert "not a trusted audit key" in before.output
    (desk1 / "audit-signing-desk2.pub").write_bytes((desk2 / "audit-signing.pub").read_bytes())
    after = runner.invoke(main, verify)
    assert after.exit_code == 0, after.output
    assert "2 signed checkpoints" in after.output
    help_text = runner.invoke(main, ["audit", "verify", "--help"]).output
    assert "audit-signing-<name>.pub" in help_text
    assert audit_log.__doc__ is not None and "audit-signing-<name>.pub" in audit_log.__doc__
