"""The four-eyes store's speed on SQLite and PostgreSQL.

1. Sign-off commit latency: N sign-offs (N/2 exports, both stages), each timed from the call
   to the committed return of `ReviewService.sign_off`, p50 and p95. The passphrase check is
   timed apart (Argon2id at the library's defaults is deliberately slow); the sign-offs
   themselves use the cheapest Argon2id parameters so the figure is the store's.
2. Ingest of the incident-scale export (1,700 recordings, ~100 MB; made by
   `benchmarks/gen_export.py --kind incident` when missing): the check, the store write, and
   loading the stored review detail back (what the review screen does on Enter).

    .venv/bin/python benchmarks/bench_store.py
    .venv/bin/python benchmarks/bench_store.py --signoffs 400 --pg postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/bench_store.py --no-pg
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from installed import as_installed

if TYPE_CHECKING:
    from reviewer.domain.review import Review

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

INCIDENT = HERE / "out" / "incident"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


@contextmanager
def stores(pg_admin: str | None) -> Iterator[list[tuple[str, str]]]:
    """(label, url) of an empty SQLite store and, if asked, a throwaway PostgreSQL database."""
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        os.environ["REVIEWER_HOME"] = str(Path(tmp) / "home")
        out = [("sqlite", f"sqlite:///{tmp}/reviewer.db")]
        name = None
        if pg_admin:
            import psycopg

            name = f"reviewer_bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(pg_admin, autocommit=True) as c:
                c.execute(f'CREATE DATABASE "{name}"')
            out.append(("postgresql", f"{pg_admin.rsplit('/', 1)[0]}/{name}"))
        try:
            yield out
        finally:
            if pg_admin and name:
                import psycopg

                with psycopg.connect(pg_admin, autocommit=True) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_signoffs(url: str, n: int, work: Path) -> dict[str, float]:
    from argon2 import PasswordHasher, profiles
    from conftest import add_people, build_review, signed_in

    from reviewer.domain.signoff import CHECKLIST_KEYS
    from reviewer.store.service import ReviewService

    fast = PasswordHasher.from_parameters(profiles.CHEAPEST)
    everything = dict.fromkeys(CHECKLIST_KEYS, True)
    svc = ReviewService.open(url, hasher=fast)
    add_people(
        svc,
        [
            ("carol", "supervisor", "carol-bench-passphrase"),
            ("alice", "reviewer", "alice-bench-passphrase"),
            ("bob", "approver", "bob-bench-passphrase"),
        ],
    )
    latencies: list[float] = []
    for i in range(n // 2):
        review, folder = build_review(work / "inbox", f"BENCH-{i:05d}", recordings=3, seed=i)
        vid = svc.ingest(review, folder / "export.zip", actor="bench").version_id
        for who in ("alice", "bob"):
            session = signed_in(svc, who)
            for item in svc.version_detail(vid).sample.items:
                assert item.duration_s is not None
                svc.record_inspection(session, vid, "played", item.member, item.duration_s)
                svc.record_inspection(session, vid, "viewed_transcript", item.member)
            t = time.perf_counter()
            svc.sign_off(who, f"{who}-bench-passphrase", vid, "approve", "ok", everything, {})
            latencies.append(time.perf_counter() - t)
    svc.close()
    return {"p50": pct(latencies, 0.5), "p95": pct(latencies, 0.95), "n": len(latencies)}


def bench_argon2() -> float:
    from argon2 import PasswordHasher

    ph = PasswordHasher()
    h = ph.hash("a-passphrase-of-some-length")
    times = []
    for _ in range(5):
        t = time.perf_counter()
        ph.verify(h, "a-passphrase-of-some-length")
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ensure_incident() -> Path:
    if not (INCIDENT / "export.zip").exists():
        print("generating the incident-scale export (once) ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                str(HERE / "gen_export.py"),
                "--kind",
                "incident",
                "--out",
                str(INCIDENT),
            ],
            check=True,
        )
    return INCIDENT


def bench_ingest(url: str, folder: Path, review: Review, check_s: float) -> dict[str, float]:
    from reviewer.store.service import ReviewService

    svc = ReviewService.open(url)
    t = time.perf_counter()
    result = svc.ingest(review, folder / "export.zip", actor="bench")
    store_s = time.perf_counter() - t
    t = time.perf_counter()
    detail = svc.request_detail(result.request_id)
    detail_s = time.perf_counter() - t
    t = time.perf_counter()
    again = svc.ingest(review, folder / "export.zip", actor="bench")
    unchanged_s = time.perf_counter() - t
    assert again.outcome == "unchanged"
    svc.close()
    return {
        "check": check_s,
        "store": store_s,
        "total": check_s + store_s,
        "detail": detail_s,
        "unchanged": unchanged_s,
        "members": len(detail.index.members),
        "sample": detail.sample.size,
    }


def main() -> int:
    as_installed()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signoffs", type=int, default=200)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-ingest", action="store_true")
    args = parser.parse_args()
    pg = None if args.no_pg else args.pg

    print(f"Argon2id passphrase check (library defaults): {bench_argon2() * 1000:.0f} ms")
    review = folder = None
    check_s = 0.0
    if not args.no_ingest:
        from reviewer.archive.review import review_request

        folder = ensure_incident()
        t = time.perf_counter()
        review = review_request(folder)
        check_s = time.perf_counter() - t
    with stores(pg) as targets, tempfile.TemporaryDirectory() as work:
        for label, url in targets:
            s = bench_signoffs(url, args.signoffs, Path(work) / label)
            print(
                f"{label:<10} sign-off commit latency over {s['n']:.0f}: "
                f"p50 {s['p50'] * 1000:.1f} ms, p95 {s['p95'] * 1000:.1f} ms"
            )
        if review is not None and folder is not None:
            for label, url in targets:
                i = bench_ingest(url.replace("reviewer.db", "ingest.db"), folder, review, check_s)
                print(
                    f"{label:<10} ingest of the incident-scale export ({i['members']:.0f} members): "
                    f"check {i['check']:.2f} s + store {i['store']:.2f} s = {i['total']:.2f} s; "
                    f"stored detail loads in {i['detail'] * 1000:.0f} ms; "
                    f"re-ingest unchanged {i['unchanged'] * 1000:.0f} ms; sample {i['sample']:.0f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
