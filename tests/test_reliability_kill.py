"""kill -9 during ingest, sign-off and release, 10 times per database (`REVIEWER_TEST_KILLS`).

A helper process imports everything once and forks a worker per round; the worker runs the
whole flow in a loop (ingest, two sign-offs, release) and appends an acknowledgement line to a
file after each step returns: READY, then INGESTED, SIGNED (alice), SIGNED (bob), RELEASED, and
again from INGESTED. Each round picks k (seeded) and kills the worker with SIGKILL as soon as
the file holds k lines, plus a few milliseconds, so the kill lands in the step after the k-th:
the test waits on acknowledgements, never on the clock, and reaches every step however busy
the machine is. After each kill it checks: SQLite's integrity check passes, the audit chain
verifies, every acknowledged step is in the store, and the outbox never holds a half release.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import text

from reviewer.store.paths import sqlite_file
from reviewer.store.service import ReviewService

# One whole deck of KILL_AFTER by default: every kill point once per database, every run. A
# soak run sets more (each further deck is shuffled anew).
KILLS = int(os.environ.get("REVIEWER_TEST_KILLS", "10"))
TESTS_DIR = Path(__file__).resolve().parent

# Where a round may stop: after the k-th acknowledgement. Lines 1..10 of an acks file are
# READY, then INGESTED, SIGNED, SIGNED, RELEASED twice over, then INGESTED again, so a deck of
# these ten kills after every kind of step, twice right after a release (in the next ingest).
KILL_AFTER = tuple(range(1, 11))
# After the k-th line shows, wait up to this long more, so the kill falls inside the next
# step rather than always at its first instruction (a step takes some 10-40 ms here).
JITTER_S = 0.015
# How long a round may take to reach its k-th acknowledgement before the test fails.
ROUND_TIMEOUT_S = float(os.environ.get("REVIEWER_TEST_KILL_TIMEOUT", "120"))

ZYGOTE = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, sys.argv[1])
    from argon2 import PasswordHasher, profiles
    from datetime import timedelta
    from conftest import build_review, opened_earlier
    from reviewer.domain.signoff import CHECKLIST_KEYS
    from reviewer.store.service import ReviewService

    url, work = sys.argv[2], sys.argv[3]
    FAST = PasswordHasher.from_parameters(profiles.CHEAPEST)
    ALL = dict.fromkeys(CHECKLIST_KEYS, True)

    def worker(round_no):
        acks = os.open(os.path.join(work, f"acks-{round_no}.txt"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        def ack(*words):
            os.write(acks, (" ".join(map(str, words)) + "\\n").encode())
        svc = ReviewService.open(url, hasher=FAST)
        known = {u.name for u in svc.list_users()}
        if "carol" not in known:
            svc.add_user(None, "carol", "supervisor", "carol-passphrase-long")
        carol = svc.sign_in("carol", "carol-passphrase-long")
        for name, role in (("alice", "reviewer"), ("bob", "approver")):
            if name not in known:
                svc.add_user(carol, name, role, name + "-passphrase-long")
        me = {who: svc.sign_in(who, who + "-passphrase-long") for who in ("alice", "bob")}
        for session in me.values():  # signed in hours ago: time enough for all it plays
            opened_earlier(svc, session, timedelta(hours=6))
        ack("READY")
        from pathlib import Path
        inbox, outbox = Path(work) / "inbox", Path(work) / "outbox"
        i = 0
        while True:
            rid = f"K{round_no:02d}-{i:04d}"
            review, folder = build_review(inbox, rid, recordings=2, seed=round_no * 1000 + i)
            vid = svc.ingest(review, folder / "export.zip", actor="kill-test").version_id
            ack("INGESTED", rid, vid)
            for who in ("alice", "bob"):
                for item in svc.version_detail(vid).sample.items:
                    svc.record_inspection(me[who], vid, "played", item.member, item.duration_s)
                    svc.record_inspection(me[who], vid, "viewed_transcript", item.member)
                svc.sign_off(who, who + "-passphrase-long", vid, "approve", "ok", ALL, {})
                ack("SIGNED", rid, vid, who)
            svc.release(me["bob"], rid, outbox)
            ack("RELEASED", rid, vid)
            i += 1

    for line in sys.stdin:
        round_no = int(line)
        pid = os.fork()
        if pid == 0:
            try:
                worker(round_no)
            except BaseException:
                import traceback
                with open(os.path.join(work, f"acks-{round_no}.txt"), "a") as f:
                    f.write("ERROR " + traceback.format_exc().replace("\\n", " | ") + "\\n")
            finally:
                os._exit(1)
        print(pid, flush=True)
        os.waitpid(pid, 0)
        print("REAPED", flush=True)
    """
)


def _kill_points(rounds: int, rng: random.Random) -> list[int]:
    """k for each round: shuffled decks of KILL_AFTER, so every whole deck covers each step."""
    points: list[int] = []
    while len(points) < rounds:
        deck = list(KILL_AFTER)
        rng.shuffle(deck)
        points.extend(deck)
    return points[:rounds]


def _acks(path: Path) -> list[str]:
    """The whole lines of an acks file (a line still being written is not counted)."""
    if not path.exists():
        return []
    return path.read_text().split("\n")[:-1]


