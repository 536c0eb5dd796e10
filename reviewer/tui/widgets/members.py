"""Every member of the export in one scrolling list, fast at any size.

Only the visible lines are rendered (line API), so moving through a list of 100,000 members
costs the same as through ten. Moving the cursor posts `MembersList.Highlighted`; Enter posts
`MembersList.Selected`. `mark()` highlights the members a finding names and can narrow the
list to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reviewer.domain.model import Member


def human_size(n: int | None) -> str:
    if n is None:
        return "?"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


class MembersList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    MembersList { height: 1fr; }
    MembersList > .members-list--cursor { background: $accent 40%; text-style: bold; }
    MembersList:focus > .members-list--cursor { background: $accent; color: $text; }
    MembersList > .members-list--marked { color: $error; }
    MembersList > .members-list--dim { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"members-list--cursor", "members-list--marked", "members-list--dim"}

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Preview", show=False),
        Binding("m", "toggle_marked_only", "Marked only", id="members.marked_only"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)
    marked_only: reactive[bool] = reactive(False, repaint=False)

    @dataclass
    class Highlighted(Message):
        member: Member

    @dataclass
    class Selected(Message):
        member: Member

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._all: list[Member] = []
        self._rows: list[Member] = []
        self._marked: set[str] = set()

    # ------------------------------------------------------------------ data

    def show(self, members: Sequence[Member]) -> None:
        self._all = list(members)
        self._marked = set()
        self.marked_only = False
        self._refilter()

    def mark(self, paths: Sequence[str], only: bool = False) -> None:
        """Highlight these members (a finding's); with `only`, list nothing else."""
        self._marked = set(paths)
        self.marked_only = only and bool(self._marked)
        self._refilter()
        for i, m in enumerate(self._rows):
            if m.path in self._marked:
                self.cursor = i
                break

    def _refilter(self) -> None:
        if self.marked_only:
            self._rows = [m for m in self._all if m.path in self._marked]
        else:
            self._rows = self._all
        self.virtual_size = Size(0, len(self._rows))
        self.border_title = f"Members {len(self._rows):,}" + (
            f" of {len(self._all):,} (marked only)" if self.marked_only else ""
        )
        self.cursor = min(self.cursor, max(len(self._rows) - 1, 0))
        self.refresh()

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

    # ------------------------------------------------------------------ cursor

    def watch_cursor(self, old: int, new: int) -> None:
        if not self._rows:
            return
        clamped = max(0, min(new, len(self._rows) - 1))
        if clamped != new:
            self.cursor = clamped
            return
        self._keep_visible(new)
        self.refresh_line(old)
        self.refresh_line(new)
        self.post_message(self.Highlighted(self._rows[new]))

    def _keep_visible(self, row: int) -> None:
        top = int(self.scroll_y)
        height = max(self.scrollable_content_region.height, 1)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.cursor = self.cursor + delta

    def action_page(self, direction: int) -> None:
        self.cursor = self.cursor + direction * max(self.scrollable_content_region.height - 1, 1)

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else len(self._rows) - 1

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))

    def action_toggle_marked_only(self) -> None:
        current = self.current
        self.marked_only = not self.marked_only and bool(self._marked)
        self._refilter()
        if current is not None:
            self.select_path(current.path)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_marked_only":
            return bool(self._marked)
        return True

    # ------------------------------------------------------------------ rendering

    def on_resize(self) -> None:
        self.virtual_size = Size(0, len(self._rows))

    def render_line(self, y: int) -> Strip:
        row = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if row >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        member = self._rows[row]
        size = human_size(member.read_bytes if member.read_bytes is not None else member.declared_size)
        right = f" {member.kind.value:<9}{size:>9}"
        mark = "* " if member.path in self._marked else "  "
        room = max(width - len(right), 4)
        path = member.path
        if len(mark) + len(path) > room:
            # Keep the end of the path: the file name tells members apart.
            path = "…" + path[-(room - len(mark) - 1) :]
        text = f"{mark + path:<{room}}{right}"[:width]
        if row == self.cursor:
            style = self.get_component_rich_style("members-list--cursor")
        elif member.path in self._marked:
            style = self.get_component_rich_style("members-list--marked")
        else:
            style = self.rich_style
        return Strip([Segment(text, style)], width).extend_cell_length(width, style)
