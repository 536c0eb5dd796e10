"""A progress line for long archive work (building, re-reading and checking a corrected
archive): the step, a bar, and while an archive is read its bytes, members and PDF pages.

It is fed by messages, which a worker thread posts without waiting for the screen:

    work = screen.query_one(WorkProgress)
    work.post_message(WorkProgress.Step("building the corrected archive"))   # shown
    work.post_message(WorkProgress.Reading(progress))   # reviewer.archive.progress.Progress
    work.post_message(WorkProgress.Step(None))          # done: hidden

Hidden while nothing runs.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, ProgressBar

from reviewer.archive.progress import Progress


def megabytes(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.0f} kB"


def reading_text(p: Progress) -> str:
    """`3.1 MB of 10.0 MB, 850 of 1,707 members, 12 of 76 PDF pages`."""
    text = (
        f"{megabytes(p.bytes_done)} of {megabytes(p.bytes_total)}, "
        f"{p.members_done:,} of {p.members_total:,} members"
    )
    if p.pdf_pages_total:
        text += f", {p.pdf_pages_done:,} of {p.pdf_pages_total:,} PDF pages"
    return text


class WorkProgress(Horizontal):
    """The step (`#work-step`), the bar (`#work-bar`) and what is read (`#work-detail`)."""

    DEFAULT_CSS = """
    WorkProgress {
        height: 1;
        display: none;
        background: $boost;
    }
    WorkProgress.-running {
        display: block;
    }
    WorkProgress #work-step {
        width: auto;
        padding: 0 1;
        text-style: bold;
    }
    WorkProgress #work-bar {
        width: auto;
        padding-right: 1;
    }
    WorkProgress #work-detail {
        width: 1fr;
    }
    """

    class Step(Message, bubble=False):
        """A step starts (its words), or the work is done (None)."""

        def __init__(self, step: str | None) -> None:
            super().__init__()
            self.step = step

    class Reading(Message, bubble=False):
        """How far the reading of an archive has got."""

        def __init__(self, progress: Progress) -> None:
            super().__init__()
            self.progress = progress

    def compose(self) -> ComposeResult:
        yield Label("", id="work-step")
        yield ProgressBar(id="work-bar", show_eta=False)
        yield Label("", id="work-detail")

    @property
    def running(self) -> bool:
        return self.has_class("-running")

    @on(Step)
    def _step(self, message: Step) -> None:
        message.stop()
        bar = self.query_one("#work-bar", ProgressBar)
        if message.step is None:
            self.remove_class("-running")
            bar.update(total=None, progress=0)
            return
        self.query_one("#work-step", Label).update(message.step.capitalize())
        self.query_one("#work-detail", Label).update("")
        bar.update(total=None, progress=0)  # no figures yet: the bar pulses
        self.add_class("-running")

    @on(Reading)
    def _reading(self, message: Reading) -> None:
        message.stop()
        if not self.running:
            return  # a late report of work already done
        p = message.progress
        bar = self.query_one("#work-bar", ProgressBar)
        bar.update(total=max(p.bytes_total, 1), progress=p.bytes_done)
        self.query_one("#work-detail", Label).update(reading_text(p))
