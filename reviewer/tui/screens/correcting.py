"""The review screen's marks and corrections: keys that act on the item under the cursor
(the recording, the catalogue entry, the member), the Corrections tab's messages, and
applying the corrections. Every change goes through the service in a worker; the screen
reloads the request afterwards.

    m  mark the item: not the requester's, third party, or doubtful
    w  withhold the item (a recording or entry takes its row and catalogue entry with it)
    x  redact a text everywhere (the catalogue's search text is offered)
    [  ]  mark the start and the end of a span of the recording playing
    z  silence the marked span (or all of the recording)
    f  propose what the findings suggest
    A  apply the proposed corrections: build, prove and check the corrected version
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.binding import Binding

from reviewer.domain.corrections import Correction, CorrectionKind, MarkTarget, Reason
from reviewer.domain.text import printable
from reviewer.tui.dialogs.correction import CorrectionDialog, CorrectionInput
from reviewer.tui.widgets.corrections import CorrectionsList
from reviewer.tui.widgets.work_progress import WorkProgress

if TYPE_CHECKING:
    from reviewer.archive.progress import Progress
    from reviewer.store.views import CorrectedVersion, RequestDetail
    from reviewer.tui.screens.review import ReviewScreen

# Not in the footer, which keeps room for search and help at 80 columns: the help screen, the
# palette and the Corrections tab name them.
BINDINGS = [
    Binding(
        "m",
        "mark",
        "Mark",
        id="review.mark",
        show=False,
        tooltip="Mark the item: not the requester's, third party, or doubtful",
    ),
    Binding(
        "w",
        "withhold",
        "Withhold",
        id="review.withhold",
        show=False,
        tooltip="Propose to withhold the item",
    ),
    Binding(
        "x",
        "redact",
        "Redact",
        id="review.redact",
        show=False,
        tooltip="Propose to redact a text everywhere",
    ),
    Binding("left_square_bracket", "span(0)", "Span start", id="review.span_start", show=False),
    Binding("right_square_bracket", "span(1)", "Span end", id="review.span_end", show=False),
    Binding(
        "z",
        "silence",
        "Silence",
        id="review.silence",
        show=False,
        tooltip="Propose to silence the marked span, or all of the recording",
    ),
    Binding("f", "suggested", "Suggested fixes", id="review.suggested", show=False),
    Binding("A", "apply", "Apply corrections", id="review.apply", show=False),
    Binding("6", "tab('corrections')", "Corrections", show=False, id="review.tab_corrections"),
]
CORRECTION_ACTIONS = {"mark", "withhold", "redact", "span", "silence", "suggested", "apply"}


class CorrectingMixin:
    """Marks and corrections for `ReviewScreen` (which provides `detail`, `query_one`, the
    tabs and `_load`)."""

    detail: RequestDetail | None
    _span: dict[str, list[float | None]]

    @property
    def _host(self) -> ReviewScreen:
        """The review screen this is mixed into (typed, for what it provides)."""
        return cast("ReviewScreen", self)

    # ------------------------------------------------------------------ what is under the cursor

    def _item(self) -> tuple[MarkTarget, str, str] | None:
        """(kind, target, words) of the item under the cursor in the active tab."""
        from textual.widgets import TabbedContent

        from reviewer.tui.widgets.catalogue import TranscriptCatalogue
        from reviewer.tui.widgets.members import MembersList
        from reviewer.tui.widgets.recordings import RecordingsList

        tab = self._host.query_one("#review-tabs", TabbedContent).active
        if tab == "recordings":
            row = self._host.query_one("#recordings-list", RecordingsList).current
            if row is not None:
                return MarkTarget.RECORDING, row.member, f"the recording {row.member}"
        elif tab == "catalogue":
            entry = self._host.query_one("#catalogue-pane", TranscriptCatalogue).current_entry()
            if entry is not None:
                return (
                    MarkTarget.ENTRY,
                    entry.utterance_id,
                    f"the catalogue entry {entry.utterance_id}: {entry.text[:80]}",
                )
        elif tab == "members":
            member = self._host.query_one("#members-list", MembersList).current
            if member is not None:
                return MarkTarget.MEMBER, member.path, f"the member {member.path}"
        return None

    def _no_item(self) -> None:
        self._host.notify(
            "Move to a recording (2), a catalogue entry (3) or a member (5) first.",
            severity="warning",
            timeout=4,
        )

    # ------------------------------------------------------------------ marks

    def action_mark(self) -> None:
        item = self._item()
        if item is None:
            return self._no_item()
        kind, target, words = item
        self._host.app.push_screen(
            CorrectionDialog("Mark", printable(words), mark=True),
            lambda got: self._submit("mark", got, kind=kind, target=target),
        )

    # ------------------------------------------------------------------ corrections

    def action_withhold(self) -> None:
        item = self._item()
        if item is None:
            return self._no_item()
        kind, target, words = item
        if kind is MarkTarget.MEMBER:
            correction_kind, correction_target = CorrectionKind.WITHHOLD_MEMBER, target
        elif kind is MarkTarget.ENTRY:
            correction_kind, correction_target = CorrectionKind.WITHHOLD_UTTERANCE, target
        else:
            assert self.detail is not None
            rec = next((r for r in self.detail.index.recordings if r.audio_member == target), None)
            correction_kind, correction_target = (
                (CorrectionKind.WITHHOLD_UTTERANCE, rec.utterance_id)
                if rec is not None
                else (CorrectionKind.WITHHOLD_MEMBER, target)
            )
        self._host.app.push_screen(
            CorrectionDialog("Withhold", f"Withhold {printable(words)}", mark=False),
            lambda got: self._submit(
                "correct", got, kind=correction_kind, target=correction_target
            ),
        )

    def action_redact(self) -> None:
        from reviewer.tui.widgets.catalogue import TranscriptCatalogue

        offered = self._host.query_one("#catalogue-pane", TranscriptCatalogue).view.query_text
        self._host.app.push_screen(
            CorrectionDialog(
                "Redact",
                "Replace a text by [redacted] everywhere it occurs (case and accents ignored).",
                mark=False,
                text=offered or "",
                default=Reason.THIRD_PARTY.value,
            ),
            lambda got: self._submit("correct", got, kind=CorrectionKind.REDACT_TEXT, target=""),
        )

    def action_span(self, end: int) -> None:
        from reviewer.tui.widgets.player import PlayerPane

        pane = self._host.query_one("#player", PlayerPane)
        if pane.item is None or pane.player is None:
            self._host.notify(
                "Play a recording to mark a span of it.", severity="warning", timeout=4
            )
            return
        span = self._span.setdefault(pane.item.member, [None, None])
        span[end] = round(float(pane.player.position_s), 2)
        word = "end" if end else "start"
        self._host.notify(
            f"Span {word} at {span[end]:.2f} s of {printable(pane.item.member)}; z silences it.",
            timeout=4,
        )

    def action_silence(self) -> None:
        from reviewer.tui.widgets.player import PlayerPane

        pane = self._host.query_one("#player", PlayerPane)
        item = pane.item
        if item is None:
            self._host.notify("Select a recording to silence.", severity="warning", timeout=4)
            return
        start, end = self._span.get(item.member, [None, None])
        if start is not None and end is not None and end < start:
            start, end = end, start
        whole = start is None or end is None or end <= start
        words = (
            f"Silence all of {item.member}"
            if whole
            else f"Silence {item.member} from {start:.2f} s to {end:.2f} s"
        )
        self._host.app.push_screen(
            CorrectionDialog(
                "Silence", printable(words), mark=False, default=Reason.THIRD_PARTY.value
            ),
            lambda got: self._submit(
                "correct",
                got,
                kind=CorrectionKind.SILENCE,
                target=item.member,
                start=None if whole else start,
                end=None if whole else end,
            ),
        )

    def action_suggested(self) -> None:
        suggested = self._host.query_one("#corrections-list", CorrectionsList).suggested
        if not suggested:
            self._host.notify("The findings suggest nothing more.", timeout=4)
            return
        self._propose(suggested)

    # Handlers by name: this mixin is not a message pump, so `@on` would not register here.
    def on_corrections_list_propose(self, message: CorrectionsList.Propose) -> None:
        self._propose(message.corrections)

    def on_corrections_list_undo(self, message: CorrectionsList.Undo) -> None:
        self._undo(message.kind, message.id)

    def _submit(
        self,
        what: str,
        got: CorrectionInput | None,
        *,
        kind: Any,
        target: str,
        start: float | None = None,
        end: float | None = None,
    ) -> None:
        if got is None or self.detail is None:
            return
        if what == "mark":
            self._mark(kind, target, got.choice, got.note)
            return
        text = got.text if kind is CorrectionKind.REDACT_TEXT else target
        self._propose((Correction(kind, text, Reason(got.choice), got.note, start, end),))

    # ------------------------------------------------------------------ workers

    @work(thread=True, exit_on_error=False, group="corrections")
    def _mark(self, kind: MarkTarget, target: str, mark: str, note: str) -> None:
        user, detail = self._host.reviewer_app.user, self.detail
        if user is None or detail is None:
            return
        self._host.reviewer_app.service.mark(user, detail.version_id, kind, target, mark, note)
        self._host.app.call_from_thread(self._changed, "Marked.")

    @work(thread=True, exit_on_error=False, group="corrections")
    def _propose(self, corrections: tuple[Correction, ...]) -> None:
        user, detail = self._host.reviewer_app.user, self.detail
        if user is None or detail is None:
            return
        for c in corrections:
            self._host.reviewer_app.service.propose_correction(user, detail.version_id, c)
        n = len(corrections)
        self._host.app.call_from_thread(
            self._changed,
            f"{n} correction{'s' if n != 1 else ''} proposed: A applies them (Corrections tab: 6).",
        )

    @work(thread=True, exit_on_error=False, group="corrections")
    def _undo(self, kind: str, ident: int) -> None:
        user = self._host.reviewer_app.user
        if user is None:
            return
        if kind == "mark":
            self._host.reviewer_app.service.withdraw_mark(user, ident)
        else:
            self._host.reviewer_app.service.withdraw_correction(user, ident)
        self._host.app.call_from_thread(self._changed, "Taken back.")

    def action_apply(self) -> None:
        from reviewer.tui.dialogs.confirm import ConfirmDialog

        if self.detail is None or not self.detail.corrections:
            self._host.notify(
                "No corrections are proposed on this version.",
                severity="warning",
                timeout=4,
            )
            return
        n = len(self.detail.corrections)
        self._host.app.push_screen(
            ConfirmDialog(
                "Apply the corrections?",
                f"{n} correction{'s' if n != 1 else ''} will be applied to a copy of the "
                "archive, which is then read back, proven and checked again. It becomes this "
                "request's new version: earlier sign-offs are void and both are needed on it.",
                yes_label="Apply",
            ),
            self._apply_confirmed,
        )

    def _apply_confirmed(self, yes: bool | None) -> None:
        if yes:
            self._apply(self._host.query_one("#work-progress", WorkProgress))

    @work(thread=True, exclusive=True, exit_on_error=False, group="apply-corrections")
    def _apply(self, work: WorkProgress) -> None:
        user, detail = self._host.reviewer_app.user, self.detail
        if user is None or detail is None:
            return

        # the steps and the re-reading's figures go to the progress line as messages: the
        # worker (and the reader's threads) never wait for the screen
        def progress(step: str) -> None:
            work.post_message(WorkProgress.Step(step))

        def reading(p: Progress) -> None:
            work.post_message(WorkProgress.Reading(p))

        try:
            result = self._host.reviewer_app.service.apply_corrections(
                user, detail.version_id, progress=progress, reading=reading
            )
        finally:
            work.post_message(WorkProgress.Step(None))
        self._host.app.call_from_thread(self._applied, result)

    def _applied(self, result: CorrectedVersion) -> None:
        if result.proof_ok:
            self._host.notify(
                f"Version {result.version_number} built and proven: {result.report.verdict.value}. "
                "It needs both sign-offs.",
                title="Corrected",
                timeout=8,
            )
        else:
            self._host.notify(
                f"Version {result.version_number} is NOT proven and is blocked: see the "
                "Corrections tab.",
                title="Not proven",
                severity="error",
                timeout=10,
            )
        self._span.clear()
        self._host._load(first=False)

    def _changed(self, message: str) -> None:
        self._host.notify(message, timeout=4)
        self._host._load(first=False)
