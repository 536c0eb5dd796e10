"""How far the reading of one export has got, for whoever shows it.

`read_export(path, limits, progress=callback)` calls `callback(Progress(...))` from the
reader's own threads, at most about ten times a second, and once more when the reading is
done with every figure at its total. The figures never go down: the archive bytes gone
through (the members' data as their reading ends, everything else at the end), the members
gone through (a member's reading ended, or it was refused without reading; the total grows
as nested archives are opened), and the pages of the PDF members parsed so far.

The reader's threads each count into their own `Tally` (no lock on the way); whichever
thread finds that a tenth of a second has passed adds them up and calls the callback, unless
another thread is calling it at that moment. A callback that raises is not called again: a
failing display never changes what is read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

INTERVAL_S = 0.1  # at most this often the callback is called


@dataclass(frozen=True, slots=True)
class Progress:
    """One report of how far the reading has got."""

    bytes_done: int
    bytes_total: int
    members_done: int
    members_total: int
    pdf_pages_done: int = 0
    pdf_pages_total: int = 0

    @property
    def fraction(self) -> float:
        """How much of the archive's bytes is gone through, from 0 to 1."""
        return min(1.0, self.bytes_done / self.bytes_total) if self.bytes_total else 1.0


ProgressCallback = Callable[[Progress], None]


class Tally:
    """One reader thread's counts (only that thread writes them)."""

    __slots__ = ("bytes", "members", "partial")

    def __init__(self) -> None:
        self.bytes = 0
        self.members = 0
        self.partial = 0  # bytes of the member being read already counted in `bytes`


class Meter:
    """The counts of one export's reading, and the throttle on reporting them."""

    def __init__(self, callback: ProgressCallback | None, bytes_total: int) -> None:
        self.callback = callback
        self.bytes_total = bytes_total
        self.members_total = 0  # written under the reader's lock (as members are listed)
        self.pdf_done: dict[str, tuple[int, int]] = {}  # PDF member -> (pages done, pages)
        self._tallies: list[Tally] = []
        self._local = threading.local()
        self._emitting = threading.Lock()
        self._next = 0.0
        self._last = Progress(0, bytes_total, 0, 0)

    @property
    def on(self) -> bool:
        return self.callback is not None

    def tally(self) -> Tally:
        """The calling thread's tally."""
        t: Tally | None = getattr(self._local, "tally", None)
        if t is None:
            t = self._local.tally = Tally()
            self._tallies.append(t)  # list.append is atomic
        return t

    def pages(self, member: str, done: int, total: int) -> None:
        """The PDF child's word on one PDF's pages (from the PDF thread)."""
        self.pdf_done[member] = (done, total)
        self.tick()

    def tick(self) -> None:
        """Report the counts if a tenth of a second has passed since the last report."""
        if self.callback is not None and time.monotonic() >= self._next:
            self._emit(final=False)

    def finish(self, members_total: int) -> None:
        """Report every figure at its total: the reading is done."""
        if self.callback is None:
            return
        self.members_total = members_total
        for member, (_done, total) in list(self.pdf_done.items()):
            self.pdf_done[member] = (total, total)
        with self._emitting:
            self._report(final=True)

    def _emit(self, final: bool) -> None:
        if not self._emitting.acquire(blocking=False):
            return  # another thread is reporting right now
        try:
            self._report(final)
        finally:
            self._emitting.release()

    def _report(self, final: bool) -> None:
        callback = self.callback
        if callback is None:
            return
        self._next = time.monotonic() + INTERVAL_S
        last = self._last
        pages = list(self.pdf_done.values())
        pages_total = sum(t for _d, t in pages)
        if final:
            done_bytes, members_total = self.bytes_total, self.members_total
            members, pages_done = members_total, pages_total
        else:
            done_bytes = min(sum(t.bytes for t in self._tallies), self.bytes_total)
            members = sum(t.members for t in self._tallies)
            members_total = max(self.members_total, members)
            pages_done = sum(min(d, t) for d, t in pages)
        now = Progress(
            max(done_bytes, last.bytes_done),
            self.bytes_total,
            max(members, last.members_done),
            max(members_total, last.members_total),
            max(pages_done, last.pdf_pages_done),
            max(pages_total, last.pdf_pages_total),
        )
        self._last = now
        try:
            callback(now)
        except Exception:  # noqa: BLE001 - a failing display never changes what is read
            self.callback = None
