"""The first request of an ingest, read while the store opens.

Opening the store imports its stack (SQLAlchemy, SQLModel, the tables: about 0.5 s of
processor time), as long as reading an incident-sized export. In a thread of the same
interpreter the two take turns; in a forked child process they run on two cores, and the
child hands the review back pickled, with its progress reports before it. Pickling costs
about 15 µs per member, so an export whose end record allows more than `FORK_MEMBERS_MAX`
members (by its count or its directory's size; or a ZIP64 one) is read in a thread instead,
where its review needs no copying: there the imports are a small part of the reading. Where
the platform cannot fork safely, or a thread is already running, the thread too.

What the child cannot hand back (a review holding a document nested too deeply to pickle)
it says so, and the request is read again here: the outcome never depends on the way it was
read. The child ends with the command: killed when the command gives up on it (`close`), and
by the kernel when the command's process dies.

The pipe carries pickles only from a child forked from this process and running its code
over the export's bytes: nothing in the export can choose what is unpickled."""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.domain.errors import ReviewerError

if TYPE_CHECKING:
    from reviewer.archive.progress import Progress, ProgressCallback
    from reviewer.domain.review import Review

FORK_MEMBERS_MAX = 20_000
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


def review_folder(folder: Path, progress: ProgressCallback | None = None) -> Review:
    """`review_request`, its reading stack imported on first use: a forked child imports it
    while the parent imports the store's."""
    from reviewer.archive.review import review_request

    return review_request(folder, progress=progress)


class ReadingFailed(ReviewerError):
    """The child reading a request ended before it answered, or failed with an exception
    that could not be handed back as itself (its text names the original's type)."""


class ReadAhead:
    """One request folder reviewed alongside the caller; `result` waits for it.

    With `watched`, the reading's progress is held until `result` names where to show it
    (the bar starts only once the store is open, which may ask for a passphrase): the last
    report is shown then, and every later one as it comes."""

    def __init__(self, folder: Path, watched: bool) -> None:
        self.folder = folder
        self._done = threading.Event()
        self._out: Review | None = None
        self._exc: BaseException | None = None
        self._lock = threading.Lock()
        self._show: ProgressCallback | None = None
        self._last: Progress | None = None
        progress = self._forward if watched else None
        self.pid: int | None = None  # the reading child's, when it is read in one
        self._pidfd: int | None = None
        # the child read it but could not hand the review back: `result` reads it again
        self.read_again = False
        if _forks(folder):
            self._start_child(progress)
        else:
            threading.Thread(
                target=self._in_thread, args=(progress,), name="read-ahead", daemon=True
            ).start()

    # -- in a thread -------------------------------------------------------------------------

    def _in_thread(self, progress: ProgressCallback | None) -> None:
        try:
            self._out = review_folder(self.folder, progress)
        except BaseException as exc:  # noqa: BLE001 - raised again where the result is taken
            self._exc = exc
        finally:
            self._done.set()

    # -- in a forked child -------------------------------------------------------------------

    def _start_child(self, progress: ProgressCallback | None) -> None:
        r, w = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(r)
            _child(self.folder, w, parent, watched=progress is not None)
        os.close(w)
        self.pid = pid
        # a handle on this very process: `close` can never signal another that took its id
        self._pidfd = _pidfd(pid)
        threading.Thread(
            target=self._receive, args=(pid, r, progress), name="read-ahead", daemon=True
        ).start()

    def _receive(self, pid: int, fd: int, progress: ProgressCallback | None) -> None:
        answered = False
        try:
            with os.fdopen(fd, "rb") as pipe:
                while not answered:
                    kind, value = pickle.load(pipe)
                    if kind == "progress":
                        if progress is not None:
                            progress(value)
                    elif kind == "review":
                        self._out, answered = value, True
                    elif kind == "unportable":
                        self.read_again, answered = True, True
                    else:
                        self._exc, answered = value, True
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        finally:
            status = _reap(pid)
            if not answered:
                self._exc = ReadingFailed(_how_it_ended(status))
            with self._lock:  # not while `close` signals through it
                if self._pidfd is not None:
                    os.close(self._pidfd)
                    self._pidfd = None
            self._done.set()

    # -- both --------------------------------------------------------------------------------

    def _forward(self, p: Progress) -> None:
        with self._lock:
            self._last = p
            if self._show is not None:
                self._show(p)

    def close(self) -> None:
        """Stop a reading child whose review will not be taken (the store could not be
        opened, the command was interrupted): it is killed and reaped, not left reading."""
        pid = self.pid
        if pid is None or self._done.is_set():
            return
        with self._lock, contextlib.suppress(ProcessLookupError):  # it has ended meanwhile
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            elif not self._done.is_set():  # (without a pidfd: a moment's window remains)
                os.kill(pid, signal.SIGKILL)
        self._done.wait()  # the receiving thread reaps it

    def result(self, show: ProgressCallback | None) -> Review:
        with self._lock:
            self._show = show
            if show is not None and self._last is not None:
                show(self._last)
        self._done.wait()
        if self.read_again:
            # read again on a fresh stack, as the child did (how deeply nested a document
            # parses does not depend on the caller's depth)
            again = threading.Thread(target=self._in_thread, args=(show,), name="read-again")
            again.start()
            again.join()
        if self._exc is not None:
            raise self._exc
        assert self._out is not None
        return self._out


