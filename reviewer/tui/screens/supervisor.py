"""The supervisor's view: every sign-off, how each reviewer works, and the audit chain.

History: every sign-off across requests, newest first, filtered by reviewer, decision and a
date range (`f` moves to the filters; Escape clears them). Figures per reviewer: reviews given,
median review time (first look at the export to sign-off), recordings played per review,
approvals given with nothing played, and the approver they most often pair with. The audit
chain's status is verified on opening and again with `v`; `c` copies its head hash. `e`
exports the filtered history as CSV. `t` opens the deadline view (`screens.deadlines`); `w` opens the request
under the cursor on the review screen, read-only; `a` browses the audit events
(`screens.audit_events`); `x` purges the personal content of requests past the retention
period, after a dry run shown for confirmation. Enter (or `d`) on a sign-off shows everything it recorded:
checklist answers, acknowledged warnings, the sampling statement. Every store call runs on a
worker thread.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Header, Select, Static

from reviewer.domain.text import printable
from reviewer.tui.base import ReviewerScreen
from reviewer.tui.dialogs.export_csv import ExportCsvDialog
from reviewer.tui.dialogs.policy import PolicyChange, PolicyDialog
from reviewer.tui.dialogs.signoff_detail import SignOffDetailDialog
from reviewer.tui.widgets.audit_line import AuditLine
from reviewer.tui.widgets.footer import KeysFooter
from reviewer.tui.widgets.history_filters import HistoryFilter, HistoryFilters
from reviewer.tui.widgets.reviewer_figures import ReviewerFiguresTable
from reviewer.tui.widgets.signoff_history import SignOffHistory

if TYPE_CHECKING:
    from reviewer.domain.model import Finding
    from reviewer.store.service.purge import PurgeRun
    from reviewer.store.views import AuditStatus, Policy, ReviewerFigures, SignedIn, SignOffRow


class SupervisorScreen(ReviewerScreen):
    HELP_TITLE = "Supervisor"
    HELP_TEXT = (
        "Every sign-off in the store, newest first. Filter by reviewer, decision and dates "
        "(YYYY-MM-DD, both ends included). Figures per reviewer: reviews given, median review "
        "time (first look to sign-off), recordings played per review, approvals given with "
        "nothing played (red: the sample was not listened to), and the approver each one most "
        "often pairs with (yellow: the same pair again and again). The audit line says whether "
        "the hash chain and its signed checkpoints verify."
    )
    CSS_PATH = "supervisor.tcss"

    BINDINGS = [
        Binding(
            "d",
            "show_signoff",
            "Details",
            id="supervisor.details",
            tooltip="Everything the sign-off under the cursor recorded (Enter does the same)",
        ),
        Binding(
            "f",
            "filters",
            "Filter",
            id="supervisor.filter",
            tooltip="Filter the history by reviewer, decision and date",
        ),
        Binding("escape", "clear_filters", "Clear filters", id="supervisor.clear_filters"),
        Binding(
            "e",
            "export",
            "Export CSV",
            id="supervisor.export",
            tooltip="Write the filtered history to a CSV file",
        ),
        Binding(
            "o",
            "record",
            "Record",
            id="supervisor.record",
            show=False,
            tooltip="Write the disclosure record of the request under the cursor (HTML and JSON)",
        ),
        Binding(
            "v",
            "verify",
            "Verify audit",
            id="supervisor.verify",
            tooltip="Verify the audit chain and its signed checkpoints again",
        ),
        Binding(
            "c",
            "copy_head",
            "Copy head",
            id="supervisor.copy_head",
            show=False,
            tooltip="Copy the audit chain's head hash to the clipboard",
        ),
        Binding(
            "w",
            "open_review",
            "Review",
            id="supervisor.review",
            tooltip="Open the request under the cursor as its signers saw it (read-only)",
        ),
        Binding(
            "a",
            "audit_events",
            "Audit events",
            id="supervisor.audit_events",
            tooltip="Browse the audit events, filtered by request, person, kind and dates",
        ),
        Binding(
            "t",
            "deadlines",
            "Deadlines",
            id="supervisor.deadlines",
            tooltip="Every request by its statutory clock: overdue, paused, extended, notices",
        ),
        Binding(
            "x",
            "purge",
            "Purge",
            id="supervisor.purge",
            show=False,
            tooltip="Remove the personal content of requests decided longer ago than the "
            "retention period (asks first; audited)",
        ),
        Binding(
            "p",
            "policy",
            "Policy",
            id="supervisor.policy",
            tooltip="See or change the sampling and unlock policy (audited)",
        ),
        Binding(
            "r",
            "refresh",
            "Refresh",
            id="supervisor.refresh",
            tooltip="Reload history and figures from the store",
        ),
        Binding("q", "app.quit", "Quit", id="supervisor.quit"),
    ]

    @dataclass
    class HistoryLoaded(Message):
        rows: list[SignOffRow]
        filters: HistoryFilter

    @dataclass
    class FiguresLoaded(Message):
        figures: list[ReviewerFigures]

    @dataclass
    class AuditLoaded(Message):
        status: AuditStatus

    @dataclass
    class PolicyLoaded(Message):
        policy: Policy

    @dataclass
    class PolicySaved(Message):
        policy: Policy | None
        error: str = ""

    @dataclass
    class Exported(Message):
        path: Path
        rows: int
        error: str = ""  # why nothing was written

    @dataclass
    class SignOffLoaded(Message):
        row: SignOffRow
        findings: dict[str, Finding]

    def __init__(self) -> None:
        super().__init__()
        self.history: list[SignOffRow] = []
        self.figures: list[ReviewerFigures] = []
        self.audit: AuditStatus | None = None
        self.filters = HistoryFilter()

    def compose(self) -> ComposeResult:
        yield Header()
        yield HistoryFilters(id="supervisor-filters")
        with Vertical(id="supervisor-body"):
            yield SignOffHistory(id="history-table")
            yield ReviewerFiguresTable(id="figures-table")
        yield AuditLine(id="audit-status")
        yield Static("", id="supervisor-status", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(SignOffHistory).focus()
        self.action_refresh()

    # ------------------------------------------------------------------ workers

    @work(thread=True, exclusive=True, exit_on_error=False, group="load-the-history")
    def _load_history(self, filters: HistoryFilter) -> None:
        rows = self.reviewer_app.service.history(**filters.as_kwargs())
        self.post_message(self.HistoryLoaded(rows, filters))

    @work(thread=True, exclusive=True, exit_on_error=False, group="load-reviewer-figures")
    def _load_figures(self) -> None:
        self.post_message(self.FiguresLoaded(self.reviewer_app.service.reviewer_figures()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="verify-the-audit-chain")
    def _load_audit(self) -> None:
        self.post_message(self.AuditLoaded(self.reviewer_app.service.audit_status()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="load-the-policy")
    def _load_policy(self) -> None:
        self.post_message(self.PolicyLoaded(self.reviewer_app.service.policy()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="save-the-policy")
    def _save_policy(self, supervisor: SignedIn, change: PolicyChange) -> None:
        from reviewer.store.errors import PermissionDenied, UserError

        try:
            policy = self.reviewer_app.service.set_policy(
                supervisor,
                sample_confidence=change.sample_confidence,
                sample_min_foreign_fraction=change.sample_min_foreign_fraction,
                unlock_lapse_days=change.unlock_lapse_days,
                new_account_days=change.new_account_days,
                retention_days=change.retention_days,
            )
        except (UserError, PermissionDenied) as exc:
            self.post_message(self.PolicySaved(None, str(exc)))
            return
        self.post_message(self.PolicySaved(policy))

    @work(thread=True, exclusive=True, exit_on_error=False, group="load-a-sign-off")
    def _load_signoff(self, row: SignOffRow) -> None:
        from reviewer.store.errors import StoreError

        findings: dict[str, Finding] = {}
        # Should the report not load, the warnings are named by their codes alone.
        with contextlib.suppress(StoreError):
            if row.acknowledged:
                findings = self.reviewer_app.service.acknowledged_findings(row.version_id)
        self.post_message(self.SignOffLoaded(row, findings))

    @work(thread=True, exclusive=True, exit_on_error=False, group="export-the-history")
    def _export(self, path: Path, filters: HistoryFilter) -> None:
        from reviewer.store.errors import PermissionDenied
        from reviewer.store.files import TargetRefused

        user = self.reviewer_app.user
        if user is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            rows = self.reviewer_app.service.history_csv(user, path, **filters.as_kwargs())
        except (TargetRefused, PermissionDenied) as exc:  # refused, nothing written
            self.post_message(self.Exported(path, 0, str(exc)))
            return
        except OSError as exc:  # the folder cannot be made
            self.post_message(self.Exported(path, 0, f"cannot write {path}: {exc.strerror or exc}"))
            return
        self.post_message(self.Exported(path, rows))

    # ------------------------------------------------------------------ results

    @on(HistoryLoaded)
    def _history_loaded(self, message: HistoryLoaded) -> None:
        if message.filters != self.filters:
            return  # the filters moved on while this was loading
        self.history = message.rows
        self.query_one(SignOffHistory).show(message.rows, message.filters.describe())
        self.refresh_bindings()  # "d Details" applies only once there is a row to show

    @on(FiguresLoaded)
    def _figures_loaded(self, message: FiguresLoaded) -> None:
        self.figures = message.figures
        self.query_one(ReviewerFiguresTable).show(message.figures)
        self.query_one(HistoryFilters).set_people([f.name for f in message.figures])

    @on(AuditLoaded)
    def _audit_loaded(self, message: AuditLoaded) -> None:
        self.audit = message.status
        self.query_one(AuditLine).show(message.status)
        self.refresh_bindings()  # copying the head applies only once there is one

    @on(PolicyLoaded)
    def _policy_loaded(self, message: PolicyLoaded) -> None:
        def chosen(change: PolicyChange | None) -> None:
            if change is None:
                return
            if change == PolicyChange():
                self._say("The policy is unchanged.")
                return
            user = self.reviewer_app.user
            if user is not None:
                self._save_policy(user, change)

        self.app.push_screen(PolicyDialog(message.policy), chosen)

    @on(PolicySaved)
    def _policy_saved(self, message: PolicySaved) -> None:
        if message.policy is None:
            self._say(f"Policy not changed: {message.error}", error=True)
            return
        p = message.policy
        self._say(
            f"Policy saved: {p.sample_confidence:.0%} confidence of catching a {p.sample_min_foreign_fraction:.0%}"
            f" foreign share; unlock lapses after {p.unlock_lapse_days} days; accounts are new for"
            f" {p.new_account_days} days; personal content is kept {p.retention_days} days after"
            " a decision. New exports use it."
        )
        self._load_audit()

    @on(SignOffLoaded)
    def _signoff_loaded(self, message: SignOffLoaded) -> None:
        if self.app.screen is self:  # not when another dialog opened meanwhile
            self.app.push_screen(SignOffDetailDialog(message.row, message.findings))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        if message.error:
            self._say(f"Not exported: {printable(message.error)}", error=True)
            return
        noun = "sign-off" if message.rows == 1 else "sign-offs"
        self._say(f"Wrote {message.rows} {noun} to {printable(str(message.path))}")

    def _say(self, text: str, error: bool = False) -> None:
        status = self.query_one("#supervisor-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    # ------------------------------------------------------------------ filters

    @on(HistoryFilters.Changed)
    def _filters_changed(self, message: HistoryFilters.Changed) -> None:
        self._say("")
        if message.filters != self.filters:
            self.filters = message.filters
            self._load_history(message.filters)

    @on(HistoryFilters.Invalid)
    def _filters_invalid(self, message: HistoryFilters.Invalid) -> None:
        self._say(message.why, error=True)

    # ------------------------------------------------------------------ actions

    def _current_row(self) -> SignOffRow | None:
        key = self.query_one(SignOffHistory).current_key()
        return next((r for r in self.history if str(r.id) == key), None) if key else None

    def action_show_signoff(self) -> None:
        row = self._current_row()
        if row is not None:
            self._load_signoff(row)

    @on(DataTable.RowSelected, "#history-table")
    def _history_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_show_signoff()

    def action_refresh(self) -> None:
        self._load_history(self.filters)
        self._load_figures()
        self._load_audit()

    def action_filters(self) -> None:
        self.query_one("#filter-reviewer", Select).focus()

    def action_clear_filters(self) -> None:
        filters = self.query_one(HistoryFilters)
        filters.clear()
        self.query_one(SignOffHistory).focus()
        filters.changed()

    def action_policy(self) -> None:
        self._load_policy()

    def action_open_review(self) -> None:
        """The request of the sign-off under the cursor, on the review screen: what its signers
        saw, with their marks and corrections. A supervisor may read and play; the access rule
        keeps every key that signs, marks or corrects from them."""
        from reviewer.tui.screens.review import ReviewScreen

        row = self._current_row()
        if row is not None:
            self.app.push_screen(ReviewScreen(row.request_id, from_queue=False))

    def action_purge(self) -> None:
        self._purge(dry_run=True)

    @work(thread=True, exclusive=True, exit_on_error=False, group="purge")
    def _purge(self, dry_run: bool) -> None:
        """A dry run first: what is due is shown in a confirm dialog; yes purges those."""
        from reviewer.store.errors import PermissionDenied

        user = self.reviewer_app.user
        if user is None:
            return
        try:
            run = self.reviewer_app.service.purge(user, dry_run=dry_run)
        except PermissionDenied as exc:
            self.app.call_from_thread(self._say, f"Not purged: {exc}", True)
            return
        self.app.call_from_thread(self._purged, run)

    def _purged(self, run: PurgeRun) -> None:
        from reviewer.tui.dialogs.confirm import ConfirmDialog

        if not run.dry_run:
            self._say(
                f"Purged the personal content of {len(run.purged)} request(s); every decision "
                "and the audit chain stay." + (f" But {run.log_kept}." if run.log_kept else ""),
                bool(run.log_kept),
            )
            self._load_audit()
            return
        if not run.due:
            self._say(
                f"Nothing to purge: no request was released or rejected more than "
                f"{run.retention_days} days ago (or it is purged already)."
            )
            return
        ids = ", ".join(r.request_id for r in run.due[:6]) + (" …" if len(run.due) > 6 else "")

        def chosen(yes: bool | None) -> None:
            if yes:
                self._purge(dry_run=False)

        self.app.push_screen(
            ConfirmDialog(
                "Purge personal content",
                f"{len(run.due)} request(s) were decided more than {run.retention_days} days "
                f"ago: {ids}. Their tickets, indexes, transcripts, notes and corrected archives "
                "go; hashes, verdicts, who signed what and when, and the audit chain stay. "
                "Purge them?",
                "Purge",
            ),
            chosen,
        )

    def action_audit_events(self) -> None:
        from reviewer.tui.screens.audit_events import AuditEventsScreen

        self.app.push_screen(AuditEventsScreen())

    def action_deadlines(self) -> None:
        from reviewer.tui.screens.deadlines import DeadlinesScreen

        self.app.push_screen(DeadlinesScreen())

    def action_verify(self) -> None:
        self.query_one(AuditLine).verifying()
        self._load_audit()

    def action_copy_head(self) -> None:
        if self.audit is not None and self.audit.head:
            self.app.copy_to_clipboard(self.audit.head)
            self.notify(f"Audit head copied: {self.audit.head[:16]}…", title="Audit chain")

    def action_export(self) -> None:
        from reviewer.tui.app import store_dir

        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        default = store_dir(self.reviewer_app.service) / "exports" / f"signoff-history-{stamp}.csv"
        filters = self.filters

        def chosen(path: Path | None) -> None:
            if path is not None:
                self._export(path, filters)

        self.app.push_screen(ExportCsvDialog(default, filters.describe()), chosen)

    def action_record(self) -> None:
        from reviewer.tui.app import store_dir

        row = self._current_row()
        if row is not None:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            folder = store_dir(self.reviewer_app.service) / "exports"
            self._write_record(
                row.request_id, folder / f"disclosure-record-{row.request_id}-{stamp}"
            )

    @work(thread=True, exit_on_error=False, group="disclosure-record")
    def _write_record(self, request_id: str, stem: Path) -> None:
        from reviewer.correct.record_files import write_record

        user = self.reviewer_app.user
        if user is None:
            return
        doc = self.reviewer_app.service.disclosure_record(user, request_id)
        stem.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        for suffix in (".html", ".json"):
            write_record(doc, stem.with_suffix(suffix))
        self.app.call_from_thread(
            self.notify,
            f"Disclosure record of {request_id} written to {stem}.html and .json",
            title="Disclosure record",
            timeout=8,
            markup=False,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("record", "open_review"):
            return bool(self.history)
        if action == "clear_filters":
            return self.filters != HistoryFilter() or bool(self._raw_filter_text())
        if action == "show_signoff":
            focused = self.focused
            return bool(self.history) and focused is not None and focused.id == "history-table"
        if action == "copy_head":
            return self.audit is not None and bool(self.audit.head)
        return True

    def _raw_filter_text(self) -> str:
        if not self.is_mounted:
            return ""
        return self.query_one(HistoryFilters).raw_text()
