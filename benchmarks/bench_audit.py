"""How long does `reviewer audit verify` take over a 1,000,000-event audit trail?

Builds a whole store (every table, by the store's own migrations) whose audit trail holds N
chained events with a signed checkpoint every 100 events, in the database and in the checkpoint
file, exactly as the store writes them, but inserted in bulk: the first event adds the account,
and every other one is an inspection with its row in `inspections`, so `audit verify`'s
cross-check of every decision row against its event has N rows and events to compare (the
hardest case: inspections are the most numerous rows). Then it runs the real command
`reviewer --db URL audit verify --json` several times and prints each time, the median, the
verify rate and the peak RSS of the command, beside the target (at most 10 s).

    .venv/bin/python benchmarks/bench_audit.py                    # SQLite, 1,000,000 events
    .venv/bin/python benchmarks/bench_audit.py --events 100000 --runs 3
    .venv/bin/python benchmarks/bench_audit.py --db postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/bench_audit.py --keep            # then, without rebuilding:
    .venv/bin/python benchmarks/bench_audit.py --reuse /tmp/bench-audit-XXXX

Wall time depends on what else the machine runs, so CPU time (all processes) and the load
average are printed too.

With --db postgresql://... a throwaway database is created beside the one named and dropped
at the end; the key and checkpoint file go to a temporary REVIEWER_HOME.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from installed import as_installed
from sqlalchemy.orm import Session

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REVIEWER = Path(sys.executable).with_name("reviewer")
TARGET_SECONDS = 10.0
CHECKPOINT_EVERY = 100
BATCH = 20_000

KINDS = ("played", "viewed_transcript", "viewed_member")


def _events(
    n: int, policy: dict[str, object]
) -> Iterator[tuple[tuple[int, str, str, str, str, str, str, str], tuple[object, ...] | None]]:
    """(event row, its inspection row or None): the store's signed-decisions marker (nothing
    before it, so every row after is compared with its event), the account, then inspections."""
    from reviewer.domain.audit import DECISIONS_SIGNED_MARKER, GENESIS_HEX, make_event

    seq, prev = 0, GENESIS_HEX
    base = time.time() - n
    for i in range(n):
        at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(base + i)) + f".{i % 1000000:06d}Z"
        row: tuple[object, ...] | None = None
        if i == 0:
            e = make_event(
                seq,
                prev,
                "system",
                DECISIONS_SIGNED_MARKER,
                "audit",
                {"legacy_rows": {}, "legacy_disabled": [], "policy": policy},
                at=at,
            )
        elif i == 1:
            e = make_event(
                seq,
                prev,
                "bootstrap",
                "user-add",
                "reviewer:carol",
                {"role": "supervisor", "account_id": 1, "bootstrap": True},
                at=at,
            )
        else:
            kind, seconds = KINDS[i % 3], round((i % 97) / 10, 1) if i % 3 == 0 else 0.0
            target = f"Alexa/Audio/u{i:07d}.wav"
            e = make_event(
                seq,
                prev,
                "carol",
                "inspection",
                "request:DSAR-BENCH",
                {"version_id": 1, "kind": kind, "target": target, "seconds": seconds},
                at=at,
            )
            row = (1, 1, kind, target, seconds, at.replace("T", " ").rstrip("Z"))
        yield (e.seq, e.at, e.actor, e.action, e.subject, e.payload, e.prev_hash, e.hash), row
        seq, prev = e.seq, e.hash


SEED_ROWS = [
    "INSERT INTO reviewers (id, name, role, passphrase_hash, disabled, failed_count, created_at) "
    "VALUES (1, 'carol', 'supervisor', 'x', false, 0, '2026-01-01 00:00:00')",
    "INSERT INTO requests (request_id, customer_id, requester_name, ticket, created_at) "
    "VALUES ('DSAR-BENCH', 'A1', 'Bench', '{}', '2026-01-01 00:00:00')",
    "INSERT INTO export_versions (id, request_id, number, archive_sha256, archive_path, "
    "archive_bytes, verdict, critical, warnings, blocked, report, index_summary, sample, "
    "sampling_statement, round, ingested_at, ingested_by) VALUES (1, 'DSAR-BENCH', 1, "
    "'" + "0" * 64 + "', '/nonexistent', 0, 'pass', 0, 0, false, '{}', '{}', '{}', '', 1, "
    "'2026-01-01 00:00:00', 'bench')",
]


def build(url: str, n: int, key_dir: Path) -> float:
    """Create the audit tables at `url` and load `n` events; returns seconds taken."""
    from reviewer.domain.audit import load_or_create_signing_key, sign_checkpoint
    from reviewer.store import audit_log
    from reviewer.store.audit_tables import (
        CHECKPOINT_TABLE,
        EVENT_TABLE,
        append_only_ddl,
        drop_append_only_ddl,
    )
    from reviewer.store.engine import make_engine
    from reviewer.store.migrate import upgrade
    from reviewer.store.service.unit import SIGNED_DECISIONS_KEY

    started = time.perf_counter()
    engine = make_engine(url)
    upgrade(engine)  # every table of the store, the audit trail's included
    with engine.begin() as conn:
        for statement in SEED_ROWS:
            conn.exec_driver_sql(statement)
        # Bulk load without the per-row in-order trigger, then put every trigger in place.
        for statement in drop_append_only_ddl(conn.dialect.name):
            conn.exec_driver_sql(statement)
        policy = dict(
            conn.execute(
                sa.text(
                    "SELECT sample_confidence, sample_min_foreign_fraction, unlock_lapse_days, "
                    "new_account_days FROM policy WHERE id = 1"
                )
            )
            .mappings()
            .one()
        )
        # The store's era of signed decisions starts with the trail (the service would
        # otherwise mark it at the end, when first opened for writing).
        conn.execute(
            sa.text("INSERT INTO store_meta (key, value) VALUES (:k, :v)"),
            {"k": SIGNED_DECISIONS_KEY, "v": json.dumps({"at": "bench"})},
        )
    key = load_or_create_signing_key(key_dir)
    insert_event = (
        f"INSERT INTO {EVENT_TABLE} (seq, at, actor, action, subject, payload, "
        f"prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    checkpoints = []
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        batch: list[tuple[int, str, str, str, str, str, str, str]] = []
        rows: list[tuple[object, ...]] = []
        insert_row = (
            "INSERT INTO inspections (version_id, reviewer_id, kind, target, seconds, "
            "at) VALUES (?, ?, ?, ?, ?, ?)"
        )

        def flush() -> None:
            if not batch:
                return
            if pg:
                with cur.copy(
                    f"COPY {EVENT_TABLE} (seq, at, actor, action, subject, payload, "
                    f"prev_hash, hash) FROM STDIN"
                ) as copy:
                    for event in batch:
                        copy.write_row(event)
                with cur.copy(
                    "COPY inspections (version_id, reviewer_id, kind, target, "
                    "seconds, at) FROM STDIN"
                ) as copy:
                    for inspection in rows:
                        copy.write_row(inspection)
            else:
                cur.executemany(insert_event, batch)
                cur.executemany(insert_row, rows)
            batch.clear()
            rows.clear()

        for row, inspection in _events(n, policy):
            batch.append(row)
            if inspection is not None:
                rows.append(inspection)
            # The marker and the account are decisions, each signed when made; then every 100.
            if row[0] % CHECKPOINT_EVERY == 0 or row[0] in (1, 2, n):
                checkpoints.append(sign_checkpoint(key, row[0], row[7]))
            if len(batch) >= BATCH:
                flush()
        flush()
        conn.execute(
            sa.text(
                f"INSERT INTO {CHECKPOINT_TABLE} (size, head, at, signature, "
                f"key_id) VALUES (:size, :head, :at, :signature, :key_id)"
            ),
            [cp.to_dict() for cp in checkpoints],
        )
        for statement in append_only_ddl(conn.dialect.name):
            conn.exec_driver_sql(statement)
    with Session(engine) as session:
        lines = "".join(audit_log.checkpoint_line(session, cp) for cp in checkpoints)
    audit_log.checkpoint_file(key_dir).write_text(lines, encoding="utf-8")
    engine.dispose()
    return time.perf_counter() - started


def time_verify(
    url: str, env: dict[str, str], workers: int | None
) -> tuple[float, float, float, dict[str, object]]:
    """Wall seconds, CPU seconds (all processes) and peak RSS (MB, largest process) of one
    `reviewer audit verify --json` run, and its answer."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [str(REVIEWER), "--db", url, "audit", "verify", "--json"]
    if workers:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if proc.returncode != 0:
        sys.exit(f"verify failed (exit {proc.returncode}): {proc.stdout}{proc.stderr}")
    return seconds, cpu, after.ru_maxrss / 1024, json.loads(proc.stdout)


