"""PDF members' text, by pypdf in a child process.

A hostile PDF can make a parser hang or eat memory, so pypdf never runs in the reviewer's
process: one child process (``_pdfchild``) per archive caps its own address space
(`Limits.pdf_memory_bytes`) and answers one PDF at a time, on the other core while the reader
inflates the remaining members. Its start-up (an interpreter importing pypdf) is kept off the
reading's path: a command about to read an export starts one early (`start_spare`, taken by
the next `PdfService`), else the reader starts it before looking inside a big export or as
soon as the planner meets a PDF (`prestart`), and at the latest with the first PDF submitted.
A process that reads many exports (an inbox, the app, the demo) keeps its child warm between
them (`keep_warm`): a child that answered every PDF of one export waits for the next.

Time is the child's processor time, so a busy machine does not make an honest PDF look
hostile. Each PDF gets time in proportion to its pages and bytes (`Limits.pdf_cpu_*`), and
the child reports the pages it has read as it goes (`on_pages`). A PDF still read page after page when its
time runs out is too large to check in time (`PdfResult.too_large`); opening it or one page
taking longer than `Limits.pdf_step_cpu_s` (and, for a page whose content is large,
`Limits.pdf_cpu_per_mb_s` a megabyte of it) gets the child killed by the kernel, the parser
stuck (hostile), and a fresh child parses the next PDF. A PDF that holds more than pypdf reads
of one document (tokens, elements, entries: an honest drawing can) is too complex to read in
full (`PdfResult.too_complex`), not hostile. The wall clock is only a backstop, for a child
that says nothing for a long while or outlives many times its processor time.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
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

from reviewer.archive.limits import Limits

CHILD_SCRIPT = Path(__file__).with_name("_pdfchild.py")
WALL_FACTOR = 4  # wall-clock backstop, in multiples of the processor time allowed
MAX_ANSWER_BYTES = 512 << 20  # a child's answer larger than this is treated as hostile
_RELEASE = ("", b"")  # queued by `release`: end the child once the queue is drained


@dataclass(slots=True)
class PdfResult:
    member: str
    pages: list[str] = field(default_factory=list)
    # None, "corrupt", "too-large", "complex" (beyond pypdf's limits on how much one
    # document holds), or what a hostile PDF gets: "memory", "limit", "timeout" (the parser
    # stuck), "crash"
    error: str | None = None
    detail: str = ""
    done: int = 0  # pages read (all of them when there is no error)
    of: int | None = None  # pages in the PDF, once the child has counted them
    seconds: float = 0.0  # time spent on it (processor time, unless the clock ran out)
    extra: str = ""  # its document information and embedded files, as text

    @property
    def hostile(self) -> bool:
        return self.error in ("memory", "limit", "timeout", "crash")

    @property
    def too_large(self) -> bool:
        return self.error == "too-large"

    @property
    def too_complex(self) -> bool:
        return self.error == "complex"

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


class PdfService:
    """Parses submitted PDFs in a child process, in submission order, on a background thread."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        # told (member, pages read, pages) on the service's thread as the child reads a PDF
        self.on_pages: Callable[[str, int, int], None] | None = None
        self._queue: queue.SimpleQueue[tuple[str, bytes] | None] = queue.SimpleQueue()
        self._results: list[PdfResult] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None  # once it runs, it owns the child
        self._proc: subprocess.Popen[bytes] | None = None
        self._closed = False
        self._failed = False  # a PDF got an error: the child is not kept warm (`keep_warm`)
        self._step = limits.pdf_step_cpu_s  # the step under way may take this long (`_await`)

    def take_spare(self) -> None:
        """Make the child started by `start_spare` this service's, when it was started with
        the same limits (else stop it): its start-up is then behind it."""
        proc = _pop_spare()
        if proc is None:
            return
        with self._lock:
            if (
                self._proc is None
                and self._thread is None
                and not self._closed
                and proc.args == self._argv()
                and proc.poll() is None
            ):
                self._proc, proc = proc, None
        if proc is not None:
            _end(proc, kill=True)

    def prestart(self) -> None:
        """Start the child now, before any PDF is submitted, so that its start-up (the
        interpreter, pypdf) overlaps the reading of the archive."""
        with self._lock:
            if self._proc is None and self._thread is None and not self._closed:
                with contextlib.suppress(OSError):
                    self._proc = self._spawn()

    def submit(self, member: str, data: bytes) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pdf", daemon=True)
                self._thread.start()
        self._queue.put((member, data))

    def release(self) -> None:
        """No more PDFs are expected for now: once those submitted are answered the child
        ends, so it holds no memory while the rest of the export is read (a PDF that comes
        later, say in a nested archive, starts another). A child started early for PDFs
        that never came ends now."""
        with self._lock:
            thread = self._thread
            proc = None
            if thread is None:
                proc, self._proc = self._proc, None
        if thread is not None:
            self._queue.put(_RELEASE)
        elif proc is not None:
            _done_with(proc, self.limits, clean=True, used=False)

    def results(self) -> list[PdfResult]:
        """Wait for every submitted PDF and stop the child (also one started early for PDFs
        that never came)."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()
        else:
            self._stop(kill=False, used=False)  # it parsed nothing: kept warm, or stopped
        return self._results

    # ---------------------------------------------------------------- the background thread

    def _argv(self) -> list[str]:
        return _argv(self.limits)

    def _spawn(self) -> subprocess.Popen[bytes]:
        return _popen(self._argv())

    def _stop(self, kill: bool, used: bool = True) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if kill:
            _end(proc, kill=True)
        else:
            _done_with(proc, self.limits, clean=not self._failed, used=used)

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                if item is _RELEASE:
                    if self._queue.empty():
                        self._stop(kill=False)
                    continue
                member, data = item
                try:
                    result = self._parse(member, data)
                except Exception as exc:  # noqa: BLE001 - the reader must get an answer per PDF
                    self._stop(kill=True)
                    result = PdfResult(member, error="crash", detail=f"{type(exc).__name__}: {exc}")
                if result.error is not None:
                    self._failed = True
                self._results.append(result)
        finally:
            self._stop(kill=False)

    def _parse(self, member: str, data: bytes) -> PdfResult:
        if self._proc is None or self._proc.poll() is not None:
            self._stop(kill=True)
            try:
                self._proc = _pop_spare(self._argv()) or self._spawn()
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
            return self._crashed(PdfResult(member))
        return self._await(member, proc)

    def _await(self, member: str, proc: subprocess.Popen[bytes]) -> PdfResult:
        """Read the child's progress lines and its answer, within the wall-clock backstop."""
        assert proc.stdout is not None
        lim = self.limits
        start = time.monotonic()
        self._step = lim.pdf_step_cpu_s
        silence = WALL_FACTOR * (self._step + 1)  # the child reports every step
        heard = start
        deadline = math.inf  # known once the child has counted the pages
        state = PdfResult(member)
        fd = proc.stdout.fileno()
        buf = bytearray()
        scan = 0  # where in `buf` a line's end may be (the text before has none)
        while True:
            now = time.monotonic()
            if now >= deadline or now - heard >= silence:
                self._stop(kill=True)
                return self._out_of_time(state, now - start, now >= deadline)
            ready, _, _ = select.select([fd], [], [], min(deadline, heard + silence) - now)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return self._crashed(state)
            heard = time.monotonic()
            buf += chunk
            if len(buf) > MAX_ANSWER_BYTES:
                self._stop(kill=True)
                return PdfResult(
                    member, error="memory", detail="the extracted text is absurdly large"
                )
            while (end := buf.find(b"\n", scan)) >= 0:
                line = bytes(buf[:end])
                del buf[: end + 1]
                scan = 0
                try:
                    answer = json.loads(line)
                except ValueError:
                    answer = None
                if not isinstance(answer, dict):
                    self._stop(kill=True)
                    return PdfResult(
                        member, error="crash", detail="the PDF reader answered garbage"
                    )
                if "progress" not in answer:
                    return self._answered(state, answer)
                state.done, state.of = _int(answer["progress"]), _int(answer.get("of"))
                budget = _float(answer.get("budget"), lim.pdf_cpu_max_s)
                # a page whose content is large may take longer (the child says how long)
                step = _float(answer.get("step"), 0.0)
                self._step = min(
                    max(lim.pdf_step_cpu_s, step), lim.pdf_step_cpu_s + lim.pdf_cpu_max_s
                )
                silence = WALL_FACTOR * (self._step + 1)
                deadline = start + WALL_FACTOR * (budget + self._step)
                if self.on_pages is not None:
                    self.on_pages(member, state.done, state.of)
            scan = len(buf)

    def _answered(self, state: PdfResult, answer: dict[str, object]) -> PdfResult:
        member = state.member
        pages = answer.get("pages")
        texts = [str(p) for p in pages] if isinstance(pages, list) else []
        error = answer.get("error")
        if error is None:
            extra = answer.get("extra")
            return PdfResult(
                member,
                pages=texts,
                done=len(texts),
                of=len(texts),
                extra=extra if isinstance(extra, str) else "",
            )
        if error == "too-large":
            done, of = _int(answer.get("done")), _int(answer.get("of"))
            seconds = _float(answer.get("cpu"), 0.0)
            return PdfResult(
                member,
                pages=texts,
                error="too-large",
                detail=f"{done:,} of {of:,} pages read in {seconds:.1f} s of processor time, "
                "the time allowed for a PDF of its size",
                done=done,
                of=of,
                seconds=seconds,
            )
        return PdfResult(
            member, error=str(error), detail=str(answer.get("detail", "")), of=state.of
        )

    def _out_of_time(self, state: PdfResult, waited: float, deadline: bool) -> PdfResult:
        """The wall clock ran out: too large when the child was reading page after page until
        then (it counted the pages and has not gone silent since), else stuck."""
        if deadline and state.of is not None:
            return PdfResult(
                state.member,
                error="too-large",
                detail=f"{state.done:,} of {state.of:,} pages read in {waited:.0f} s, "
                "the time allowed for a PDF of its size on this machine as busy as it is",
                done=state.done,
                of=state.of,
                seconds=waited,
            )
        return PdfResult(
            state.member,
            error="timeout",
            detail=f"the parser gave no sign of progress for {waited:.0f} s{_where(state)}",
            done=state.done,
            of=state.of,
            seconds=waited,
        )

    def _crashed(self, state: PdfResult) -> PdfResult:
        proc = self._proc
        code = proc.wait() if proc is not None else None
        self._stop(kill=True)
        member = state.member
        if code == -signal.SIGXCPU:
            step = self._step
            return PdfResult(
                member,
                error="timeout",
                detail=f"parsing was stuck: {'opening it' if state.of is None else 'one page'} "
                f"took longer than {step:g} s of processor time{_where(state)}",
                done=state.done,
                of=state.of,
            )
        how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return PdfResult(member, error="crash", detail=f"the PDF reader died ({how})")


