"""Review one request: the requester beside the export, the findings that point at what is
wrong, the recordings to hear, the catalogue, the timeline and every other member.

Everything shown comes from the store (`ReviewService.request_detail`): the archive is only
read again for what a person asks to hear or see (audio, member previews), in workers.
Evidence of what the reviewer did (opened, played and for how long, viewed a transcript or a
member) is recorded through the service as it happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Header, Static, TabbedContent, TabPane

from reviewer.audio.clip import Clip
from reviewer.domain.access import Action, Permission, permission
from reviewer.domain.corrections import Correction, suggestions
from reviewer.domain.model import Member, MemberKind, Severity
from reviewer.domain.signoff import MIN_PLAY_SECONDS
from reviewer.domain.states import State
from reviewer.domain.text import printable
from reviewer.tui.base import ReviewerScreen
from reviewer.tui.screens.correcting import BINDINGS as CORRECTING_BINDINGS
from reviewer.tui.screens.correcting import CORRECTION_ACTIONS, CorrectingMixin
from reviewer.tui.terms import gather_terms
from reviewer.tui.widgets.catalogue import TranscriptCatalogue
from reviewer.tui.widgets.corrections import CorrectionsList
from reviewer.tui.widgets.findings import FindingsList
from reviewer.tui.widgets.footer import KeysFooter
from reviewer.tui.widgets.member_preview import MemberPreview
from reviewer.tui.widgets.members import MembersList
from reviewer.tui.widgets.player import PlayerPane, PlayItem
from reviewer.tui.widgets.profile import ProfilePane
from reviewer.tui.widgets.recordings import RecordingRow, RecordingsList
from reviewer.tui.widgets.timeline import RecordingTimeline
from reviewer.tui.widgets.verdict_badge import VerdictBadge

if TYPE_CHECKING:
    from reviewer.store.views import Gate, RequestDetail

PREVIEW_BYTES = 256 * 1024  # shown
PREVIEW_READ_MAX = 16 * 1024 * 1024  # read at most; larger members are not previewed
AUDIO_BYTES = 64 * 1024 * 1024
AUTO_PREVIEW_MAX_MEMBERS = 10_000  # above this, members are previewed on Enter only
SETTLE_S = 0.25  # a highlighted item counts as seen (and is previewed) after this long
NARROW = 110  # below this width panes stack instead of sitting side by side

# The widget that takes the focus when a tab opens.
PRIMARY = {
    "overview": "findings",
    "recordings": "recordings-list",
    "catalogue": "catalogue-view",
    "timeline": "timeline-view",
    "members": "members-list",
    "corrections": "corrections-list",
}


SAMPLE_KEYS = Binding.Group("Sample", compact=True)
SIGNED = {"approve": "✓", "reject": "✗"}  # "bob ✓2nd": bob approved at the second stage
ORDINAL = {1: "1st", 2: "2nd"}


class ReviewScreen(CorrectingMixin, ReviewerScreen):
    AUTO_FOCUS = "#findings"
    HELP_TITLE = "Review"
    HELP_TEXT = (
        "Compare the export with the requester. Overview: the ticket's profile and the findings "
        "(Enter on a finding jumps to its members). Recordings: the sample is marked S; play each "
        f"sampled recording (space) for {MIN_PLAY_SECONDS:g} s or to its end and read its "
        "transcript; n and p move between sampled recordings. Catalogue: the transcript catalogue, / searches. Timeline: "
        "recordings per month per device against registration dates. Members: every member, "
        "previewed as you move. Then s opens the sign-off. To make an export right: m marks "
        "the item under the cursor (not the requester's, third party, doubtful), w withholds "
        "it, x redacts a text everywhere, [ and ] mark a span of the recording playing and z "
        "silences it, f takes what the findings suggest; the Corrections tab (6) lists them "
        "(u takes one back) and A applies them: a corrected version, proven and checked again."
    )
    BINDINGS = [
        Binding("escape", "back", "Queue", id="review.back", tooltip="Back to the queue"),
        Binding(
            "s",
            "sign_off",
            "Sign off",
            id="review.sign_off",
            tooltip="Approve or reject this export",
        ),
        Binding(
            "r",
            "release",
            "Release",
            id="review.release",
            tooltip="Release the approved export to the outbox",
        ),
        Binding(
            "space",
            "play",
            "Play/stop",
            id="review.play",
            tooltip="Play or stop the selected recording",
        ),
        # One footer entry for both, so the footer keeps room for search and help at 80 columns.
        Binding("n", "sample(1)", "Next sample", id="review.next_sample", group=SAMPLE_KEYS),
        Binding("p", "sample(-1)", "Prev sample", id="review.prev_sample", group=SAMPLE_KEYS),
        Binding(
            "slash",
            "search",
            "Search",
            id="review.search",
            tooltip="Search the transcript catalogue",
        ),
        Binding("1", "tab('overview')", "Overview", show=False, id="review.tab_overview"),
        Binding("2", "tab('recordings')", "Recordings", show=False, id="review.tab_recordings"),
        Binding("3", "tab('catalogue')", "Catalogue", show=False, id="review.tab_catalogue"),
        Binding("4", "tab('timeline')", "Timeline", show=False, id="review.tab_timeline"),
        Binding("5", "tab('members')", "Members", show=False, id="review.tab_members"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="review.reload"),
        *CORRECTING_BINDINGS,
    ]

    # ------------------------------------------------------------------ messages

    @dataclass
    class Loaded(Message):
        detail: RequestDetail

    @dataclass
    class MemberRead(Message):
        member: Member
        data: bytes
        truncated: bool
        problem: str = ""

    @dataclass
    class ClipReady(Message):
        row: RecordingRow
        clip: Clip | None
        problem: str

    @dataclass
    class GateReady(Message):
        gate: Gate

    @dataclass
    class Released(Message):
        where: str

    def __init__(self, request_id: str) -> None:
        super().__init__()
        self.request_id = request_id
        self.detail: RequestDetail | None = None
        self._members_by_path: dict[str, Member] = {}
        self._preview_timer: Timer | None = None
        self._transcript_timer: Timer | None = None
        self._transcripts: dict[str, str] = {}
        self._seen: set[tuple[str, str]] = set()
        self._catalogue_fed = False
        self._span: dict[str, list[float | None]] = {}  # member -> [start, end] to silence

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="review-summary"):
            yield VerdictBadge(id="review-verdict")
            yield Static(f" {self.request_id}  loading...", id="review-title")
        with TabbedContent(id="review-tabs", initial="overview"):
            with TabPane("Overview", id="overview"), Horizontal(classes="panes"):
                yield ProfilePane(id="profile")
                yield FindingsList(id="findings")
            with (
                TabPane("Recordings", id="recordings"),
                Horizontal(classes="panes", id="recordings-pane"),
            ):
                yield RecordingsList(id="recordings-list")
                with Vertical(id="listen"):
                    yield PlayerPane(id="player")
                    yield Static("Select a recording.", id="transcript-entry")
            with TabPane("Catalogue", id="catalogue"):
                yield TranscriptCatalogue(id="catalogue-pane")
            with TabPane("Timeline", id="timeline"):
                yield RecordingTimeline(id="timeline-view")
            with TabPane("Members", id="members"), Horizontal(classes="panes"):
                yield MembersList(id="members-list")
                yield MemberPreview(id="member-preview")
            with TabPane("Corrections", id="corrections"):
                yield CorrectionsList(id="corrections-list")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#transcript-entry", Static).border_title = "Transcript"
        self._apply_width(self.size.width)
        self.query_one("#findings", FindingsList).focus()
        self._load()

    def on_resize(self) -> None:
        self._apply_width(self.size.width)

    def _apply_width(self, width: int) -> None:
        self.set_class(width < NARROW, "-narrow")

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, exit_on_error=False, group="open-the-request")
    def _load(self, first: bool = True) -> None:
        service = self.reviewer_app.service
        detail = service.request_detail(self.request_id)
        self.post_message(self.Loaded(detail))
        user = self.reviewer_app.user
        if user is not None and first:
            service.record_inspection(user, detail.version_id, "opened", detail.request.request_id)

    def action_reload(self) -> None:
        self._load(first=False)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        d = message.detail
        # A new version (a corrected one, say) is shown afresh, as the first was.
        first = self.detail is None or self.detail.version_id != d.version_id
        if first and self._catalogue_fed:
            self._catalogue_fed = False
            self.detail = d
            self._feed_catalogue()
        self.detail = d
        self._members_by_path = {m.path: m for m in d.index.members}
        self._transcripts = {}
        by_utterance = {t.utterance_id: t for t in d.index.transcripts}
        for rec in d.index.recordings:
            entry = by_utterance.get(rec.utterance_id)
            if rec.audio_member and entry is not None:
                self._transcripts[rec.audio_member] = entry.text
        self._show_summary(d)
        if first:
            self.query_one("#profile", ProfilePane).show(d.request)
            self.query_one("#findings", FindingsList).show(d.report.findings)
            self.query_one("#recordings-list", RecordingsList).show(
                self._recording_rows(d), self._played(d), len(d.index.without_audio)
            )
            self.query_one("#members-list", MembersList).show(d.index.members)
            self._feed_optional(d)
        self.query_one("#corrections-list", CorrectionsList).show(d, self._suggested(d))
        self.refresh_bindings()

    @staticmethod
    def _suggested(d: RequestDetail) -> list[Correction]:
        """What the findings suggest and nobody proposed yet (nothing on a corrected version
        whose findings are its own)."""
        proposed = {(c.correction.kind, c.correction.target) for c in d.corrections}
        return [
            c for c in suggestions(d.report.findings, d.index) if (c.kind, c.target) not in proposed
        ]

    def _feed_optional(self, d: RequestDetail) -> None:
        """Hand the detail to the timeline; the catalogue is filled when first opened."""
        self.query_one("#timeline-view", RecordingTimeline).load_detail(d)

    def _feed_catalogue(self) -> TranscriptCatalogue:
        """Fill the catalogue on first use: wrapping thousands of entries takes a moment,
        and the review screen must be usable at once."""
        catalogue = self.query_one("#catalogue-pane", TranscriptCatalogue)
        d = self.detail
        if not self._catalogue_fed and d is not None:
            self._catalogue_fed = True
            terms = gather_terms(d.request, d.index, d.report.findings)
            catalogue.set_terms(
                requester=terms.requester, foreign=terms.foreign, third_party=terms.third_party
            )
            catalogue.set_entries(d.index.transcripts)
            current = self.query_one("#recordings-list", RecordingsList).current
            if current is not None and current.recording is not None:
                catalogue.select(current.recording.utterance_id)
        return catalogue

    def _show_summary(self, d: RequestDetail) -> None:
        self.query_one("#review-verdict", VerdictBadge).verdict = d.report.verdict.value
        r = d.request.requester
        text = Text()
        text.append(f" {d.request.request_id} ", style="bold")
        text.append(f"{printable(r.name or r.customer_id)}  ")  # input: escaped
        text.append(d.state.value, style="bold cyan")
        # What a signer must not miss comes first: a narrow terminal cuts the end of the line.
        text.append(f"  v{d.version_number}", style="bold")
        if d.request.due_at:
            text.append(f"  due {d.request.due_at:%Y-%m-%d}")
        signed = ", ".join(
            f"{s.name} {SIGNED[s.decision.value]}{ORDINAL[s.stage.number]}" for s in d.signers
        )
        text.append(f"  signed: {signed or 'nobody yet'}", style="green" if d.signers else "dim")
        text.append(f"  {d.archive_sha256[:12]}", style="dim")
        self.query_one("#review-title", Static).update(text)
        user = self.reviewer_app.user
        who = f"{user.name} · " if user is not None else ""
        self.sub_title = f"{who}{d.request.request_id}: {d.report.verdict.value}, {d.state.value}"

    def _recording_rows(self, d: RequestDetail) -> list[RecordingRow]:
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

    def _played(self, d: RequestDetail) -> set[str]:
        from reviewer.domain.signoff import played_enough

        user = self.reviewer_app.user
        if user is None:
            return set()
        played: dict[str, float] = {}
        for ev in d.evidence.get(user.name, ()):
            if ev.kind.value == "played":
                played[ev.target] = played.get(ev.target, 0.0) + ev.seconds
        out = set()
        for target, seconds in played.items():
            member = self._members_by_path.get(target)
            duration = member.audio.duration_s if member is not None and member.audio else None
            if played_enough(seconds, duration):
                out.add(target)
        return out

    # ------------------------------------------------------------------ evidence

    @work(thread=True, exit_on_error=False, group="record-evidence")
    def _record(self, kind: str, target: str, seconds: float = 0.0) -> None:
        user = self.reviewer_app.user
        if user is None or self.detail is None:
            return
        self.reviewer_app.service.record_inspection(
            user, self.detail.version_id, kind, target, seconds
        )

    def _record_once(self, kind: str, target: str) -> None:
        if (kind, target) in self._seen:
            return
        self._seen.add((kind, target))
        self._record(kind, target)

    # ------------------------------------------------------------------ findings

    @on(FindingsList.Selected)
    def _finding_selected(self, message: FindingsList.Selected) -> None:
        finding = message.finding
        if not finding.members:
            self.notify("This finding names no members.", timeout=3)
            return
        recordings = self.query_one("#recordings-list", RecordingsList)
        members = self.query_one("#members-list", MembersList)
        members.mark(finding.members)
        for path in finding.members:
            if recordings.select_key(path):
                self.action_tab("recordings")
                recordings.focus()
                return
        self.action_tab("members")
        members.focus()

    # ------------------------------------------------------------------ recordings

    @on(RecordingsList.Highlighted)
    def _recording_highlighted(self, message: RecordingsList.Highlighted) -> None:
        row = message.row
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
        catalogue = self._transcripts.get(row.member)
        history = rec.transcript if rec is not None else ""
        text.append("Transcript: ", style="bold")
        shown = catalogue if catalogue is not None else history or "(none)"
        text.append(printable(shown, lines=True))
        if catalogue is not None and history and catalogue.strip() != history.strip():
            text.append(f"\nVoice history says: {printable(history, lines=True)}", style="yellow")
        self.query_one("#transcript-entry", Static).update(text)
        if rec is not None and self._catalogue_fed:
            self.query_one("#catalogue-pane", TranscriptCatalogue).select(rec.utterance_id)
        self._load_clip(row)
        self._transcript_shown(row)

    def _transcript_shown(self, row: RecordingRow) -> None:
        """The transcript beside the player counts as read once it has been on screen for a
        moment, in the Recordings tab (never while another tab hides it)."""
        if self._transcript_timer is not None:
            self._transcript_timer.stop()
            self._transcript_timer = None
        if self.query_one("#review-tabs", TabbedContent).active != "recordings":
            return
        has_text = row.member in self._transcripts or (
            row.recording is not None and bool(row.recording.transcript)
        )
        if has_text:
            member = row.member
            self._transcript_timer = self.set_timer(
                SETTLE_S, lambda: self._record_once("viewed_transcript", member)
            )

    @on(TranscriptCatalogue.EntryShown)
    def _catalogue_entry_shown(self, message: TranscriptCatalogue.EntryShown) -> None:
        """An entry shown on top of the open catalogue is read too."""
        if not message.found or self.query_one("#review-tabs", TabbedContent).active != "catalogue":
            return
        current = self.query_one("#recordings-list", RecordingsList).current
        if (
            current is not None
            and current.recording is not None
            and current.recording.utterance_id == message.utterance_id
        ):
            self._record_once("viewed_transcript", current.member)

    @work(thread=True, exclusive=True, exit_on_error=False, group="read-the-recording")
    def _load_clip(self, row: RecordingRow) -> None:
        from reviewer.archive import read_member
        from reviewer.domain.errors import ReviewerError

        assert self.detail is not None
        clip: Clip | None = None
        problem = ""
        try:
            data = read_member(self.detail.archive_path, row.member, AUDIO_BYTES)
            clip = Clip.from_member(data, row.member)  # decodes here, in the worker
        except ReviewerError as exc:
            problem = str(exc)
        self.post_message(self.ClipReady(row, clip, problem))

    @on(ClipReady)
    def _clip_ready(self, message: ClipReady) -> None:
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

    def action_play(self) -> None:
        self.query_one("#player", PlayerPane).action_toggle_play()

    @on(PlayerPane.Played)
    def _player_played(self, message: PlayerPane.Played) -> None:
        if message.member:
            self.mark_played(message.member, message.seconds)

    @on(PlayerPane.NextSample)
    def _next_sample(self) -> None:
        self.action_sample(1)

    @on(PlayerPane.PreviousSample)
    def _previous_sample(self) -> None:
        self.action_sample(-1)

    def action_sample(self, direction: int) -> None:
        self.action_tab("recordings")
        recordings = self.query_one("#recordings-list", RecordingsList)
        if recordings.step_sample(direction) is None:
            self.notify("No sampled recordings in this export.", timeout=3)
        recordings.focus()

    def mark_played(self, member: str, seconds: float) -> None:
        """The player reports what was actually heard; record it as evidence (never more than
        the recording holds: the service refuses a longer claim)."""
        from reviewer.domain.signoff import played_enough, played_seconds

        m = self._members_by_path.get(member)
        duration = m.audio.duration_s if m is not None and m.audio else None
        seconds = played_seconds(seconds, duration)
        self._record("played", member, seconds)
        if played_enough(seconds, duration):
            self.query_one("#recordings-list", RecordingsList).mark_played(member)

    # ------------------------------------------------------------------ members

    @on(MembersList.Highlighted)
    def _member_highlighted(self, message: MembersList.Highlighted) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        if self.query_one("#review-tabs", TabbedContent).active != "members":
            return
        member = message.member
        if len(self._members_by_path) > AUTO_PREVIEW_MAX_MEMBERS:
            # Reading one member of a huge archive takes a while: preview on Enter only.
            self.query_one("#member-preview", MemberPreview).show_message(
                f"{member.path}: press Enter to preview."
            )
            return
        self._preview_timer = self.set_timer(SETTLE_S, lambda: self._preview(member))

    @on(MembersList.Selected)
    def _member_selected(self, message: MembersList.Selected) -> None:
        self._preview(message.member)
        self.query_one("#member-preview", MemberPreview).focus()

    def _preview(self, member: Member) -> None:
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
            self._record_once("viewed_member", member.path)
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
            self.post_message(self.MemberRead(member, b"", False, str(exc)))
            return
        truncated = len(data) > PREVIEW_BYTES
        self.post_message(self.MemberRead(member, data[:PREVIEW_BYTES], truncated))

    @on(MemberRead)
    def _member_read(self, message: MemberRead) -> None:
        members = self.query_one("#members-list", MembersList)
        current = members.current
        if current is None or current.path != message.member.path:
            return
        preview = self.query_one("#member-preview", MemberPreview)
        if message.problem:
            path = message.member.path
            problem = message.problem.removeprefix(f"{path}: ")  # the reader names it too
            preview.show_message(f"Cannot preview {path}: {problem}", style="yellow")
            return
        preview.show_bytes(message.member, message.data, message.truncated)
        self._record_once("viewed_member", message.member.path)

    # ------------------------------------------------------------------ tabs and search

    @on(TabbedContent.TabActivated, "#review-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "catalogue":
            self._feed_catalogue()
        if event.pane.id == "recordings":
            row = self.query_one("#recordings-list", RecordingsList).current
            if row is not None:
                self._transcript_shown(row)
        if event.pane.id == "members":
            current = self.query_one("#members-list", MembersList).current
            if current is not None and len(self._members_by_path) <= AUTO_PREVIEW_MAX_MEMBERS:
                self._preview(current)

    def action_tab(self, tab: str) -> None:
        self.query_one("#review-tabs", TabbedContent).active = tab
        # Focus moves with the tab: a focused widget left in a hidden pane would pull
        # the tabs back to it.
        target = self.query_one(f"#{PRIMARY[tab]}")
        if target.focusable:
            target.focus()
        else:
            self.set_focus(None)

    def action_search(self) -> None:
        self.action_tab("catalogue")
        self._feed_catalogue().action_start_search()

    def action_back(self) -> None:
        self.query_one("#player", PlayerPane).stop()
        self.app.pop_screen()

    # ------------------------------------------------------------------ sign-off and release

    def action_sign_off(self) -> None:
        self._fetch_gate()

    @work(thread=True, exclusive=True, exit_on_error=False, group="check-the-gate")
    def _fetch_gate(self) -> None:
        user = self.reviewer_app.user
        if user is None or self.detail is None:
            return
        gate = self.reviewer_app.service.gate(user.name, self.detail.version_id)
        self.post_message(self.GateReady(gate))

    @on(GateReady)
    def _gate_ready(self, message: GateReady) -> None:
        from reviewer.tui.dialogs.signoff import SignOffDialog

        assert self.detail is not None
        self.app.push_screen(SignOffDialog(self.detail, message.gate), self._signed)

    def _signed(self, result: Any) -> None:
        if result is None:
            return
        self.notify(f"Signed: {result.decision.value} ({result.stage.value} sign-off)", timeout=5)
        self._load(first=False)

    def action_release(self) -> None:
        from reviewer.tui.dialogs.confirm import ConfirmDialog

        assert self.detail is not None
        where = self.reviewer_app.outbox / self.detail.request.request_id
        self.app.push_screen(
            ConfirmDialog(
                "Release this export?",
                f"Both sign-offs are in. The archive is hashed again and written with its "
                f"release receipt to {where}. This cannot be undone.",
                yes_label="Release",
            ),
            self._release_confirmed,
        )

    def _release_confirmed(self, yes: bool | None) -> None:
        if yes:
            self._release()

    @work(thread=True, exclusive=True, exit_on_error=False, group="release-the-export")
    def _release(self) -> None:
        user = self.reviewer_app.user
        if user is None or self.detail is None:
            return
        receipt = self.reviewer_app.service.release(
            user, self.detail.request.request_id, self.reviewer_app.outbox
        )
        self.post_message(self.Released(str(receipt.outbox_dir)))

    @on(Released)
    def _released(self, message: Released) -> None:
        where = printable(message.where)  # the outbox path holds the request id: input
        self.notify(f"Released to {where}", title="Released", timeout=8, markup=False)
        self._load(first=False)

    # A key whose action is not available now says why, instead of doing nothing.
    _KEY_ACTIONS = {
        "s": "sign_off",
        "r": "release",
        "space": "play",
        "m": "mark",
        "w": "withhold",
        "x": "redact",
        "z": "silence",
        "f": "suggested",
        "A": "apply",
    }

    def on_key(self, event: events.Key) -> None:
        action = self._KEY_ACTIONS.get(event.key)
        if action is None or self.check_action(action, ()):
            return
        reason = self.why_not(action)
        if reason:
            self.notify(reason, title="Not available", severity="warning", timeout=5)

    def why_not(self, action: str) -> str | None:
        """Why `action` is not available right now, in words that say what to do instead."""
        d = self.detail
        user = self.reviewer_app.user
        if d is None or user is None:
            return "The request is still loading."
        if action in ("sign_off", "release"):
            allowed = self._permission(action)
            if allowed:
                return None
            reason = allowed.reason[:1].upper() + allowed.reason[1:]
            if action == "release" and not permission(user.actor, Action.RELEASE, State.APPROVED):
                return f"{reason}; ask an approver to sign in (Ctrl+O)."
            return f"{reason}."
        if action in ("play", "sample"):
            return "This export has no recordings to play."
        if action in CORRECTION_ACTIONS:
            return self.why_not_correct(action)
        return None

    def _permission(self, action: str) -> Permission:
        """The access rule's answer for the sign-off or the release of this version."""
        d = self.detail
        user = self.reviewer_app.user
        actor = user.actor if user is not None else None
        if d is None:
            return Permission(False, "the request is still loading")
        if action == "sign_off":
            # The dialog opens wherever this person takes part in signing the version (a
            # rejection at least); it says what the approval still needs, four eyes included.
            return permission(actor, Action.REJECT, d.state)
        return permission(actor, Action.RELEASE, d.state)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        d = self.detail
        if action == "sign_off":
            return bool(self._permission("sign_off"))
        if action == "release":
            return bool(self._permission("release"))
        if action in ("play", "sample"):
            return d is not None and bool(d.index.recordings)
        if action in CORRECTION_ACTIONS:
            return self.may_correct(action)
        return True
