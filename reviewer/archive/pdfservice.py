"""PDF members' text, by pypdf in a child process.

A hostile PDF can make a parser hang or eat memory, so pypdf never runs in the reviewer's
process: one child process (``_pdfchild``) per archive caps its own address space
(`Limits.pdf_memory_bytes`) and answers one PDF at a time; a PDF that takes longer than
`Limits.pdf_timeout_s` gets the child killed and a fresh child for the next PDF. The child
starts as soon as the first PDF is submitted and works on the other core while the reader
inflates the remaining members. The time limit is the child's processor time (RLIMIT_CPU),
so a busy machine does not make an honest PDF look hostile; the wall clock is a backstop.
While it reads a PDF the child says how many of its pages are read (`on_pages`).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHILD_SCRIPT = Path(__file__).with_name("_pdfchild.py")
WALL_FACTOR = 4  # wall-clock backstop, in multiples of the processor-time limit
MAX_ANSWER_BYTES = 512 << 20  # a child's answer larger than this is treated as hostile


@dataclass(slots=True)
class PdfResult:
    member: str
    pages: list[str] = field(default_factory=list)
    error: str | None = None  # None, "corrupt", "memory", "limit", "timeout", "crash"
    detail: str = ""

    @property
    def hostile(self) -> bool:
        return self.error in ("memory", "limit", "timeout", "crash")

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


class PdfService:
    """Parses submitted PDFs in a child process, in submission order, on a background thread."""

    def __init__(self, timeout_s: float, memory_bytes: int) -> None:
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self._queue: queue.SimpleQueue[tuple[str, bytes] | None] = queue.SimpleQueue()
        self._results: list[PdfResult] = []
        self._thread: threading.Thread | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        # told (member, pages done, pages) as the child reads a PDF's pages
        self.on_pages: Callable[[str, int, int], None] | None = None

    def prestart(self) -> None:
        """Start the child now, so its start-up overlaps the reading of the directory."""
        if self._proc is None:
            with contextlib.suppress(OSError):
                self._proc = self._spawn()

    def submit(self, member: str, data: bytes) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="pdf", daemon=True)
            self._thread.start()
        self._queue.put((member, data))

    def results(self) -> list[PdfResult]:
        """Wait for every submitted PDF and stop the child."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        else:
            self._stop(kill=True)  # started early, but no PDF came
        return self._results

    # ---------------------------------------------------------------- the background thread

    def _spawn(self) -> subprocess.Popen[bytes]:
        # run as a script in isolated mode: the child imports pypdf and the standard library,
        # nothing of the reviewer, and writes no bytecode
        return subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-B",
                str(CHILD_SCRIPT),
                str(self.memory_bytes),
                f"{self.timeout_s:g}",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
            close_fds=True,
        )

    def _stop(self, kill: bool) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            if kill:
                proc.kill()
            elif proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=None if kill else self.timeout_s)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                member, data = item
                try:
                    result = self._parse(member, data)
                except Exception as exc:  # noqa: BLE001 - the reader must get an answer per PDF
                    self._stop(kill=True)
                    result = PdfResult(member, error="crash", detail=f"{type(exc).__name__}: {exc}")
                self._results.append(result)
        finally:
            self._stop(kill=False)

    def _parse(self, member: str, data: bytes) -> PdfResult:
        if self._proc is None or self._proc.poll() is not None:
            self._stop(kill=True)
            try:
                self._proc = self._spawn()
            except OSError as exc:
                return PdfResult(
                    member, error="corrupt", detail=f"the PDF reader cannot start: {exc}"
                )
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        try:
            payload = memoryview(struct.pack("<Q", len(data)) + data)
            fd_in = proc.stdin.fileno()
            while payload:
                written = os.write(fd_in, payload)
                payload = payload[written:]
        except OSError:
            return self._crashed(member)
        # the child's own processor-time limit is the timeout; the clock is only a backstop
        # for a child that blocks without computing (a loaded machine slows honest parsing)
        deadline = time.monotonic() + self.timeout_s * WALL_FACTOR
        fd = proc.stdout.fileno()
        buf = bytearray()
        while True:
            if buf.startswith(b"P "):
                buf = self._progress(member, buf)
            if buf.endswith(b"\n"):
                break  # the answer
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._stop(kill=True)
                return PdfResult(
                    member,
                    error="timeout",
                    detail=f"parsing took longer than {self.timeout_s * WALL_FACTOR:g} s",
                )
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return self._crashed(member)
            buf += chunk
            if len(buf) > MAX_ANSWER_BYTES:
                self._stop(kill=True)
                return PdfResult(
                    member, error="memory", detail="the extracted text is absurdly large"
                )
        try:
            answer = json.loads(bytes(buf))
        except ValueError:
            return PdfResult(member, error="crash", detail="the PDF reader answered garbage")
        if "pages" in answer:
            return PdfResult(member, pages=[str(p) for p in answer["pages"]])
        return PdfResult(
            member, error=str(answer.get("error", "corrupt")), detail=str(answer.get("detail", ""))
        )

    def _progress(self, member: str, buf: bytearray) -> bytearray:
        """Pass on the whole progress lines at the start of `buf`; the rest is kept."""
        while buf.startswith(b"P "):
            end = buf.find(b"\n")
            if end < 0:
                break
            fields = bytes(buf[2:end]).split()
            del buf[: end + 1]
            if self.on_pages is not None and len(fields) == 2 and all(f.isdigit() for f in fields):
                self.on_pages(member, int(fields[0]), int(fields[1]))
        return buf

    def _crashed(self, member: str) -> PdfResult:
        proc = self._proc
        code = proc.wait() if proc is not None else None
        self._stop(kill=True)
        if code == -signal.SIGXCPU:
            return PdfResult(
                member,
                error="timeout",
                detail=f"parsing took longer than {self.timeout_s:g} s of processor time",
            )
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return PdfResult(member, error="crash", detail=f"the PDF reader died ({how})")
