"""Progress while an export is read: the reader's figures (bytes, members, PDF pages) and the
bar `reviewer check` and `reviewer ingest` draw from them on a terminal's standard error,
never on standard output, never when piped and never with --json."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import threading
import time
import zipfile
from pathlib import Path

import pytest

from reviewer.archive import Limits, read_export
from reviewer.archive.progress import Progress

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_archives"
REVIEWER = Path(sys.executable).with_name("reviewer")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FIELDS = (
    "bytes_done",
    "bytes_total",
    "members_done",
    "members_total",
    "pdf_pages_done",
    "pdf_pages_total",
)


# ------------------------------------------------------------------------- the reader


def read_with_progress(archive: Path) -> tuple[list[Progress], list[str], float]:
    """Every report of one reading, the threads it came from, and how long the reading took."""
    seen: list[Progress] = []
    threads: list[str] = []

    def record(p: Progress) -> None:
        seen.append(p)
        threads.append(threading.current_thread().name)

    start = time.monotonic()
    index = read_export(archive, Limits(), record)
    elapsed = time.monotonic() - start
    assert seen, "no progress was reported"
    last = seen[-1]
    assert last.bytes_done == last.bytes_total == archive.stat().st_size == index.archive_bytes
    assert last.members_done == last.members_total == len(index.members)
    return seen, threads, elapsed


def assert_monotonic(seen: list[Progress]) -> None:
    for before, after in zip(seen, seen[1:], strict=False):
        for field in FIELDS:
            assert getattr(after, field) >= getattr(before, field), (field, before, after)
        assert after.bytes_done <= after.bytes_total
        assert after.members_done <= after.members_total
        assert after.pdf_pages_done <= after.pdf_pages_total


@pytest.mark.parametrize("case", ["third-party", "hostile", "other-layout"])
def test_the_readers_figures_rise_to_the_archives_totals(case: str) -> None:
    archive = SAMPLES / case / "export.zip"
    seen, _threads, _elapsed = read_with_progress(archive)
    assert_monotonic(seen)
    last = seen[-1]
    # each of these samples carries a transcript catalogue: its pages are counted too
    assert last.pdf_pages_total >= 1 and last.pdf_pages_done == last.pdf_pages_total


def test_nested_archives_add_their_members_to_the_total(tmp_path: Path) -> None:
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(30):
            zf.writestr(f"notes/{i}.txt", f"note {i}\n" * 50)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("readme.txt", "hello\n")
        zf.write(inner, "old/inner.zip")
        zf.writestr("folder/", "")
    seen, _threads, _elapsed = read_with_progress(archive)
    assert_monotonic(seen)
    assert seen[-1].members_total == 3 + 30


def test_reports_come_at_most_ten_a_second_from_the_readers_threads(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(20_000):
            zf.writestr(f"rows/{i:05}.csv", f"customer_id,n\nA3KX9ZQ2M7T1LB,{i}\n")
    seen, threads, elapsed = read_with_progress(archive)
    assert_monotonic(seen)
    # the first and the last report are due whenever they come; between them a tenth of a
    # second at least
    assert len(seen) <= elapsed / 0.1 + 2, (len(seen), elapsed)
    assert seen[-1].members_total == 20_000
    assert threading.main_thread().name in threads  # called where the reading happens


def test_a_failing_callback_changes_nothing_that_is_read() -> None:
    archive = SAMPLES / "hostile" / "export.zip"
    calls = []

    def broken(p: Progress) -> None:
        calls.append(p)
        raise RuntimeError("the display went away")

    with_broken = read_export(archive, Limits(), broken)
    plain = read_export(archive, Limits())
    assert len(calls) == 1  # not called again once it failed
    assert [f.to_dict() for f in with_broken.read_findings] == [
        f.to_dict() for f in plain.read_findings
    ]
    assert [m.path for m in with_broken.members] == [m.path for m in plain.members]
    assert with_broken.archive_sha256 == plain.archive_sha256


@pytest.mark.parametrize("font", ["core", "unicode"])
def test_the_pdf_child_counts_the_pages_it_reads(font: str) -> None:
    """A 300-page catalogue: read from its text operators (a core font) or by pypdf's text
    extraction (an embedded font); either way the pages are counted up to all of them."""
    from test_pdf import DEJAVU, catalogue_pdf, unicode_font_catalogue_pdf

    from reviewer.archive.pdfservice import PdfService

    entries = [
        (f"2018-03-{1 + i % 28:02}T19:04:11Z", "G070VM1A83120045", f"U{i:04}", f"play song {i}")
        for i in range(600)
    ]
    if font == "unicode":
        if not DEJAVU.exists():
            pytest.skip("needs the DejaVu fonts")
        data = unicode_font_catalogue_pdf(entries)
    else:
        data = catalogue_pdf(entries, per_page=2)
    reports: list[tuple[int, int]] = []
    service = PdfService(Limits())
    service.on_pages = lambda member, done, total: reports.append((done, total))
    service.submit("Alexa/Transcripts.pdf", data)
    (result,) = service.results()
    assert result.error is None, result.detail
    pages = len(result.pages)
    assert pages > 10
    assert reports[0] == (0, pages) and reports[-1] == (pages, pages)
    assert all(total == pages for _done, total in reports)
    assert [d for d, _t in reports] == sorted(d for d, _t in reports)


# ------------------------------------------------------------------------- the command line


def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TERM": "xterm-256color",
        "COLUMNS": "100",  # the report's width: else rich takes it from whichever stream is a tty
        "HOME": str(home),
        "REVIEWER_HOME": str(home / "reviewer"),
        "PYTHONPATH": str(ROOT),  # the reviewer of this tree, whatever is installed
    }


def run_on_terminal(args: list[str], environ: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run the command with its stderr on a pseudo-terminal (100 columns) and its stdout on a
    pipe; (exit status, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(
        [str(REVIEWER), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=environ,
    )
    os.close(slave)
    assert proc.stdout is not None
    out, err = bytearray(), bytearray()
    open_fds = {master: err, proc.stdout.fileno(): out}
    deadline = time.monotonic() + 120
    while open_fds and time.monotonic() < deadline:
        ready, _, _ = select.select(list(open_fds), [], [], 1)
        for fd in ready:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:  # the terminal's other side is gone: the child has exited
                data = b""
            if data:
                open_fds[fd] += data
            else:
                del open_fds[fd]
    status = proc.wait(timeout=30)
    os.close(master)
    proc.stdout.close()
    return status, bytes(out), bytes(err)


def run_piped(args: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(REVIEWER), *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=environ,
        timeout=120,
        check=False,
    )


def test_check_on_a_terminal_shows_the_bar_on_stderr_and_the_same_report(
    tmp_path: Path,
) -> None:
    folder = SAMPLES / "third-party"
    status, out, err = run_on_terminal(["check", str(folder)], env(tmp_path))
    piped = run_piped(["check", str(folder)], env(tmp_path))
    shown = ANSI.sub("", err.decode("utf-8", "replace"))
    assert "reading" in shown and "100%" in shown, shown
    assert "15 of 15 members" in shown and "pages" in shown, shown
    assert "Traceback" not in shown
    assert out == piped.stdout and out  # the report, byte for byte
    assert status == piped.returncode
    assert piped.stderr == b""  # piped: no bar at all


def test_check_json_on_a_terminal_writes_nothing_on_stderr(tmp_path: Path) -> None:
    folder = SAMPLES / "hostile"
    status, out, err = run_on_terminal(["check", "--json", str(folder)], env(tmp_path))
    piped = run_piped(["check", "--json", str(folder)], env(tmp_path))
    assert err == b""
    assert piped.stderr == b""
    assert out == piped.stdout and status == piped.returncode


def copy_requests(tmp_path: Path, where: str) -> Path:
    inbox = tmp_path / where
    inbox.mkdir()
    for case in ("clean", "third-party"):
        shutil.copytree(SAMPLES / case, inbox / case)
    return inbox


def test_ingest_on_a_terminal_shows_requests_and_reading_on_stderr(tmp_path: Path) -> None:
    environ = env(tmp_path)
    shown_db = f"sqlite:///{tmp_path / 'shown.db'}"
    piped_db = f"sqlite:///{tmp_path / 'piped.db'}"
    status, out, err = run_on_terminal(
        ["--db", shown_db, "ingest", str(copy_requests(tmp_path, "a"))], environ
    )
    piped = run_piped(["--db", piped_db, "ingest", str(copy_requests(tmp_path, "b"))], environ)
    shown = ANSI.sub("", err.decode("utf-8", "replace"))
    assert "requests" in shown and "reading" in shown and "members" in shown, shown
    assert "2 of 2" in shown, shown
    assert out == piped.stdout and b" new " in out
    assert status == piped.returncode == 0
    assert piped.stderr == b""
    # --json on a terminal: nothing at all on stderr
    status, out, err = run_on_terminal(
        ["--db", f"sqlite:///{tmp_path / 'json.db'}", "ingest", "--json", str(tmp_path / "a")],
        environ,
    )
    assert status == 0 and err == b"" and b'"stored"' in out
