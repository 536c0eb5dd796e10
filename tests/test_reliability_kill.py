"""kill -9 at random points during ingest, sign-off and release, 50 times per database.

A helper process imports everything once and forks a worker per round; the worker runs the
whole flow in a loop (ingest, two sign-offs, release) and appends an acknowledgement line to a
file after each step returns. The test kills the worker with SIGKILL at a random moment, then
checks: SQLite's integrity check passes, the audit chain verifies, every acknowledged step is
in the store, and the outbox never holds a half release.
"""

from __future__ import annotations

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

from argon2 import PasswordHasher, profiles
from sqlalchemy import text

from reviewer.store.paths import sqlite_file
from reviewer.store.service import ReviewService

KILLS = int(os.environ.get("REVIEWER_TEST_KILLS", "50"))
TESTS_DIR = Path(__file__).resolve().parent

ZYGOTE = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, sys.argv[1])
    from argon2 import PasswordHasher, profiles
    from conftest import build_review
    from reviewer.domain.signoff import CHECKLIST_KEYS
    from reviewer.store.errors import UserError
    from reviewer.store.service import ReviewService

    url, work = sys.argv[2], sys.argv[3]
    FAST = PasswordHasher.from_parameters(profiles.CHEAPEST)
    ALL = dict.fromkeys(CHECKLIST_KEYS, True)

    def worker(round_no):
        acks = os.open(os.path.join(work, f"acks-{round_no}.txt"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        def ack(*words):
            os.write(acks, (" ".join(map(str, words)) + "\\n").encode())
        svc = ReviewService.open(url, hasher=FAST)
        for name, role in (("alice", "reviewer"), ("bob", "approver")):
            try:
                svc.add_user(name, role, name + "-passphrase-long", actor="kill-test")
            except UserError:
                pass
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
                    svc.record_inspection(who, vid, "played", item.member, 2.0)
                    svc.record_inspection(who, vid, "viewed_transcript", item.member)
                svc.sign_off(who, who + "-passphrase-long", vid, "approve", "ok", ALL, {})
                ack("SIGNED", rid, vid, who)
            svc.release("bob", rid, outbox)
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


def _wait_ready(path: Path, proc: subprocess.Popen[str], pid: int) -> None:
    while not (path.exists() and path.read_text().startswith("READY")):
        assert proc.poll() is None, "the helper process died"
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            detail = path.read_text() if path.exists() else ""
            raise AssertionError(f"the worker died before it was ready: {detail}") from None
        time.sleep(0.01)


def _check_outbox(outbox: Path) -> set[str]:
    """Every visible entry is a whole release; returns the request ids released."""
    released = set()
    if not outbox.exists():
        return released
    for entry in outbox.iterdir():
        if entry.name.startswith("."):
            continue  # .partial: where a release is assembled before its atomic rename
        assert entry.is_dir(), entry
        assert sorted(p.name for p in entry.iterdir()) == ["export.zip", "release.json"], entry
        receipt = json.loads((entry / "release.json").read_text())
        digest = hashlib.sha256((entry / "export.zip").read_bytes()).hexdigest()
        assert receipt["archive_sha256"] == digest and receipt["request_id"] == entry.name
        released.add(entry.name)
    return released


def test_kill_nine_never_loses_what_was_acknowledged(store_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
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
    acked: list[list[str]] = []
    assert proc.stdin is not None and proc.stdout is not None
    checker = ReviewService.open(
        store_url, hasher=PasswordHasher.from_parameters(profiles.CHEAPEST)
    )
    try:
        for round_no in range(KILLS):
            proc.stdin.write(f"{round_no}\n")
            proc.stdin.flush()
            pid = int(proc.stdout.readline())
            _wait_ready(work / f"acks-{round_no}.txt", proc, pid)
            time.sleep(rng.uniform(0.0, 0.5))
            os.kill(pid, signal.SIGKILL)
            assert proc.stdout.readline().strip() == "REAPED"
            lines = (work / f"acks-{round_no}.txt").read_text().splitlines()
            assert not any(line.startswith("ERROR") for line in lines), lines[-1]
            acked.extend(line.split() for line in lines[1:])
            _verify(checker, store_url, work, acked)
    finally:
        checker.close()
        proc.stdin.close()
        proc.wait(timeout=30)
    kinds = {a[0] for a in acked}
    if KILLS >= 20:
        assert {"INGESTED", "SIGNED", "RELEASED"} <= kinds, "the kills never reached every step"


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