# ------------------------------------------------------------------------- child processes


def _argv(limits: Limits) -> list[str]:
    # run as a script in isolated mode: the child imports pypdf and the standard library,
    # nothing of the reviewer, and writes no bytecode
    numbers = (
        limits.pdf_cpu_base_s,
        limits.pdf_cpu_per_page_s,
        limits.pdf_cpu_per_mb_s,
        limits.pdf_cpu_max_s,
        limits.pdf_step_cpu_s,
    )
    return [
        sys.executable,
        "-I",
        "-B",
        str(CHILD_SCRIPT),
        str(limits.pdf_memory_bytes),
        *(repr(float(x)) for x in numbers),
    ]


def _popen(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        bufsize=0,
        close_fds=True,
    )


def _end(proc: subprocess.Popen[bytes], kill: bool, timeout: float | None = None) -> None:
    """Stop a child: killed, or its input closed (it ends on its own) within `timeout`."""
    try:
        if kill:
            proc.kill()
        elif proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=None if kill else timeout)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()
    finally:
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


_spare_lock = threading.Lock()
_spare: subprocess.Popen[bytes] | None = None
_spare_atexit = False
_warm = False  # see `keep_warm`
# a child whose memory has grown past this is not kept warm (a large catalogue's pages)
WARM_RSS_MAX = 96 << 20


