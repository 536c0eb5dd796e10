"""A scrolling list with a cursor that renders only the lines on screen (line API).

Subclasses hold their rows, say how many there are (`row_count`) and draw one row
(`render_row`); this class moves the cursor, keeps it visible, and calls `cursor_moved`.
A fixed header line (`header_text`, given the width the rows are drawn at) stays at the top. Moving through 100,000 rows costs the
same as through ten.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class CursorList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    CursorList { height: 1fr; }
    CursorList > .cursor-list--cursor { background: $accent 30%; }
    CursorList:focus > .cursor-list--cursor { background: $accent; color: $text; text-style: bold; }
    CursorList > .cursor-list--header { color: $text-muted; text-style: bold; }
    """
    COMPONENT_CLASSES = {"cursor-list--cursor", "cursor-list--header"}

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._line_styles: dict[str, Style] = {}

    # ------------------------------------------------------------------ for subclasses

    @property
    def row_count(self) -> int:
        return 0

    def header_text(self, width: int) -> str | None:
        """The header line over rows drawn `width` cells wide (None: no header)."""
        return None

    def render_row(self, index: int, width: int, style: Style) -> list[Segment]:
        return []

    def row_style(self, index: int) -> Style:
        return self.style_of("")

    def cursor_moved(self, index: int) -> None:
        """The cursor is on row `index` (a valid row)."""

    def action_select(self) -> None:
        """Enter on the cursor's row."""

    # ------------------------------------------------------------------ geometry

    @property
    def _header_lines(self) -> int:
        return 1 if self.header_text(self.scrollable_content_region.width) is not None else 0

    @property
    def _body_height(self) -> int:
        return max(self.scrollable_content_region.height - self._header_lines, 1)

    def rows_changed(self) -> None:
        """Call after the rows change: resizes the scroll area and redraws."""
        self.virtual_size = Size(0, self.row_count + self._header_lines)
        if self.cursor >= self.row_count:
            self.cursor = max(self.row_count - 1, 0)
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(0, self.row_count + self._header_lines)

    # ------------------------------------------------------------------ cursor

    def watch_cursor(self, old: int, new: int) -> None:
        count = self.row_count
        if not count:
            return
        clamped = max(0, min(new, count - 1))
        if clamped != new:
            self.cursor = clamped
            return
        top = int(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
            self.refresh()
        elif new >= top + self._body_height:
            self.scroll_to(y=new - self._body_height + 1, animate=False, immediate=True)
            self.refresh()
        else:
            # Only the two rows that changed are drawn again.
            header = self._header_lines
            self.refresh_line(old + header)
            self.refresh_line(new + header)
        self.cursor_moved(new)

    def action_cursor(self, delta: int) -> None:
        self.cursor = self.cursor + delta

    def action_page(self, direction: int) -> None:
        self.cursor = self.cursor + direction * max(self._body_height - 1, 1)

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else self.row_count - 1

    # ------------------------------------------------------------------ drawing

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_styles.clear()

    def style_of(self, component: str) -> Style:
        """The widget's base style with a component class over it, cached until restyled."""
        style = self._line_styles.get(component)
        if style is None:
            base = self.rich_style
            style = base if not component else base + self.get_component_rich_style(component)
            self._line_styles[component] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        header = self.header_text(width)
        if header is not None:
            if y == 0:
                style = self.style_of("cursor-list--header")
                # Cropped and padded by cells: a strip must be exactly as wide as the list, or
                # the neighbouring pane shows through the gap (and a wide character overflows).
                return Strip([Segment(header, style)]).crop_extend(0, width, style)
            y -= 1
        row = int(self.scroll_y) + y
        if row >= self.row_count:
            return Strip.blank(width, self.style_of(""))
        style = self.style_of("cursor-list--cursor") if row == self.cursor else self.row_style(row)
        segments = self.render_row(row, width, style)
        return Strip(segments).crop_extend(0, width, style)
