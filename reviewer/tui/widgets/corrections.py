"""The Corrections tab: the reviewers' marks, the corrections proposed on this version (who,
why), what the findings suggest, and, on a corrected version, what was corrected and the
proof. Enter on a suggestion proposes it; `u` takes back a mark or a proposed correction.
The list posts messages; the review screen talks to the service."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reviewer.domain.corrections import Correction
from reviewer.domain.text import printable
from reviewer.store.views import RequestDetail


class CorrectionsList(OptionList):
    BINDINGS = [
        Binding(
            "u",
            "undo",
            "Undo",
            id="corrections.undo",
            tooltip="Take back the highlighted mark or proposed correction",
        ),
    ]

    @dataclass
    class Propose(Message):
        corrections: tuple[Correction, ...]

    @dataclass
    class Undo(Message):
        kind: str  # "mark" or "correction"
        id: int

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._suggested: list[Correction] = []

    def show(self, detail: RequestDetail, suggested: list[Correction]) -> None:
        self._suggested = list(suggested)
        self.clear_options()
        options: list[Option] = []
        if detail.correction:
            head = Text(f"Corrected from version {detail.corrected_from}:", style="bold")
            options.append(Option(head, disabled=True))
            for c in detail.correction.get("corrections", []):
                what = Correction.from_dict(c)
                options.append(
                    Option(
                        Text(
                            f"  {printable(what.words)}  ({what.reason.words}; {printable(str(c.get('by')))})"
                        ),
                        disabled=True,
                    )
                )
            for check in (detail.correction.get("proof") or {}).get("checks", []):
                style = "green" if check["ok"] else "bold red"
                word = "proven" if check["ok"] else "FAILED"
                options.append(
                    Option(Text(f"  {word}: {check['what']}", style=style), disabled=True)
                )
        options.append(Option(Text(f"Marks ({len(detail.marks)})", style="bold"), disabled=True))
        for m in detail.marks:
            note = f": {printable(m.note)}" if m.note else ""
            options.append(
                Option(
                    Text(
                        f"  {m.kind.words}  {m.target_kind.value} {printable(m.target)}"
                        f"  by {m.reviewer}{note}",
                        style="red" if m.kind.value == "foreign" else "",
                    ),
                    id=f"mark:{m.id}",
                )
            )
        options.append(
            Option(
                Text(f"Proposed corrections ({len(detail.corrections)})", style="bold"),
                disabled=True,
            )
        )
        for c in detail.corrections:
            note = f": {printable(c.correction.note)}" if c.correction.note else ""
            options.append(
                Option(
                    Text(
                        f"  {printable(c.correction.words)}  ({c.correction.reason.words}; "
                        f"{c.reviewer}){note}"
                    ),
                    id=f"correction:{c.id}",
                )
            )
        if self._suggested:
            options.append(
                Option(
                    Text(
                        f"Suggested by the findings ({len(self._suggested)}): Enter proposes one, "
                        "f proposes all",
                        style="bold",
                    ),
                    disabled=True,
                )
            )
            for i, c in enumerate(self._suggested):
                options.append(
                    Option(Text(f"  {printable(c.words)}", style="dim"), id=f"suggest:{i}")
                )
        self.add_options(options)
        self.border_title = "Corrections"

    @property
    def suggested(self) -> tuple[Correction, ...]:
        return tuple(self._suggested)

    def _highlighted_id(self) -> str | None:
        if self.highlighted is None:
            return None
        return self.get_option_at_index(self.highlighted).id

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id or ""
        if oid.startswith("suggest:"):
            self.post_message(self.Propose((self._suggested[int(oid.split(":")[1])],)))

    def action_undo(self) -> None:
        oid = self._highlighted_id() or ""
        kind, _, ident = oid.partition(":")
        if kind in ("mark", "correction"):
            self.post_message(self.Undo(kind, int(ident)))
        else:
            self.notify(
                "Highlight a mark or a proposed correction to take it back.",
                severity="warning",
                timeout=4,
            )
