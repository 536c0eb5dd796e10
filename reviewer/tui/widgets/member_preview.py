"""A preview of one archive member: text as text, CSV as a table, JSON pretty-printed.

The screen reads the bytes in a worker (`reviewer.archive.read_member`) and hands them
to `show_bytes`; this widget only renders. Nothing is ever written to disk.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json

from rich import box
from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from reviewer.domain.model import Member, MemberKind
from reviewer.domain.text import printable
from reviewer.tui.widgets.members import human_size

MAX_PREVIEW_ROWS = 500
MAX_PREVIEW_CHARS = 200_000


def _decode(data: bytes) -> str:
    text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    return printable(text[:MAX_PREVIEW_CHARS], lines=True)  # content is input: escaped


def _csv_table(text: str) -> RenderableType:
    reader = csv.reader(io.StringIO(text))
    table = Table(show_lines=False, header_style="bold", expand=False, box=box.SIMPLE_HEAD)
    rows = 0
    for i, row in enumerate(reader):
        if i == 0:
            for col in row:
                table.add_column(Text(col), no_wrap=True, min_width=len(col))
            continue
        if rows >= MAX_PREVIEW_ROWS:
            break
        cells = row + [""] * (len(table.columns) - len(row))
        table.add_row(*(Text(c) for c in cells[: len(table.columns)]))  # Text: no markup
        rows += 1
    if not table.columns:
        return Text("(empty CSV)", style="dim")
    return table


def render_member(member: Member, data: bytes, truncated: bool = False) -> RenderableType:
    head = Text()
    head.append(printable(member.path), style="bold")
    head.append(
        f"  {member.type_label or member.kind.value}, {human_size(member.read_bytes or member.declared_size)}",
        style="dim",
    )
    if truncated:
        head.append("  (preview shows the first part only)", style="yellow")
    body: RenderableType
    kind = member.kind
    if kind is MemberKind.CSV:
        body = _csv_table(_decode(data))
    elif kind is MemberKind.JSON:
        text = _decode(data)
        with contextlib.suppress(ValueError, RecursionError):
            text = printable(json.dumps(json.loads(text), indent=2, ensure_ascii=False), lines=True)
        body = Syntax(text, "json", word_wrap=True, theme="ansi_dark")
    elif kind in (MemberKind.TEXT,):
        body = Text(_decode(data))
    elif kind is MemberKind.AUDIO:
        body = Text(
            "Audio: select it in the Recordings tab and press space to play it.", style="cyan"
        )
    elif b"\x00" in data[:4096]:
        body = Text(f"Binary content ({len(data):,} bytes read); no text preview.", style="dim")
    else:
        body = Text(_decode(data))
    return Group(head, Text(""), body)


class MemberPreview(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    MemberPreview { height: 1fr; }
    MemberPreview { overflow-x: auto; }
    MemberPreview > Static { width: auto; min-width: 100%; }
    MemberPreview > Static.-message { width: 100%; }
    """

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text("Select a member to preview it.", style="dim"), id="preview-body")

    def show_message(self, text: str, style: str = "dim") -> None:
        """A note instead of content: wrapped to the pane, so all of it can be read."""
        body = self.query_one("#preview-body", Static)
        body.add_class("-message")
        body.update(Text(printable(text, lines=True), style=style))  # may quote a member name

    def show_text(self, member: Member, text: str, note: str = "") -> None:
        head = Text(printable(member.path), style="bold")
        if note:
            head.append(f"  {note}", style="dim")
        body = self.query_one("#preview-body", Static)
        body.remove_class("-message")
        body.update(Group(head, Text(""), Text(printable(text, lines=True))))
        self.scroll_home(animate=False)

    def show_bytes(self, member: Member, data: bytes, truncated: bool = False) -> None:
        body = self.query_one("#preview-body", Static)
        body.remove_class("-message")
        body.update(render_member(member, data, truncated))
        self.scroll_home(animate=False)
