"""The verdict badge: BLOCK, REVIEW or PASS in the colour a reviewer reads at a glance."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from reviewer.domain.model import Severity, Verdict

VERDICT_STYLES: dict[str, str] = {
    Verdict.BLOCK.value: "bold white on dark_red",
    Verdict.REVIEW.value: "bold black on yellow",
    Verdict.PASS.value: "bold white on dark_green",
}

SEVERITY_STYLES: dict[str, str] = {
    Severity.CRITICAL.value: "bold red",
    Severity.WARNING.value: "yellow",
    Severity.INFO.value: "cyan",
}


def verdict_text(verdict: str | Verdict | None) -> Text:
    """The badge as rich text, for table cells and headers."""
    value = str(verdict.value if isinstance(verdict, Verdict) else verdict or "")
    if not value:
        return Text("  ?   ", style="dim")
    return Text(f" {value.upper():^6} ", style=VERDICT_STYLES.get(value, "bold"))


def severity_text(severity: str | Severity) -> Text:
    value = severity.value if isinstance(severity, Severity) else str(severity)
    return Text(value.upper(), style=SEVERITY_STYLES.get(value, ""))


class VerdictBadge(Static):
    """Shows one verdict; set `verdict` to change it."""

    DEFAULT_CSS = """
    VerdictBadge { width: auto; height: 1; }
    """

    verdict: reactive[str] = reactive("", layout=True)

    def __init__(self, verdict: str | Verdict | None = None, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        if verdict is not None:
            self.verdict = str(verdict.value if isinstance(verdict, Verdict) else verdict)

    def render(self) -> Text:
        return verdict_text(self.verdict)
