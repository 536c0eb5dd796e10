"""The progress bar of `reviewer check` and `reviewer ingest`, on standard error.

Shown only when standard error is a terminal and the report is not asked for as JSON; it
is drawn by rich, cleared when the work is done, and never touches standard output, so the
report there is the same byte for byte whether the bar was shown or not. Nothing of rich is
imported when the bar is off.

While an export is read the bar shows its bytes and members read, then the pages of its
PDFs as they are parsed (`reviewer.archive.progress`); `ingest` also shows how many of its
requests are done.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

from reviewer.archive.progress import Progress, ProgressCallback
from reviewer.domain.text import printable

if TYPE_CHECKING:
    from rich.progress import TaskID


def shown(as_json: bool) -> bool:
    """Whether the bar is shown: on a terminal, and not for a JSON report."""
    try:
        return not as_json and sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False


def megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.0f} kB"


class ReadingBar:
    """The bar for one command; `reading(name)` gives the callback for one export's reading.

    With `requests`, a first line counts the requests done (`request_done`)."""

    def __init__(self, enabled: bool, requests: int | None = None) -> None:
        self.enabled = enabled
        self._requests = requests
        self._done = 0
        self._bar: Any = None
        self._request_task: TaskID | None = None
        self._read_task: TaskID | None = None
        self._pdf_task: TaskID | None = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, TaskProgressColumn, TextColumn
        from rich.progress import Progress as Bar

        self._bar = Bar(
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=30),
            TaskProgressColumn(),
            TextColumn("{task.fields[detail]}", markup=False),
            console=Console(stderr=True, highlight=False),
            transient=True,
        )
        if requests is not None:
            self._request_task = self._bar.add_task("requests", total=requests, detail="")

    def __enter__(self) -> ReadingBar:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()  # transient: the bar's lines are cleared

    def reading(self, name: str) -> ProgressCallback | None:
        """The callback for reading the export called `name` (None when the bar is off)."""
        bar = self._bar
        if bar is None:
            return None
        if self._request_task is not None:
            bar.update(
                self._request_task,
                detail=f"{self._done:,} of {self._requests:,}: {printable(name)}",
            )
        for task in (self._read_task, self._pdf_task):
            if task is not None:
                bar.remove_task(task)
        self._pdf_task = None
        self._read_task = bar.add_task("reading", total=None, detail="")
        read_task = self._read_task

        def show(p: Progress) -> None:
            bar.update(
                read_task,
                completed=p.bytes_done,
                total=p.bytes_total or 1,
                detail=f"{megabytes(p.bytes_done)} of {megabytes(p.bytes_total)}, "
                f"{p.members_done:,} of {p.members_total:,} members",
            )
            if p.pdf_pages_total:
                if self._pdf_task is None:
                    self._pdf_task = bar.add_task("PDF pages", total=None, detail="")
                bar.update(
                    self._pdf_task,
                    completed=p.pdf_pages_done,
                    total=p.pdf_pages_total,
                    detail=f"{p.pdf_pages_done:,} of {p.pdf_pages_total:,} pages",
                )

        return show

    def request_done(self) -> None:
        self._done += 1
        if self._bar is not None and self._request_task is not None:
            self._bar.update(
                self._request_task,
                completed=self._done,
                detail=f"{self._done:,} of {self._requests:,}",
            )
