"""Every member of the export in one scrolling list, fast at any size.

Only the visible lines are rendered (`CursorList`), so moving through a list of 100,000
members costs the same as through ten. Moving the cursor posts `MembersList.Highlighted`;
Enter posts `MembersList.Selected`. `mark()` highlights the members a finding names and can
narrow the list to them (`m`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.message import Message

from reviewer.domain.model import Member
from reviewer.domain.text import printable
from reviewer.tui.widgets.cursor_list import CursorList


def human_size(n: int | None) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


class MembersList(CursorList):
    DEFAULT_CSS = """
    MembersList > .members-list--marked { color: $error; }
    """
    COMPONENT_CLASSES = {"members-list--marked"}

    BINDINGS = [
        Binding("m", "toggle_marked_only", "Marked only", id="members.marked_only"),
    ]

    @dataclass
    class Highlighted(Message):
        member: Member

    @dataclass
    class Selected(Message):
        member: Member

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._all: list[Member] = []
        self._rows: list[Member] = []
        self._marked: set[str] = set()
        self._marked_only = False

    # ------------------------------------------------------------------ data

    def show(self, members: Sequence[Member]) -> None:
        self._all = list(members)
        self._marked = set()
        self._marked_only = False
        self._refilter()

    def mark(self, paths: Sequence[str], only: bool = False) -> None:
        """Highlight these members (a finding's); with `only`, list nothing else."""
        self._marked = set(paths)
        self._marked_only = only and bool(self._marked)
        self._refilter()
        for i, m in enumerate(self._rows):
            if m.path in self._marked:
                self.cursor = i
                break

    def _refilter(self) -> None:
        if self._marked_only:
            self._rows = [m for m in self._all if m.path in self._marked]
        else:
            self._rows = self._all
        self.border_title = f"Members {len(self._rows):,}" + (
            f" of {len(self._all):,} (marked only)" if self._marked_only else ""
        )
        self.rows_changed()
        if self._marked:
            self.refresh_bindings()

    @property
    def current(self) -> Member | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def select_path(self, path: str) -> bool:
        for i, m in enumerate(self._rows):
            if m.path == path:
                self.cursor = i
                return True
        return False

    # ------------------------------------------------------------------ CursorList

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def cursor_moved(self, index: int) -> None:
        self.post_message(self.Highlighted(self._rows[index]))

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def row_style(self, index: int) -> Style:
        if self._marked and self._rows[index].path in self._marked:
            return self.style_of("members-list--marked")
        return self.style_of("")

    def render_row(self, index: int, width: int, style: Style) -> list[Segment]:
        member = self._rows[index]
        size = human_size(
            member.read_bytes if member.read_bytes is not None else member.declared_size
        )
        right = f" {member.kind.value:<9}{size:>9}"
        mark = "* " if member.path in self._marked else "  "
        room = max(width - len(right), 4)
        path = printable(member.path)  # a member name is input: never raw to the terminal
        if len(mark) + len(path) > room:
            # Keep the end of the path: the file name tells members apart.
            path = "…" + path[-(room - len(mark) - 1) :]
        return [Segment(f"{mark + path:<{room}}{right}", style)]

    # ------------------------------------------------------------------ actions

    def action_toggle_marked_only(self) -> None:
        current = self.current
        self._marked_only = not self._marked_only and bool(self._marked)
        self._refilter()
        if current is not None:
            self.select_path(current.path)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_marked_only":
            return bool(self._marked)
        return True