def main() -> None:
    as_installed()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", help="postgresql://... server to use (default: a SQLite file)")
    parser.add_argument("--workers", type=int, help="passed to verify (default: one per CPU)")
    parser.add_argument("--keep", action="store_true", help="keep the store afterwards")
    parser.add_argument(
        "--reuse",
        type=Path,
        metavar="DIR",
        help="time a SQLite store kept by an earlier --keep run (no build)",
    )
    args = parser.parse_args()

    if args.reuse:
        reuse(args)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    env = dict(os.environ, REVIEWER_HOME=str(work / "home"))
    os.environ["REVIEWER_HOME"] = env["REVIEWER_HOME"]
    admin = None
    name = ""
    if args.db:
        from reviewer.store.paths import resolve_url

        name = f"bench_audit_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(resolve_url(args.db), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = resolve_url(args.db).rsplit("/", 1)[0] + "/" + name
        key_dir = work / "home"
    else:
        url = f"sqlite:///{work / 'reviewer.db'}"
        key_dir = work
    try:
        print(
            f"building {args.events:,} events at {sa.make_url(url).render_as_string()} ...",
            flush=True,
        )
        built = build(url, args.events, key_dir)
        size_note = ""
        if not args.db:
            size_note = f", {(work / 'reviewer.db').stat().st_size / 1e6:,.0f} MB on disk"
        print(f"built in {built:.1f} s ({args.events / built:,.0f} events/s{size_note})")
        report(url, env, args)
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
        if args.keep:
            print(f"kept: {work}  (time it again with --reuse {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)


def reuse(args: argparse.Namespace) -> None:
    work = args.reuse.resolve()
    if not (work / "reviewer.db").is_file():
        sys.exit(f"no reviewer.db in {work}")
    env = dict(os.environ, REVIEWER_HOME=str(work / "home"))
    with sqlite3.connect(f"file:{work / 'reviewer.db'}?mode=ro", uri=True) as conn:
        args.events = conn.execute("SELECT COUNT(*) FROM audit_event").fetchone()[0]
    report(f"sqlite:///{work / 'reviewer.db'}", env, args)


def report(url: str, env: dict[str, str], args: argparse.Namespace) -> None:
    times = []
    cpus = []
    peak = 0.0
    answer: dict[str, object] = {}
    for run in range(args.runs):
        seconds, cpu, rss, answer = time_verify(url, env, args.workers)
        times.append(seconds)
        cpus.append(cpu)
        peak = max(peak, rss)
        print(f"  run {run + 1}: reviewer audit verify {seconds:.2f} s wall, {cpu:.2f} s CPU")
    median = statistics.median(times)
    verdict = "ok" if median <= TARGET_SECONDS else "OVER TARGET"
    print(
        f"reviewer audit verify over {args.events:,} events "
        f"({answer.get('checkpoints')} checkpoints, workers: "
        f"{args.workers or os.cpu_count()}, load average {os.getloadavg()[0]:.1f}): "
        f"median {median:.2f} s wall (min {min(times):.2f}, max {max(times):.2f}), "
        f"median {statistics.median(cpus):.2f} s CPU, "
        f"{args.events / median:,.0f} events/s, peak RSS {peak:.0f} MB; "
        f"target <= {TARGET_SECONDS:.0f} s: {verdict}"
    )
    if answer.get("ok") is not True or answer.get("size") != args.events:
        sys.exit(f"unexpected verify answer: {answer}")


if __name__ == "__main__":
    main()
