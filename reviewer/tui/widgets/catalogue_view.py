"""Every transcript catalogue entry in one scrolling view, drawn line by line on demand.

Only the visible lines are ever drawn (line API), from a layout of the whole catalogue
(`catalogue_text.wrap_entries`) made at the width the view is drawn at, so thousands of entries
scroll at once. Highlights (whose a term is: `TermMatcher`) and search matches are styled as a
line is drawn; drawn lines are cached until something changes.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reviewer.domain.model import TranscriptEntry
from reviewer.tui.widgets.catalogue_text import (
    HEADER,
    INDENT,
    Line,
    Match,
    TermMatcher,
    body_of,
    find_matches,
    header_of,
    wrap_entries,
)

EMPTY_TEXT = "No transcript catalogue in this export."
PROVISIONAL_WIDTH = 10  # the layout's width while the view is not on screen (a hidden tab)


class CatalogueView(ScrollView, can_focus=True):
    """Every catalogue entry, drawn line by line on demand."""

    DEFAULT_CSS = """
    CatalogueView {
        height: 1fr;
        background: $surface;
        overflow-x: hidden;
    }
    CatalogueView > .catalogue--header { color: $text-muted; text-style: bold; }
    CatalogueView > .catalogue--requester { color: $success; text-style: bold; }
    CatalogueView > .catalogue--foreign { color: $error; text-style: bold reverse; }
    CatalogueView > .catalogue--third-party { color: $warning; text-style: bold underline; }
    CatalogueView > .catalogue--match { background: $secondary 50%; }
    CatalogueView > .catalogue--current-match { background: $accent; color: $text; }
    CatalogueView > .catalogue--selected { background: $boost; }
    """

    COMPONENT_CLASSES = {
        "catalogue--header",
        "catalogue--requester",
        "catalogue--foreign",
        "catalogue--third-party",
        "catalogue--match",
        "catalogue--current-match",
        "catalogue--selected",
    }

    BINDINGS = [
        Binding(
            "right_square_bracket",
            "entry(1)",
            "Next entry",
            id="catalogue.next_entry",
            show=False,
            tooltip="Scroll to the next catalogue entry",
        ),
        Binding(
            "left_square_bracket",
            "entry(-1)",
            "Prev entry",
            id="catalogue.previous_entry",
            show=False,
            tooltip="Scroll to the previous catalogue entry",
        ),
    ]

    def __init__(
        self,
        entries: Sequence[TranscriptEntry] = (),
        matcher: TermMatcher | None = None,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.entries: list[TranscriptEntry] = list(entries)
        self.headers = [header_of(e) for e in self.entries]
        self.bodies = [body_of(e) for e in self.entries]
        self.matcher = matcher or TermMatcher((), (), ())
        self.lines: list[Line] = []
        self.first_line: list[int] = []
        self._wrapped_for: Size | None = None  # the area they were laid out for
        self.selected: int | None = None
        self.query_text = ""
        self.matches: list[Match] = []
        self.current: int | None = None
        self._term_spans: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
        self._match_index: dict[tuple[int, int], list[int]] = {}  # (entry, part) -> matches
        self._strips: LRUCache[tuple[int, int], Strip] = LRUCache(1024)
        self._strips_width = 0  # the width of the lines in `_strips`

    # ------------------------------------------------------------------ content

    def set_entries(self, entries: Sequence[TranscriptEntry]) -> None:
        self.entries = list(entries)
        self.headers = [header_of(e) for e in self.entries]
        self.bodies = [body_of(e) for e in self.entries]
        self.selected = None
        self._term_spans.clear()
        self._wrapped_for = None
        self._rewrap()
        self.search(self.query_text)

    def set_matcher(self, matcher: TermMatcher) -> None:
        self.matcher = matcher
        self._term_spans.clear()
        self._invalidate()

    def _text(self, entry: int, part: int) -> str:
        return self.headers[entry] if part == HEADER else self.bodies[entry]

    def _rewrap(self) -> None:
        """Lay the entries out at the width they are drawn at: the pane's, less the scrollbar
        when they are taller than the pane. While the view has no size (a hidden tab) they are
        laid out provisionally; `render_lines` lays them out again when they are drawn."""
        area = self.content_region.size  # inside the border, the scrollbar's room included
        if area == self._wrapped_for:
            return
        self._wrapped_for = area
        if area.width <= 0:
            width = PROVISIONAL_WIDTH
            lines, first = wrap_entries(self.headers, self.bodies, width)
        else:
            width = area.width
            # Two lines an entry at least: past that, the scrollbar is sure to show.
            fits = 2 * len(self.bodies) <= area.height
            if fits:
                lines, first = wrap_entries(self.headers, self.bodies, width)
                fits = len(lines) <= area.height
            if not fits:
                width = max(area.width - self.styles.scrollbar_size_vertical, 1)
                lines, first = wrap_entries(self.headers, self.bodies, width)
        self.lines, self.first_line = lines, first
        self.virtual_size = Size(width, len(lines))
        self._invalidate()
        if self.selected is not None:  # keep the selected entry in view at the new width
            self.call_after_refresh(self._scroll_to_entry, self.selected)

    def on_resize(self) -> None:
        self._rewrap()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Laid out for the area drawn now. The view may have had none when the entries arrived
        # (its tab hidden), and no Resize need follow when it is shown: whether one comes
        # depends on when Textual last mapped the screen's widgets.
        self._rewrap()
        width = self.scrollable_content_region.width
        if width != self._strips_width:  # lines drawn at another width are of no more use
            self._strips.clear()
            self._strips_width = width
        return super().render_lines(crop)

    def _invalidate(self) -> None:
        self._strips.clear()
        self.refresh()

    # ------------------------------------------------------------------ skimming

    # Skimming jumps at once: an animated scroll would make every page key feel slow.
    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def action_entry(self, step: int) -> None:
        """Put the next (1) or previous (-1) entry's header at the top."""
        if not self.first_line:
            return
        top = round(self.scroll_y)
        current = bisect.bisect_right(self.first_line, top) - 1
        if step < 0 and current >= 0 and self.first_line[current] < top:
            target = current
        else:
            target = min(max(current + step, 0), len(self.first_line) - 1)
        self.scroll_to(y=self.first_line[target], animate=False, immediate=True)

    def entry_at_top(self) -> int | None:
        """The entry whose lines are at the top of the view."""
        if not self.entries or not self.first_line:
            return None
        at = bisect.bisect_right(self.first_line, round(self.scroll_y)) - 1
        return min(max(at, 0), len(self.entries) - 1)

    # ------------------------------------------------------------------ selection and search

    def select(self, index: int | None) -> None:
        self.selected = index
        self._invalidate()
        if index is not None:
            self.call_after_refresh(self._scroll_to_entry, index)

    def _scroll_to_entry(self, index: int) -> None:
        if index < len(self.first_line):
            self.scroll_to(y=self.first_line[index], animate=False, immediate=True)

    def search(self, query: str) -> int:
        """Find every occurrence of `query` (case-insensitive); returns how many."""
        self.query_text = query
        self.matches, self._match_index = find_matches(self.headers, self.bodies, query)
        self.current = None
        self._invalidate()
        return len(self.matches)

    def jump(self, step: int) -> Match | None:
        """Move to the next (`step` 1) or previous (-1) match, wrapping around."""
        if not self.matches:
            return None
        if self.current is None:
            top = self.scroll_offset.y
            first = next((k for k, m in enumerate(self.matches) if self._line_of(m) >= top), 0)
            self.current = (first if step > 0 else first - 1) % len(self.matches)
        else:
            self.current = (self.current + step) % len(self.matches)
        match = self.matches[self.current]
        self._invalidate()
        line = self._line_of(match)
        self.scroll_to_region_line(line)
        return match

    def _line_of(self, match: Match) -> int:
        y = self.first_line[match.entry]
        if match.part == HEADER:
            return y
        y += 1
        while y < len(self.lines) and self.lines[y].entry == match.entry:
            if self.lines[y].end >= match.end or (
                y + 1 >= len(self.lines) or self.lines[y + 1].entry != match.entry
            ):
                return y
            y += 1
        return y

    def scroll_to_region_line(self, line: int) -> None:
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        if not top <= line < top + height:
            self.scroll_to(y=max(0, line - height // 3), animate=False, immediate=True)

    # ------------------------------------------------------------------ drawing

    def _spans_for(self, entry: int, part: int) -> list[tuple[int, int, str]]:
        key = (entry, part)
        spans = self._term_spans.get(key)
        if spans is None:
            spans = self.matcher.spans(self._text(entry, part))
            self._term_spans[key] = spans
        return spans

    def _matches_for(self, entry: int, part: int) -> list[tuple[int, int, bool]]:
        return [
            (self.matches[k].start, self.matches[k].end, k == self.current)
            for k in self._match_index.get((entry, part), ())
        ]

    def render_line(self, y: int) -> Strip:
        scroll_y = self.scroll_offset.y
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if not self.entries and index == 0:
            style = self.rich_style + self.get_component_rich_style("catalogue--header")
            return Strip([Segment(EMPTY_TEXT, style)]).adjust_cell_length(width, self.rich_style)
        if index >= len(self.lines):
            return Strip.blank(width, self.rich_style)
        key = (index, width)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_entry_line(self.lines[index], width)
            self._strips[key] = strip
        return strip

    def _render_entry_line(self, line: Line, width: int) -> Strip:
        text_src = self._text(line.entry, line.part)
        base = self.rich_style
        if line.entry == self.selected:
            base = base + self.get_component_rich_style("catalogue--selected")
        prefix = "" if line.part == HEADER else INDENT
        text = Text(prefix + text_src[line.start : line.end], style=base, end="")
        if line.part == HEADER:
            text.stylize(self.get_component_rich_style("catalogue--header", partial=True))
        shift = len(prefix) - line.start
        for start, end, kind in self._spans_for(line.entry, line.part):
            if end > line.start and start < line.end:
                style = self.get_component_rich_style(f"catalogue--{kind}", partial=True)
                text.stylize(style, max(start, line.start) + shift, min(end, line.end) + shift)
        if self.matches:
            for start, end, current in self._matches_for(line.entry, line.part):
                if end > line.start and start < line.end:
                    name = "catalogue--current-match" if current else "catalogue--match"
                    style = self.get_component_rich_style(name, partial=True)
                    text.stylize(style, max(start, line.start) + shift, min(end, line.end) + shift)
        segments = list(text.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, base)

    def styled_line(self, y: int) -> list[Segment]:
        """The segments of virtual line `y` (for tests and screenshots)."""
        return list(self._render_entry_line(self.lines[y], self.scrollable_content_region.width))

    def style_of(self, kind: str) -> Style:
        return self.get_component_rich_style(f"catalogue--{kind}", partial=True)