def keep_warm(on: bool = True) -> bool:
    """Keep the PDF child between exports, for a process that reads many (an inbox, the
    app, the demo): once a reading is done, a child that answered every PDF without an error
    waits as the spare (`start_spare`) for the next export read with the same limits, so its
    start-up is paid once per process rather than once per export. A child that failed, was
    killed or has grown large is stopped as before. Off: the spare is stopped. Returns the
    setting it replaces."""
    global _warm
    with _spare_lock:
        was, _warm = _warm, on
    if not on:
        _drop_spare()
    return was


def _done_with(proc: subprocess.Popen[bytes], limits: Limits, clean: bool, used: bool) -> None:
    """A service is done with its child: kept warm as the spare when `keep_warm` is on and the
    child is `clean` (no PDF it read got an error), alive, small and free to take; else ended:
    one that read PDFs by closing its input (it ends by itself, killed when it does not
    within a step's time), one never `used` (perhaps still starting) killed at once."""
    if clean and _warm and proc.poll() is None and _small(proc.pid) and _offer_spare(proc):
        return
    if used:
        _end(proc, kill=False, timeout=limits.pdf_step_cpu_s)
    else:
        _end(proc, kill=True)


def _small(pid: int) -> bool:
    """Whether a child's resident memory is within `WARM_RSS_MAX` (False when unknown)."""
    try:
        resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return False
    return resident * os.sysconf("SC_PAGE_SIZE") <= WARM_RSS_MAX


