"""The check's findings, most severe first, coloured by severity. Selecting one posts
`FindingsList.Selected` so the screen can jump to the members it names."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reviewer.domain.model import Finding
from reviewer.domain.text import printable
from reviewer.tui.widgets.verdict_badge import SEVERITY_STYLES

SEVERITY_MARK = {"critical": "!!", "warning": " !", "info": " i"}


def finding_prompt(finding: Finding) -> Text:
    sev = finding.severity.value
    text = Text()
    text.append(
        f"{SEVERITY_MARK.get(sev, '  ')} {sev.upper():<8} ", style=SEVERITY_STYLES.get(sev, "")
    )
    text.append(printable(finding.title), style="bold")
    text.append(f"  [{finding.code}]", style="dim")
    if finding.detail:
        text.append("\n   " + printable(finding.detail))
    if finding.members:
        shown = ", ".join(printable(m) for m in finding.members[:3])
        more = f" and {len(finding.members) - 3} more" if len(finding.members) > 3 else ""
        text.append(f"\n   members: {shown}{more}", style="dim")
    return text


class FindingsList(OptionList):
    """One option per finding; Enter (or a click) selects it."""

    @dataclass
    class Selected(Message):
        finding: Finding

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._findings: list[Finding] = []

    def show(self, findings: tuple[Finding, ...] | list[Finding]) -> None:
        self._findings = list(findings)
        self.clear_options()
        if not self._findings:
            self.add_option(
                Option(
                    Text(
                        "No findings: nothing in the export contradicts the ticket.", style="green"
                    ),
                    disabled=True,
                )
            )
        else:
            self.add_options(
                Option(finding_prompt(f), id=str(i)) for i, f in enumerate(self._findings)
            )
            self.highlighted = 0
        counts: dict[str, int] = {}
        for f in self._findings:
            counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
        self.border_title = "Findings " + " ".join(f"{k}:{v}" for k, v in counts.items())

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Selected(self._findings[int(event.option.id)]))