def _wait_for_acks(
    path: Path, k: int, proc: subprocess.Popen[str], pid: int, round_no: int
) -> list[str]:
    """Poll until the worker has acknowledged k lines; fail clearly if it dies or stalls."""
    deadline = time.monotonic() + ROUND_TIMEOUT_S
    while True:
        lines = _acks(path)
        errors = [line for line in lines if line.startswith("ERROR")]
        assert not errors, f"round {round_no}: the worker failed: {errors[0]}"
        if len(lines) >= k:
            assert lines[0] == "READY", f"round {round_no}: first line {lines[0]!r}"
            return lines
        assert proc.poll() is None, "the helper process died"
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            raise AssertionError(
                f"round {round_no}: the worker died after {len(lines)} of {k} acknowledgements: "
                f"{lines[-1:]}"
            ) from None
        if time.monotonic() > deadline:
            raise AssertionError(
                f"round {round_no}: the worker acknowledged {len(lines)} of the {k} steps this "
                f"round waits for in {ROUND_TIMEOUT_S:.0f} s (REVIEWER_TEST_KILL_TIMEOUT); "
                f"last: {lines[-1:]}"
            )
        time.sleep(0.001)


def _check_outbox(outbox: Path) -> set[str]:
    """Every visible entry is a whole release; returns the request ids released."""
    released: set[str] = set()
    if not outbox.exists():
        return released
    for entry in outbox.iterdir():
        if entry.name.startswith("."):
            continue  # .partial: where a release is assembled before its atomic rename
        assert entry.is_dir(), entry
        assert sorted(p.name for p in entry.iterdir()) == [
            "disclosure-record.html",
            "disclosure-record.json",
            "export.zip",
            "release.json",
        ], entry
        receipt = json.loads((entry / "release.json").read_text())
        digest = hashlib.sha256((entry / "export.zip").read_bytes()).hexdigest()
        assert receipt["archive_sha256"] == digest and receipt["request_id"] == entry.name
        released.add(entry.name)
    return released


@pytest.mark.slow(seconds=30)
def test_kill_nine_never_loses_what_was_acknowledged(store_url: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    ReviewService.open(store_url).close()  # create the store once, outside the workers
    env = dict(os.environ)
    proc = subprocess.Popen(
        [sys.executable, "-c", ZYGOTE, str(TESTS_DIR), store_url, str(work)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    rng = random.Random(20180412)
    kill_after = _kill_points(KILLS, rng)
    acked: list[list[str]] = []
    killed_after: list[str] = []  # the kind of the k-th acknowledgement, round by round
    pid: int | None = None  # a worker not yet killed and reaped
    assert proc.stdin is not None and proc.stdout is not None
    checker = ReviewService.open(
        store_url, hasher=PasswordHasher.from_parameters(profiles.CHEAPEST)
    )
    try:
        for round_no, k in enumerate(kill_after):
            proc.stdin.write(f"{round_no}\n")
            proc.stdin.flush()
            answer = proc.stdout.readline()
            assert answer.strip().isdigit(), f"the helper process answered {answer!r}"
            pid = int(answer)
            acks = work / f"acks-{round_no}.txt"
            lines = _wait_for_acks(acks, k, proc, pid, round_no)
            killed_after.append(lines[k - 1].split()[0])
            time.sleep(rng.uniform(0.0, JITTER_S))
            os.kill(pid, signal.SIGKILL)
            assert proc.stdout.readline().strip() == "REAPED"
            pid = None
            lines = acks.read_text().splitlines()
            assert not any(line.startswith("ERROR") for line in lines), lines[-1]
            assert len(lines) >= k, (round_no, k, lines)
            acked.extend(line.split() for line in lines[1:])
            _verify(checker, store_url, work, acked)
    finally:
        if pid is not None:  # a failed round: stop its worker, or the helper never returns
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        checker.close()
        proc.stdin.close()
        proc.wait(timeout=30)
    kinds = {a[0] for a in acked}
    if len(kill_after) >= len(KILL_AFTER):  # at least one whole deck
        assert {"INGESTED", "SIGNED", "RELEASED"} <= kinds, "the kills never reached every step"
        assert {"READY", "INGESTED", "SIGNED", "RELEASED"} <= set(killed_after), killed_after
        assert "RELEASED" in killed_after, "no kill came right after an acknowledged release"


def _verify(svc: ReviewService, store_url: str, work: Path, acked: list[list[str]]) -> None:
    file = sqlite_file(store_url)
    if file is not None:
        with sqlite3.connect(file) as c:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    status = svc.audit_status()
    assert status.ok, status.message
    with svc.engine.connect() as c:
        versions = {r[0] for r in c.execute(text("SELECT id FROM export_versions"))}
        signed = {
            (r[0], r[1])
            for r in c.execute(
                text(
                    "SELECT s.version_id, r.name FROM signoffs s JOIN reviewers r ON r.id = s.reviewer_id"
                )
            )
        }
        releases = {r[0] for r in c.execute(text("SELECT version_id FROM releases"))}
    released_dirs = _check_outbox(work / "outbox")
    for kind, rid, vid, *rest in acked:
        if kind == "INGESTED":
            assert int(vid) in versions, f"acknowledged ingest of {rid} lost"
        elif kind == "SIGNED":
            assert (int(vid), rest[0]) in signed, f"acknowledged sign-off on {rid} lost"
        elif kind == "RELEASED":
            assert int(vid) in releases and rid in released_dirs, (
                f"acknowledged release of {rid} lost"
            )