def _offer_spare(proc: subprocess.Popen[bytes]) -> bool:
    """Make `proc` the spare if there is none; False when there is one already."""
    global _spare, _spare_atexit
    with _spare_lock:
        if _spare is not None or not _warm:
            return False
        _spare = proc
        if not _spare_atexit:
            _spare_atexit = True
            atexit.register(_drop_spare)
    return True


def start_spare(limits: Limits) -> None:
    """Start a PDF child now, for the next export read with `limits`.

    `read_export` takes it (`PdfService.take_spare`) and stops it when the export holds no
    PDF, so a command about to read an export can have the child's start-up (the interpreter
    and pypdf, about 0.1 s of processor time) overlap its own imports instead of the reading.
    A spare nobody takes is stopped when the process exits (and ends by itself when its
    input closes).
    """
    global _spare, _spare_atexit
    with _spare_lock:
        if _spare is not None:
            return
        try:
            _spare = _popen(_argv(limits))
        except OSError:
            return
        if not _spare_atexit:
            _spare_atexit = True
            atexit.register(_drop_spare)


def _pop_spare(argv: list[str] | None = None) -> subprocess.Popen[bytes] | None:
    """The spare, taken; with `argv`, only a live one started with it (else None: one
    started otherwise stays, a dead one is cleared away)."""
    global _spare
    dead = None
    with _spare_lock:
        proc = _spare
        if argv is not None and proc is not None:
            if proc.poll() is not None:
                dead, proc = proc, None
            elif proc.args != argv:
                return None
        _spare = None
    if dead is not None:
        _end(dead, kill=True)
    return proc


def _drop_spare() -> None:
    proc = _pop_spare()
    if proc is not None:
        _end(proc, kill=True)


def _where(state: PdfResult) -> str:
    if state.of is None:
        return ""
    return f" (after {state.done:,} of {state.of:,} pages)"


def _int(value: object) -> int:
    return int(value) if isinstance(value, (int, float)) else 0


def _float(value: object, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) else default
