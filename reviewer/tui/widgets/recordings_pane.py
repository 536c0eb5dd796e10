"""The Recordings tab: every recording of the export beside the player and the transcript of the
one under the cursor.

    pane = RecordingsPane(id="recordings-pane", classes="panes")
    pane.use(detail)                                   # the archive and the catalogue's texts
    pane.show(recording_rows(detail), played_members(detail, "alice"), without_audio=2)

Moving the cursor shows the recording's ids and transcript (the catalogue's text, and the voice
history's where they differ) and reads its audio in a worker, for the player. What the reviewer
heard and read is the screen's to record: `RecordingsList.Highlighted` and
`PlayerPane.Played` bubble up to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker

from reviewer.audio.clip import Clip
from reviewer.domain.model import Severity
from reviewer.domain.text import printable
from reviewer.tui.base import report_failed_worker
from reviewer.tui.widgets.player import PlayerPane, PlayItem
from reviewer.tui.widgets.recordings import RecordingRow, RecordingsList

if TYPE_CHECKING:
    from reviewer.store.views import RequestDetail

AUDIO_BYTES = 64 * 1024 * 1024  # read at most this much of a recording


def recording_rows(d: RequestDetail) -> list[RecordingRow]:
    """One row per audio member, in the archive's order: its voice-history row, its duration,
    whether it is in the sample and whether a finding (above info) names it."""
    sampled = set(d.sample.members)
    flagged: set[str] = set()
    for f in d.report.findings:
        if f.severity is not Severity.INFO:
            flagged.update(f.members)
    by_audio = {r.audio_member: r for r in d.index.recordings if r.audio_member}
    rows = []
    for member in d.index.audio_members:
        duration = member.audio.duration_s if member.audio else None
        rows.append(
            RecordingRow(
                member.path,
                by_audio.get(member.path),
                duration,
                sampled=member.path in sampled,
                flagged=member.path in flagged,
            )
        )
    return rows


def played_members(d: RequestDetail, reviewer: str) -> set[str]:
    """The recordings `reviewer` has played enough of (the sign-off's rule), by the evidence."""
    from reviewer.domain.signoff import played_enough

    played: dict[str, float] = {}
    for ev in d.evidence.get(reviewer, ()):
        if ev.kind.value == "played":
            played[ev.target] = played.get(ev.target, 0.0) + ev.seconds
    by_path = {m.path: m for m in d.index.members}
    out = set()
    for target, seconds in played.items():
        member = by_path.get(target)
        duration = member.audio.duration_s if member is not None and member.audio else None
        if played_enough(seconds, duration):
            out.add(target)
    return out


def catalogue_transcripts(d: RequestDetail) -> dict[str, str]:
    """Audio member -> its entry's text in the transcript catalogue, where it has one."""
    by_utterance = {t.utterance_id: t for t in d.index.transcripts}
    out: dict[str, str] = {}
    for rec in d.index.recordings:
        entry = by_utterance.get(rec.utterance_id)
        if rec.audio_member and entry is not None:
            out[rec.audio_member] = entry.text
    return out


class RecordingsPane(Horizontal):
    """The recordings list (`#recordings-list`) beside the player (`#player`) and the
    transcript (`#transcript-entry`)."""

    @dataclass
    class _ClipReady(Message):
        row: RecordingRow
        clip: Clip | None
        problem: str

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.archive_path: Path | None = None
        self.transcripts: dict[str, str] = {}  # audio member -> the catalogue's text

    def compose(self) -> ComposeResult:
        yield RecordingsList(id="recordings-list")
        with Vertical(id="listen"):
            yield PlayerPane(id="player")
            yield Static("Select a recording.", id="transcript-entry")

    def on_mount(self) -> None:
        self.query_one("#transcript-entry", Static).border_title = "Transcript"

    def use(self, d: RequestDetail) -> None:
        """The archive to read recordings from and the catalogue's transcripts."""
        self.archive_path = d.archive_path
        self.transcripts = catalogue_transcripts(d)

    def show(self, rows: list[RecordingRow], played: set[str], without_audio: int) -> None:
        self.query_one("#recordings-list", RecordingsList).show(rows, played, without_audio)

    def has_transcript(self, row: RecordingRow) -> bool:
        """Whether the transcript shown beside the player has any text to read."""
        return row.member in self.transcripts or (
            row.recording is not None and bool(row.recording.transcript)
        )

    @on(RecordingsList.Highlighted)
    def _highlighted(self, message: RecordingsList.Highlighted) -> None:
        # Not stopped: the screen records what is read and follows it in the catalogue.
        row = message.row
        self.query_one("#transcript-entry", Static).update(self._transcript_text(row))
        self._load_clip(row)

    def _transcript_text(self, row: RecordingRow) -> Text:
        rec = row.recording
        text = Text()  # ids, serials and transcripts are input: escaped (`printable`)
        if rec is not None:
            text.append(f"{printable(rec.utterance_id)}  ", style="bold")
            text.append(f"{printable(f'{rec.device_serial} {rec.device_type}')}  ", style="dim")
            if rec.timestamp:
                text.append(f"{rec.timestamp:%Y-%m-%d %H:%M:%S}", style="dim")
            text.append("\n")
        else:
            text.append(f"{printable(row.member)}: no voice-history row\n", style="yellow")
        if row.sampled:
            text.append("In the sample: play it and read its transcript.\n", style="magenta")
        catalogue = self.transcripts.get(row.member)
        history = rec.transcript if rec is not None else ""
        text.append("Transcript: ", style="bold")
        shown = catalogue if catalogue is not None else history or "(none)"
        text.append(printable(shown, lines=True))
        if catalogue is not None and history and catalogue.strip() != history.strip():
            text.append(f"\nVoice history says: {printable(history, lines=True)}", style="yellow")
        return text

    @work(thread=True, exclusive=True, exit_on_error=False, group="read-the-recording")
    def _load_clip(self, row: RecordingRow) -> None:
        from reviewer.archive import read_member
        from reviewer.domain.errors import ReviewerError

        assert self.archive_path is not None
        clip: Clip | None = None
        problem = ""
        try:
            data = read_member(self.archive_path, row.member, AUDIO_BYTES)
            clip = Clip.from_member(data, row.member)  # decodes here, in the worker
        except ReviewerError as exc:
            problem = str(exc)
        self.post_message(self._ClipReady(row, clip, problem))

    @on(_ClipReady)
    def _clip_ready(self, message: _ClipReady) -> None:
        message.stop()
        current = self.query_one("#recordings-list", RecordingsList).current
        if current is None or current.member != message.row.member:
            return
        rec = message.row.recording
        self.query_one("#player", PlayerPane).load(
            PlayItem(
                utterance_id=rec.utterance_id if rec else message.row.member,
                member=message.row.member,
                device=rec.device_serial if rec else "",
                when=f"{rec.timestamp:%Y-%m-%d %H:%M}" if rec and rec.timestamp else "",
                clip=message.clip,
                problem=message.problem,
            )
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        report_failed_worker(self, event)
