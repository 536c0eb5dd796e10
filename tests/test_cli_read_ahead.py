"""`reviewer ingest` reads its first request while the store opens: in a forked child for an
export of up to `FORK_MEMBERS_MAX` members, in a thread beyond. Each script runs in a process
of its own, as the command does (no threads of the test runner around the fork)."""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

from reviewer.cli.ahead import FORK_MEMBERS_MAX

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_archives"


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=120,
        check=False,
    )


def test_a_request_read_in_a_child_comes_back_as_it_reads_here() -> None:
    proc = run(
        """
        import sys
        from pathlib import Path
        from reviewer.archive.review import review_request
        from reviewer.cli.ahead import ReadAhead
        from reviewer.store.codec import index_to_json

        folder = Path(sys.argv[1])
        reports = []
        ahead = ReadAhead(folder, watched=True)
        assert ahead.pid is not None, "not read in a child"
        got = ahead.result(reports.append)
        here = review_request(folder)
        assert got.report == here.report
        assert got.request == here.request
        assert index_to_json(got.index) == index_to_json(here.index)
        last = reports[-1]
        assert last.members_done == last.members_total > 0, last
        print(len(here.report.findings), "findings")
        """,
        str(SAMPLES / "wrong-customer"),
    )
    assert proc.returncode == 0, proc.stderr
    assert "findings" in proc.stdout and not proc.stdout.startswith("0 ")


