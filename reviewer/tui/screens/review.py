"""Review one request: the requester beside the export, the findings that point at what is
wrong, the recordings to hear, the catalogue, the timeline and every other member.

Everything shown comes from the store (`ReviewService.request_detail`): the archive is only
read again for what a person asks to hear or see (audio, member previews), in workers of the
panes that show them (`RecordingsPane`, `MembersPane`). Evidence of what the reviewer did
(opened, played and for how long, viewed a transcript or a member) is recorded here, through
the service, as it happens. What each key may do now is `review_keys`'s to say; marks and
corrections are `CorrectingMixin`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Header, TabbedContent, TabPane

from reviewer.domain.corrections import Correction, suggestions
from reviewer.domain.model import EXPORT_ITSELF, Member
from reviewer.domain.signoff import MIN_PLAY_SECONDS
from reviewer.domain.text import printable
from reviewer.tui.base import ReviewerScreen
from reviewer.tui.screens import review_keys
from reviewer.tui.screens.correcting import BINDINGS as CORRECTING_BINDINGS
from reviewer.tui.screens.correcting import CorrectingMixin
from reviewer.tui.terms import gather_terms
from reviewer.tui.widgets.catalogue import TranscriptCatalogue
from reviewer.tui.widgets.corrections import CorrectionsList
from reviewer.tui.widgets.findings import FindingsList
from reviewer.tui.widgets.footer import KeysFooter
from reviewer.tui.widgets.members import MembersList
from reviewer.tui.widgets.members_pane import SETTLE_S, MembersPane
from reviewer.tui.widgets.player import PlayerPane
from reviewer.tui.widgets.profile import ProfilePane
from reviewer.tui.widgets.recordings import RecordingRow, RecordingsList
from reviewer.tui.widgets.recordings_pane import RecordingsPane, played_members, recording_rows
from reviewer.tui.widgets.review_summary import ReviewSummary
from reviewer.tui.widgets.timeline import RecordingTimeline
from reviewer.tui.widgets.work_progress import WorkProgress

if TYPE_CHECKING:
    from reviewer.store.views import Gate, RequestDetail

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
            "escape",
            "back_elsewhere",
            "Back",
            id="review.back_elsewhere",
            tooltip="Back to the screen this review was opened from",
        ),
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
    class GateReady(Message):
        gate: Gate

    @dataclass
    class Released(Message):
        where: str

    def __init__(self, request_id: str, *, from_queue: bool = True) -> None:
        super().__init__()
        self.request_id = request_id
        self.from_queue = from_queue  # Esc says "Queue", or "Back" (supervision, deadlines)
        self.detail: RequestDetail | None = None
        self._members_by_path: dict[str, Member] = {}
        self._transcript_timer: Timer | None = None
        self._seen: set[tuple[str, str]] = set()
        self._catalogue_fed = False
        self._span: dict[str, list[float | None]] = {}  # member -> [start, end] to silence

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield ReviewSummary(self.request_id, id="review-summary")
        with TabbedContent(id="review-tabs", initial="overview"):
            with TabPane("Overview", id="overview"), Horizontal(classes="panes"):
                yield ProfilePane(id="profile")
                yield FindingsList(id="findings")
            with TabPane("Recordings", id="recordings"):
                yield RecordingsPane(id="recordings-pane", classes="panes")
            with TabPane("Catalogue", id="catalogue"):
                yield TranscriptCatalogue(id="catalogue-pane")
            with TabPane("Timeline", id="timeline"):
                yield RecordingTimeline(id="timeline-view")
            with TabPane("Members", id="members"):
                yield MembersPane(id="members-pane", classes="panes")
            with TabPane("Corrections", id="corrections"):
                yield CorrectionsList(id="corrections-list")
        yield WorkProgress(id="work-progress")
        yield KeysFooter()

    def on_mount(self) -> None:
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
        recordings = self.query_one(RecordingsPane)
        recordings.use(d)
        members = self.query_one(MembersPane)
        members.use(d)
        self._show_summary(d)
        if first:
            self.query_one("#profile", ProfilePane).show(d.request)
            self.query_one("#findings", FindingsList).show(d.report.findings)
            user = self.reviewer_app.user
            played = played_members(d, user.name) if user is not None else set()
            recordings.show(recording_rows(d), played, len(d.index.without_audio))
            members.show(d)
            self.query_one("#timeline-view", RecordingTimeline).load_detail(d)
        self.query_one("#corrections-list", CorrectionsList).show(d, self._suggested(d))
        if self.query_one("#review-tabs", TabbedContent).active == "catalogue":
            self._feed_catalogue()  # opened before the request had loaded
        self.refresh_bindings()

    @staticmethod
    def _suggested(d: RequestDetail) -> list[Correction]:
        """What the findings suggest and nobody proposed yet (nothing on a corrected version
        whose findings are its own)."""
        proposed = {(c.correction.kind, c.correction.target) for c in d.corrections}
        return [
            c for c in suggestions(d.report.findings, d.index) if (c.kind, c.target) not in proposed
        ]

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
        self.query_one(ReviewSummary).show(d)
        user = self.reviewer_app.user
        who = f"{user.name} · " if user is not None else ""
        self.sub_title = f"{who}{d.request.request_id}: {d.report.verdict.value}, {d.state.value}"

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

    @on(MembersPane.Viewed)
    def _member_viewed(self, message: MembersPane.Viewed) -> None:
        self._record_once("viewed_member", message.path)

    # ------------------------------------------------------------------ findings

    @on(FindingsList.Selected)
    def _finding_selected(self, message: FindingsList.Selected) -> None:
        finding = message.finding
        # a finding about the export archive as a whole has no member row to jump to
        paths = tuple(m for m in finding.members if m != EXPORT_ITSELF)
        if not paths:
            whole = "concerns the whole export archive, not one member"
            self.notify(
                f"This finding {whole if finding.members else 'names no members'}.", timeout=4
            )
            return
        recordings = self.query_one("#recordings-list", RecordingsList)
        members = self.query_one("#members-list", MembersList)
        members.mark(paths)
        for path in paths:
            if recordings.select_key(path):
                self.action_tab("recordings")
                recordings.focus()
                return
        self.action_tab("members")
        members.focus()

    # ------------------------------------------------------------------ recordings

    @on(RecordingsList.Highlighted)
    def _recording_highlighted(self, message: RecordingsList.Highlighted) -> None:
        # The pane shows its transcript and loads its audio; the catalogue follows it.
        rec = message.row.recording
        if rec is not None and self._catalogue_fed:
            self.query_one("#catalogue-pane", TranscriptCatalogue).select(rec.utterance_id)
        self._transcript_shown(message.row)

    def _transcript_shown(self, row: RecordingRow) -> None:
        """The transcript beside the player counts as read once it has been on screen for a
        moment, in the Recordings tab (never while another tab hides it)."""
        if self._transcript_timer is not None:
            self._transcript_timer.stop()
            self._transcript_timer = None
        if self.query_one("#review-tabs", TabbedContent).active != "recordings":
            return
        if self.query_one(RecordingsPane).has_transcript(row):
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
        pane = self.query_one(MembersPane)
        if self.query_one("#review-tabs", TabbedContent).active != "members":
            pane.cancel_preview()
            return
        pane.preview_soon(message.member)

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
            self.query_one(MembersPane).preview_current()

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

    def action_back_elsewhere(self) -> None:
        self.action_back()

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

    def on_key(self, event: events.Key) -> None:
        # A key whose action is not available now says why, instead of doing nothing.
        action = review_keys.KEY_ACTIONS.get(event.key)
        if action is None or self.check_action(action, ()):
            return
        reason = self.why_not(action)
        if reason:
            self.notify(reason, title="Not available", severity="warning", timeout=5)

    def why_not(self, action: str) -> str | None:
        """Why `action` is not available right now, in words that say what to do instead."""
        return review_keys.why_not(action, self.detail, self.reviewer_app.user)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("back", "back_elsewhere"):  # one Esc, named after where it goes
            return (action == "back") == self.from_queue
        return review_keys.allowed(action, self.detail, self.reviewer_app.user)
