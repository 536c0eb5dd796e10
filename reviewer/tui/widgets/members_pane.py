"""The Members tab: every member of the export beside a preview of the one under the cursor.

    pane = MembersPane(id="members-pane", classes="panes")
    pane.use(detail)                 # the archive, its members and its transcript catalogue
    pane.preview_soon(member)        # after the cursor has settled on it
    pane.preview(member)             # now (Enter)

The screen decides when a preview is wanted (only while the Members tab is open); this pane
reads the member in a worker and shows it. An export of more than AUTO_PREVIEW_MAX_MEMBERS
members is previewed on Enter only: reading one member of a huge archive takes a while.
Posts `MembersPane.Viewed(path)` when a member's content has been shown, for the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.worker import Worker

from reviewer.domain.model import Member, MemberKind
from reviewer.tui.base import report_failed_worker
from reviewer.tui.widgets.member_preview import MemberPreview
from reviewer.tui.widgets.members import MembersList

if TYPE_CHECKING:
    from reviewer.store.views import RequestDetail

PREVIEW_BYTES = 256 * 1024  # shown
PREVIEW_READ_MAX = 16 * 1024 * 1024  # read at most; larger members are not previewed
AUTO_PREVIEW_MAX_MEMBERS = 10_000  # above this, members are previewed on Enter only
SETTLE_S = 0.25  # a highlighted item counts as seen (and is previewed) after this long


class MembersPane(Horizontal):
    """The members list (`#members-list`) beside the preview (`#member-preview`)."""

    @dataclass
    class Viewed(Message):
        """The content of the member at `path` has been shown."""

        path: str

    @dataclass
    class _Read(Message):
        member: Member
        data: bytes
        truncated: bool
        problem: str = ""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.detail: RequestDetail | None = None
        self._paths = 0  # how many distinct member paths the archive has
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield MembersList(id="members-list")
        yield MemberPreview(id="member-preview")

    def use(self, d: RequestDetail) -> None:
        """The request whose archive is read from."""
        self.detail = d
        self._paths = len({m.path for m in d.index.members})

    def show(self, d: RequestDetail) -> None:
        """List the request's members."""
        self.use(d)
        self.query_one("#members-list", MembersList).show(d.index.members)

    @property
    def auto_preview(self) -> bool:
        """Whether moving the cursor previews (not on a huge archive)."""
        return self._paths <= AUTO_PREVIEW_MAX_MEMBERS

    # ------------------------------------------------------------------ when

    def cancel_preview(self) -> None:
        """Forget a preview still waiting for the cursor to settle."""
        if self._timer is not None:
            self._timer.stop()

    def preview_soon(self, member: Member) -> None:
        """Preview `member` once the cursor has stayed on it a moment."""
        self.cancel_preview()
        if not self.auto_preview:
            self.query_one("#member-preview", MemberPreview).show_message(
                f"{member.path}: press Enter to preview."
            )
            return
        self._timer = self.set_timer(SETTLE_S, lambda: self.preview(member))

    def preview_current(self) -> None:
        """Preview the member under the cursor (when the tab opens), unless the archive is
        huge."""
        current = self.query_one("#members-list", MembersList).current
        if current is not None and self.auto_preview:
            self.preview(current)

    @on(MembersList.Selected)
    def _selected(self, message: MembersList.Selected) -> None:
        self.preview(message.member)
        self.query_one("#member-preview", MemberPreview).focus()

    # ------------------------------------------------------------------ how

    def preview(self, member: Member) -> None:
        preview = self.query_one("#member-preview", MemberPreview)
        d = self.detail
        if d is None:
            return
        if member.kind is MemberKind.DIRECTORY:
            preview.show_message(f"{member.path} is a folder.")
            return
        if (
            member.kind is MemberKind.PDF
            and member.path == d.index.transcript_member
            and d.index.transcripts
        ):
            lines = [
                f"{t.timestamp_text}  {t.device_serial}  {t.utterance_id}\n    {t.text}"
                for t in d.index.transcripts
            ]
            preview.show_text(
                member, "\n".join(lines), f"{len(lines):,} transcript entries (page order)"
            )
            self.post_message(self.Viewed(member.path))
            return
        preview.show_message(f"Reading {member.path}...")
        self._read_member(member)

    @work(thread=True, exclusive=True, exit_on_error=False, group="read-the-member")
    def _read_member(self, member: Member) -> None:
        from reviewer.archive import read_member
        from reviewer.domain.errors import ReviewerError

        assert self.detail is not None
        try:
            data = read_member(self.detail.archive_path, member.path, PREVIEW_READ_MAX)
        except ReviewerError as exc:
            self.post_message(self._Read(member, b"", False, str(exc)))
            return
        truncated = len(data) > PREVIEW_BYTES
        self.post_message(self._Read(member, data[:PREVIEW_BYTES], truncated))

    @on(_Read)
    def _member_read(self, message: _Read) -> None:
        message.stop()
        current = self.query_one("#members-list", MembersList).current
        if current is None or current.path != message.member.path:
            return
        preview = self.query_one("#member-preview", MemberPreview)
        if message.problem:
            path = message.member.path
            problem = message.problem.removeprefix(f"{path}: ")  # the reader names it too
            preview.show_message(f"Cannot preview {path}: {problem}", style="yellow")
            return
        preview.show_bytes(message.member, message.data, message.truncated)
        self.post_message(self.Viewed(message.member.path))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failed_worker(self, event)
