"""Bad input to `check` and `ingest` gets one line naming what is wrong, a documented exit
code, and no hang, no traceback, no write outside where it belongs: a ticket that is no
regular file (a FIFO, a link to an endless device), dates no request can have, text holding
half a character, an export.zip that is a folder, a folder whose name is not UTF-8 text, a
device serial with control characters, an empty store URL or one with options SQLite would
ignore.

Each test runs this checkout's reviewer as its own process, as a script or a user would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "sample_archives" / "clean"


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-P", "-m", "reviewer", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,  # a hang fails the test instead of the suite
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)},
    )


def _folder(tmp_path: Path, change: Callable[[dict[str, Any]], None] | None = None) -> Path:
    folder = tmp_path / "DSAR-2018-0398"
    shutil.copytree(CLEAN, folder)
    if change is not None:
        ticket = json.loads((folder / "request.json").read_text())
        change(ticket)
        (folder / "request.json").write_text(json.dumps(ticket))
    return folder


def _one_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


@pytest.mark.parametrize("kind", ["fifo", "endless device"])
def test_a_ticket_that_is_no_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    folder = _folder(tmp_path)
    ticket = folder / "request.json"
    ticket.unlink()
    if kind == "fifo":
        os.mkfifo(ticket)
    else:
        ticket.symlink_to("/dev/zero")
    proc = _run("check", str(folder), timeout=60)
    assert proc.returncode == 2 and "request.json: not a regular file" in _one_line(proc)
    if kind == "fifo":  # (ingest loads the ticket as check does)
        proc = _run("--db", str(tmp_path / "s.db"), "ingest", str(folder), timeout=60)
        assert proc.returncode == 1 and "request.json: not a regular file" in _one_line(proc)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("received_at", "0001-01-01T00:00:00Z"),
        ("received_at", "9999-12-31T23:00:00-05:00"),
        ("due_at", "2300-01-01T00:00:00Z"),
    ],
)
def test_a_date_no_request_can_have_is_refused_by_field(
    tmp_path: Path, field: str, value: str
) -> None:
    folder = _folder(tmp_path, lambda t: t.update({field: value}))
    proc = _run("check", "--json", str(folder))
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"{field} {value!r} is not a date between 1970 and 2199" in _one_line(proc)
    if value.startswith("9999"):
        # nor does ingest store it (where it would stop the status of every request)
        proc = _run("--db", str(tmp_path / "s.db"), "ingest", str(folder))
        assert proc.returncode == 1 and "is not a date between" in _one_line(proc)
        assert _run("--db", str(tmp_path / "s.db"), "status").returncode == 0


def test_half_a_character_in_the_ticket_is_refused_by_field(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    text = (folder / "request.json").read_text().replace("Eleanor", "Ele\\ud800anor", 1)
    (folder / "request.json").write_text(text)
    for args in (["check"], ["check", "--json"]):
        proc = _run(*args, str(folder))
        assert proc.returncode == 2
        assert "requester.name holds an escaped half of a character" in _one_line(proc)


def test_a_device_serial_with_control_characters_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path, lambda t: t["requester"]["devices"][0].update(serial="G0\x1b[31m"))
    proc = _run("check", str(folder))
    assert proc.returncode == 2
    assert "requester.devices[0].serial" in _one_line(proc) and "control characters" in proc.stderr


def test_an_export_zip_that_is_a_folder_is_said_so(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "export.zip").unlink()
    (folder / "export.zip").mkdir()
    proc = _run("check", str(folder))
    assert proc.returncode == 2 and "export.zip is not a regular file" in _one_line(proc)


def test_a_folder_whose_name_is_not_utf8_is_skipped_in_words(tmp_path: Path) -> None:
    odd = os.fsdecode(os.fsencode(str(tmp_path)) + b"/bad\xff\xfename")
    shutil.copytree(CLEAN, odd)
    proc = _run("--db", str(tmp_path / "s.db"), "ingest", odd)
    assert proc.returncode == 1
    assert "its path is not UTF-8 text: rename the folder" in _one_line(proc)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("", "the store URL is empty"),
        ("sqlite:///{tmp}/s.db?mode=ro", "a SQLite store URL takes no options (mode)"),
    ],
)
def test_a_store_url_that_names_no_store_of_its_own_is_refused(
    tmp_path: Path, url: str, says: str
) -> None:
    proc = _run("--db", url.format(tmp=tmp_path), "ingest", str(_folder(tmp_path)))
    assert proc.returncode == 2 and says.format(tmp=tmp_path) in _one_line(proc)
    assert not (tmp_path / "s.db").exists()
