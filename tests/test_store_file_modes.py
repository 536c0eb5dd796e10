"""The store's folder, its key folder and their files are private, whatever the umask.

Each case runs a fresh interpreter with its umask set (022, 002, 000) that creates a store with
`ReviewService.open`, writes an audit event and signs a checkpoint, and then holds the store
open (so SQLite's -wal and -shm files still exist) while this process checks the modes: folders
this code created 0700; the database, -wal, -shm, the signing key, its .pub and the checkpoint
file 0600. A folder the user made beforehand keeps the mode they gave it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import pg_schema_url

from reviewer.store.paths import NoStore

UMASKS = (0o022, 0o002, 0o000)
KEY_FILES = ("audit-signing.key", "audit-signing.pub", "audit-checkpoints.jsonl")
DB_FILES = ("reviewer.db", "reviewer.db-wal", "reviewer.db-shm")

# Runs in the child: umask, create the store, one event and a signed checkpoint, then say
# "ready" and keep the store open (the -wal and -shm files exist) until told to finish.
CHILD = """
import os, sys
os.umask(int(sys.argv[1], 8))
from sqlalchemy.orm import Session
from reviewer.store import audit_log
from reviewer.store.service import ReviewService

with ReviewService.open(sys.argv[2]) as svc:
    with Session(svc.engine) as s, s.begin():
        audit_log.append(s, "tester", "file-modes", "store", {"n": 1})
    with Session(svc.engine) as s, s.begin():
        assert audit_log.checkpoint(s) is not None
    with Session(svc.engine) as s, s.begin():  # the pooled connection stays open after this
        audit_log.head(s)
    print("ready", flush=True)
    sys.stdin.readline()
"""


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


@contextmanager
def store_held_open(umask: int, url: str, home: Path) -> Iterator[None]:
    """A child process with `umask` made the store at `url` and holds it open meanwhile."""
    env = {**os.environ, "REVIEWER_HOME": str(home)}
    env.pop("REVIEWER_DB", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, f"{umask:o}", url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line != "ready\n":
            _, err = proc.communicate(timeout=60)
            pytest.fail(f"the child did not make the store (exit {proc.returncode}):\n{err}")
        yield
        _, err = proc.communicate("done\n", timeout=60)
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("umask", UMASKS, ids=lambda u: f"umask{u:03o}")
def test_a_new_sqlite_store_is_private(tmp_path: Path, umask: int) -> None:
    folder = tmp_path / "made" / "by" / "reviewer"  # none of these exist yet
    with store_held_open(umask, f"sqlite:///{folder / 'reviewer.db'}", tmp_path / "home"):
        for created in (tmp_path / "made", tmp_path / "made" / "by", folder):
            assert mode(created) == "0o700", created
        for name in DB_FILES + KEY_FILES:
            assert mode(folder / name) == "0o600", name
        # Nothing else in the folder (a -journal, a temporary file) is readable by others.
        for entry in folder.iterdir():
            assert mode(entry) == "0o600", entry.name
    assert not (tmp_path / "home").exists()  # a SQLite store keeps its key beside the database


@pytest.mark.parametrize("umask", UMASKS, ids=lambda u: f"umask{u:03o}")
def test_a_folder_the_user_made_keeps_its_mode(tmp_path: Path, umask: int) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    folder.chmod(0o755)
    with store_held_open(umask, f"sqlite:///{folder / 'reviewer.db'}", tmp_path / "home"):
        assert mode(folder) == "0o755"
        for name in DB_FILES + KEY_FILES:
            assert mode(folder / name) == "0o600", name


@pytest.mark.postgres
@pytest.mark.parametrize("umask", UMASKS, ids=lambda u: f"umask{u:03o}")
def test_a_postgresql_stores_key_folder_is_private(
    tmp_path: Path, pg_database: str, umask: int
) -> None:
    home = tmp_path / "new" / "home"  # $REVIEWER_HOME, not there yet
    with store_held_open(umask, pg_schema_url(pg_database), home):
        assert mode(tmp_path / "new") == "0o700"
        assert mode(home) == "0o700"
        for name in KEY_FILES:
            assert mode(home / name) == "0o600", name
        assert sorted(p.name for p in home.iterdir()) == sorted(KEY_FILES)


@pytest.mark.postgres
def test_a_postgresql_home_the_user_made_keeps_its_mode(tmp_path: Path, pg_database: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o750)
    with store_held_open(0o022, pg_schema_url(pg_database), home):
        assert mode(home) == "0o750"
        for name in KEY_FILES:
            assert mode(home / name) == "0o600", name


def test_opening_without_create_still_makes_nothing(tmp_path: Path) -> None:
    from reviewer.store.service import ReviewService

    with pytest.raises(NoStore):
        ReviewService.open(f"sqlite:///{tmp_path / 'absent' / 'reviewer.db'}", create=False)
    assert not (tmp_path / "absent").exists()