def test_a_folder_that_cannot_be_reviewed_says_so_the_same_from_the_child(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "req"
    folder.mkdir()
    (folder / "export.zip").write_bytes((SAMPLES / "clean" / "export.zip").read_bytes())
    (folder / "request.json").write_text("{not json")
    proc = run(
        """
        import sys
        from pathlib import Path
        from reviewer.archive.review import review_request
        from reviewer.cli.ahead import ReadAhead
        from reviewer.domain.errors import ReviewerError

        folder = Path(sys.argv[1])
        ahead = ReadAhead(folder, watched=False)
        assert ahead.pid is not None, "not read in a child"
        try:
            ahead.result(None)
        except ReviewerError as exc:
            from_child = exc
        try:
            review_request(folder)
        except ReviewerError as exc:
            here = exc
        assert type(from_child) is type(here), (from_child, here)
        assert str(from_child) == str(here)
        print(from_child)
        """,
        str(folder),
    )
    assert proc.returncode == 0, proc.stderr
    assert "not valid JSON" in proc.stdout


def slow_request(tmp_path: Path) -> Path:
    """A request whose export takes a while to read (32 MB to hash)."""
    folder = tmp_path / "req"
    folder.mkdir()
    (folder / "request.json").write_bytes((SAMPLES / "clean" / "request.json").read_bytes())
    with zipfile.ZipFile(folder / "export.zip", "w", zipfile.ZIP_STORED) as z:
        z.writestr("Retail/blob.bin", os.urandom(32 << 20))
    return folder


# The reading child, stopped once it is reading the export (tried again should it ever
# finish first): what happens next is then up to the test, not to the machine's speed.
STOPPED_CHILD = """
import os, signal, sys, time
from pathlib import Path
from reviewer.cli.ahead import ReadAhead, ReadingFailed

def state(pid):  # 'T' once the stop has landed, 'Z' or 'gone' once it has finished
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "gone"

def said(ahead):  # the reason its result is refused with
    try:
        ahead.result(None)
    except ReadingFailed as exc:
        return str(exc)

def read_so_far(pid):  # bytes the child has read (its set-up done, the export under way)
    try:
        io = Path(f"/proc/{pid}/io").read_text()
    except OSError:
        return 1 << 62
    return int(io.split("rchar:")[1].split()[0])

folder = Path(sys.argv[1])
for attempt in range(5):
    ahead = ReadAhead(folder, watched=False)
    while read_so_far(ahead.pid) < (1 << 20):
        time.sleep(0.001)
    os.kill(ahead.pid, signal.SIGSTOP)
    while state(ahead.pid) not in ("T", "Z", "gone"):
        time.sleep(0.001)  # a signal lands a moment after it is sent
    if state(ahead.pid) == "T":
        break
    ahead.result(None)  # it answered first: try again
else:
    sys.exit("the child always finished first")
"""


def test_a_reading_child_that_is_killed_is_a_reason_not_a_hang(tmp_path: Path) -> None:
    proc = run(
        STOPPED_CHILD
        + """
os.kill(ahead.pid, signal.SIGKILL)
print(said(ahead))
""",
        str(slow_request(tmp_path)),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (
        "the reading process was stopped by SIGKILL before it answered"
    ), proc.stdout


def test_a_reading_the_command_gives_up_on_is_stopped_and_reaped(tmp_path: Path) -> None:
    """`close` (what ingest does when the store cannot be opened, or on Ctrl-C): the child
    is killed and reaped at once, not left reading or as a zombie."""
    proc = run(
        STOPPED_CHILD
        + """
pid = ahead.pid
ahead.close()
print(state(pid))
print(said(ahead))
""",
        str(slow_request(tmp_path)),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "gone",
        "the reading process was stopped by SIGKILL before it answered",
    ], proc.stdout


def test_a_reading_child_ends_with_its_parent(tmp_path: Path) -> None:
    """A parent killed outright (no `close`, no exit handlers) takes its reading child with
    it, even a stopped one that would otherwise never end."""
    proc = run(
        STOPPED_CHILD
        + """
print(ahead.pid, flush=True)
os._exit(0)
""",
        str(slow_request(tmp_path)),
    )
    assert proc.returncode == 0, proc.stderr
    pid = int(proc.stdout.strip())
    stat = Path(f"/proc/{pid}/stat")
    for _ in range(500):  # the kernel delivers the signal as the parent exits
        if not stat.exists() or stat.read_text().split(")")[-1].split()[0] == "Z":
            break
        time.sleep(0.01)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the reading child outlived its parent")


def request_of(tmp_path: Path, members: int, *, count: int | None = None) -> Path:
    """A request whose export holds `members` empty text members; `count`: the member count
    its end record claims instead of the true one."""
    folder = tmp_path / "req"
    folder.mkdir()
    (folder / "request.json").write_bytes((SAMPLES / "clean" / "request.json").read_bytes())
    with zipfile.ZipFile(folder / "export.zip", "w", zipfile.ZIP_STORED) as z:
        for i in range(members):
            z.writestr(f"Retail/n{i}.txt", b"")
    if count is not None:
        data = bytearray((folder / "export.zip").read_bytes())
        end = data.rfind(b"PK\x05\x06")
        data[end + 8 : end + 12] = struct.pack("<HH", count, count)
        (folder / "export.zip").write_bytes(bytes(data))
    return folder


READ_WHERE = """
import sys
from pathlib import Path
from reviewer.cli.ahead import ReadAhead

ahead = ReadAhead(Path(sys.argv[1]), watched=False)
review = ahead.result(None)
print("child" if ahead.pid else "thread", len(review.index.members))
"""


@pytest.mark.parametrize(
    ("members", "count", "where"),
    [
        (1_000, None, "child"),
        (FORK_MEMBERS_MAX + 1, None, "thread"),
        # an end record that claims 7 members: its directory's size says it holds more
        (FORK_MEMBERS_MAX + 1, 7, "thread"),
    ],
)
def test_an_export_of_many_members_is_read_in_a_thread(
    tmp_path: Path, members: int, count: int | None, where: str
) -> None:
    folder = request_of(tmp_path, members, count=count)
    proc = run(READ_WHERE, str(folder))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[0] == where, proc.stdout


def test_a_review_the_child_cannot_hand_back_is_read_again_here(tmp_path: Path) -> None:
    """A document nested too deeply to pickle: the request is read again in the command's
    own process, with the outcome `check` gives."""
    folder = tmp_path / "req"
    shutil.copytree(SAMPLES / "clean", folder)
    deep = "[" * 700 + "1" + "]" * 700
    with zipfile.ZipFile(folder / "export.zip", "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Retail/Deep.json", '[{"order_id": "A1", "detail": ' + deep + "}]")
    proc = run(
        """
        import sys
        from pathlib import Path
        from reviewer.archive.review import review_request
        from reviewer.cli.ahead import ReadAhead

        folder = Path(sys.argv[1])
        ahead = ReadAhead(folder, watched=False)
        got = ahead.result(None)
        assert ahead.pid is not None and ahead.read_again
        here = review_request(folder)
        assert got.report == here.report
        print(len(here.index.json_docs["Retail/Deep.json"]))
        """,
        str(folder),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "1"


@pytest.mark.parametrize("export", ["fifo", "device"])
def test_an_export_that_is_no_file_never_holds_up_the_inbox(tmp_path: Path, export: str) -> None:
    """The first folder's export.zip a FIFO or a link to an endless device: skipped with its
    reason, the rest of the inbox stored, nothing waits on it."""
    inbox = tmp_path / "inbox"
    bad = inbox / "000-bad"
    bad.mkdir(parents=True)
    (bad / "request.json").write_bytes((SAMPLES / "clean" / "request.json").read_bytes())
    if export == "fifo":
        os.mkfifo(bad / "export.zip")
    else:
        (bad / "export.zip").symlink_to("/dev/zero")
    shutil.copytree(SAMPLES / "third-party", inbox / "third-party")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "reviewer",
            "--db",
            f"sqlite:///{tmp_path / 's.db'}",
            "ingest",
            str(inbox),
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    why = (
        "export.zip is not a regular file"
        if export == "fifo"
        else "export.zip is a link, not followed: put the file itself in the request folder"
    )
    assert f"reviewer: skipped {bad}: {why}\n" in proc.stderr
    assert "DSAR-" in proc.stdout and " new " in proc.stdout
