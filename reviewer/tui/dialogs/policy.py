"""The sampling, unlock and retention policy, seen and changed by a supervisor (audited)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from reviewer.tui.base import ReviewerDialog

if TYPE_CHECKING:
    from reviewer.store.views import Policy


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """New policy values (None: leave as it is)."""

    sample_confidence: float | None = None
    sample_min_foreign_fraction: float | None = None
    unlock_lapse_days: int | None = None
    new_account_days: int | None = None
    retention_days: int | None = None


class PolicyInputError(ValueError):
    """What is wrong with the typed policy: one line per field, keyed by PolicyChange field."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(self.problems.values()))


def parse_policy(
    confidence: str,
    fraction: str,
    days: str,
    current: Policy,
    new_days: str | None = None,
    kept_days: str | None = None,
) -> PolicyChange:
    """Percentages and days as typed, to a change. PolicyInputError names every field that is
    not a number, or is one the store would refuse (the store's own rule, `policy_problems`)."""
    from reviewer.domain.policy import policy_problems

    problems: dict[str, str] = {}

    def percent(text: str, name: str, field: str) -> float | None:
        try:
            return float(text.strip().rstrip("%").strip()) / 100
        except ValueError:
            problems[field] = f"{name}: a percentage, like 95"
            return None

    conf = percent(confidence, "confidence", "sample_confidence")
    frac = percent(fraction, "foreign share", "sample_min_foreign_fraction")

    def whole(text: str, name: str, field: str) -> int | None:
        try:
            return int(text.strip())
        except ValueError:
            problems[field] = f"{name}: a whole number of days"
            return None

    lapse = whole(days, "unlock lapse", "unlock_lapse_days")
    fresh = None if new_days is None else whole(new_days, "new-account flag", "new_account_days")
    kept = None if kept_days is None else whole(kept_days, "retention", "retention_days")
    change = PolicyChange(
        sample_confidence=(
            None if conf is None or abs(conf - current.sample_confidence) < 1e-9 else conf
        ),
        sample_min_foreign_fraction=(
            None if frac is None or abs(frac - current.sample_min_foreign_fraction) < 1e-9 else frac
        ),
        unlock_lapse_days=None if lapse is None or lapse == current.unlock_lapse_days else lapse,
        new_account_days=None if fresh is None or fresh == current.new_account_days else fresh,
        retention_days=None if kept is None or kept == current.retention_days else kept,
    )
    refused = policy_problems(
        sample_confidence=change.sample_confidence,
        sample_min_foreign_fraction=change.sample_min_foreign_fraction,
        unlock_lapse_days=change.unlock_lapse_days,
        new_account_days=change.new_account_days,
        retention_days=change.retention_days,
    )
    problems.update({k: v for k, v in refused.items() if k not in problems})
    if problems:
        raise PolicyInputError(problems)
    return change


# PolicyChange field -> the dialog's input for it (its error line is "<id>-error").
POLICY_INPUTS = {
    "sample_confidence": "policy-confidence",
    "sample_min_foreign_fraction": "policy-fraction",
    "unlock_lapse_days": "policy-days",
    "new_account_days": "policy-new-account",
    "retention_days": "policy-retention",
}


class PolicyDialog(ReviewerDialog[PolicyChange | None]):
    """The sampling and unlock policy, editable by a supervisor; every change is audited."""

    HELP_TITLE = "Policy"
    HELP_TEXT = (
        "The sample drawn for each export is sized so that, if at least the given share of its "
        "recordings were foreign, a reviewer would meet one with the given confidence. An "
        "approved export that is not released within the lapse must be signed again. A sign-off "
        "by an account created or re-enabled within the new-account period is flagged in the "
        "history. A request's personal content is kept for the retention period after it is "
        "released or rejected, then purged (`x` on the supervisor's screen, `reviewer purge`). "
        "Sampling changes apply to exports ingested afterwards; every change is recorded in the "
        "audit trail."
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="policy.cancel"),
        Binding("ctrl+s", "save", "Save", id="policy.save"),
    ]

    def __init__(self, policy: Policy) -> None:
        super().__init__(classes="dialog")
        self._policy = policy

    def compose(self) -> ComposeResult:
        p = self._policy
        with Vertical(classes="dialog-box", id="policy-box"):
            yield Label("Sampling, unlock and retention policy", classes="dialog-title")
            for label, value, input_id in (
                ("Confidence (%)", f"{p.sample_confidence * 100:g}", "policy-confidence"),
                (
                    "Foreign share to catch (%)",
                    f"{p.sample_min_foreign_fraction * 100:g}",
                    "policy-fraction",
                ),
                ("Unlock lapse (days)", str(p.unlock_lapse_days), "policy-days"),
                ("New-account flag (days)", str(p.new_account_days), "policy-new-account"),
                ("Keep after decision (days)", str(p.retention_days), "policy-retention"),
            ):
                with Horizontal(classes="policy-row"):
                    yield Label(label, classes="policy-label")
                    yield Input(value, id=input_id)
                yield Static("", id=f"{input_id}-error", classes="policy-error", markup=False)
            changed = (
                f"Last changed by {p.updated_by} on {p.updated_at:%Y-%m-%d %H:%M} UTC."
                if p.updated_by and p.updated_by != "defaults" and p.updated_at
                else "The defaults: never changed by a supervisor."
            )
            yield Static(changed, classes="dim", markup=False)
            yield Label("Ctrl+S or Enter saves.  Esc cancels.", classes="dim")

    def on_mount(self) -> None:
        self.query_one("#policy-confidence", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        input_id = event.input.id
        if input_id is not None and input_id in POLICY_INPUTS.values():
            self._show_error(input_id, "")

    def _show_error(self, input_id: str, problem: str) -> None:
        line = self.query_one(f"#{input_id}-error", Static)
        line.update(problem)
        line.set_class(bool(problem), "-shown")

    def action_save(self) -> None:
        try:
            change = parse_policy(
                self.query_one("#policy-confidence", Input).value,
                self.query_one("#policy-fraction", Input).value,
                self.query_one("#policy-days", Input).value,
                self._policy,
                self.query_one("#policy-new-account", Input).value,
                self.query_one("#policy-retention", Input).value,
            )
        except PolicyInputError as exc:
            for field, input_id in POLICY_INPUTS.items():
                self._show_error(input_id, exc.problems.get(field, ""))
            first = next(POLICY_INPUTS[f] for f in POLICY_INPUTS if f in exc.problems)
            self.query_one(f"#{first}", Input).focus()
            return
        self.dismiss(change)

    def action_cancel(self) -> None:
        self.dismiss(None)