def _forks(folder: Path) -> bool:
    """Whether to read `folder` in a forked child (see the module's docstring)."""
    if not hasattr(os, "fork") or sys.platform == "darwin" or threading.active_count() > 1:
        return False
    from reviewer.archive.container import members_at_most
    from reviewer.domain.review import EXPORT_NAME

    listed = members_at_most(folder / EXPORT_NAME)
    return listed is not None and listed <= FORK_MEMBERS_MAX


def _child(folder: Path, fd: int, parent: int, *, watched: bool) -> None:
    """The forked child's whole life: review `folder`, send ("progress", report)... then
    ("review", review) or ("error", exception) down `fd`, and exit without running the
    parent's exit handlers or flushing its buffers a second time. It ends with its parent,
    however that ends (`_end_with_parent`)."""
    code = 0
    try:
        # Ctrl-C reaches the parent too, which reports it; the child just stops
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _end_with_parent(parent)
        with os.fdopen(fd, "wb") as pipe:

            def send(kind: str, value: object) -> None:
                try:  # whole, or nothing written: a failure halfway leaves no half message
                    data = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001 - e.g. a document nested too deeply
                    data = pickle.dumps(("unportable", None))
                pipe.write(data)
                pipe.flush()

            def report(p: Progress) -> None:
                send("progress", p)

            try:
                out = review_folder(folder, report if watched else None)
            except Exception as exc:  # noqa: BLE001 - handed back to the parent
                send("error", _portable(exc))
            else:
                send("review", out)
    except BaseException:  # noqa: BLE001 - the parent sees the pipe close and says so
        code = 1
    finally:
        os._exit(code)


def _end_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux's PR_SET_PDEATHSIG), so
    a parent killed outright leaves no reading behind; where that cannot be asked for, a
    parent that is gone shows as a closed pipe at the next report or at the answer."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def _portable(exc: Exception) -> Exception:
    """`exc` itself when it survives pickling, else a `ReadingFailed` naming it."""
    with contextlib.suppress(Exception):
        pickle.loads(pickle.dumps(exc))
        return exc
    return ReadingFailed(f"{type(exc).__name__}: {exc}")


def _how_it_ended(status: int | None) -> str:
    if status is not None and os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return f"the reading process was stopped by {name} before it answered"
    return "the reading process ended before it answered"


def _pidfd(pid: int) -> int | None:
    """A pidfd for `pid` (Linux 5.3 and later), or None where there is none."""
    with contextlib.suppress(AttributeError, OSError):
        return os.pidfd_open(pid)
    return None


def _reap(pid: int) -> int | None:
    with contextlib.suppress(ChildProcessError, InterruptedError):
        return os.waitpid(pid, 0)[1]
    return None
