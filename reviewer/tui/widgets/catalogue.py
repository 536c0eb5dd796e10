"""The transcript catalogue: the selected recording's entry on top, the whole catalogue below.

    cat = TranscriptCatalogue(entries, requester_terms=["Jonas Weber", "A3KX9ZQ2M7T1LB"],
                              foreign_terms=["B7QW..."], third_party_terms=["Tom Becker"])
    cat.select("utt-0007")                   # show and mark that recording's entry
    cat.set_terms(requester=..., foreign=..., third_party=...)   # when findings arrive

Highlights: the requester's identifiers in green, foreign identifiers (another customer's id,
e-mail, name) in red, third-party names (people outside the household) in yellow. Terms match
whole words, case-insensitively.

Keys (while it has focus): arrows / PgUp / PgDn / Home / End skim, `/` opens the search box
(Enter searches, Escape closes it), `n` / `N` jump to the next / previous match. Only the
visible lines are ever drawn (line API), so thousands of entries scroll at once.

Posts `TranscriptCatalogue.EntryShown(utterance_id, found)` whenever `select` shows an entry,
so the app can record that the reviewer viewed it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from reviewer.domain.model import TranscriptEntry
from reviewer.domain.text import printable

INDENT = "  "
EMPTY_TEXT = "No transcript catalogue in this export."
REQUESTER, FOREIGN, THIRD_PARTY = "requester", "foreign", "third-party"
HEADER, BODY = 0, 1


def header_of(entry: TranscriptEntry) -> str:
    """The entry's header line as shown: its fields are input, so escaped (`printable`)."""
    parts = [entry.timestamp_text or "-", entry.device_serial or "-", entry.utterance_id or "-"]
    return printable("  ".join(parts))


def body_of(entry: TranscriptEntry) -> str:
    """The entry's text as shown: a control character in it is written as its escape."""
    return printable(entry.text)


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap that keeps (start, end) offsets into `text` for each line."""
    width = max(width, 1)
    if text.isascii():  # one cell per character: widths are lengths
        if len(text) <= width and not text[:1].isspace() and not text[-1:].isspace():
            return [(0, len(text))] if text else [(0, 0)]
        measure: Callable[[str], int] = len
    else:
        measure = cell_len
    lines: list[tuple[int, int]] = []
    start = end = -1
    line_width = 0
    for word in re.finditer(r"\S+", text):
        w_start, w_end = word.span()
        word_width = measure(text[w_start:w_end])
        while word_width > width:  # a word longer than a line is split
            if start >= 0:
                lines.append((start, end))
                start = -1
            cut = w_start + width
            while cut > w_start + 1 and measure(text[w_start:cut]) > width:  # wide characters
                cut -= 1
            lines.append((w_start, cut))
            w_start = cut
            word_width = measure(text[w_start:w_end])
        if start < 0:
            start, end, line_width = w_start, w_end, word_width
            continue
        wider = line_width + measure(text[end:w_start]) + word_width
        if wider <= width:
            end, line_width = w_end, wider
        else:
            lines.append((start, end))
            start, end, line_width = w_start, w_end, word_width
    if start >= 0:
        lines.append((start, end))
    return lines or [(0, 0)]


class TermMatcher:
    """Finds the requester's, foreign and third-party terms in a string."""

    def __init__(
        self, requester: Iterable[str], foreign: Iterable[str], third_party: Iterable[str]
    ) -> None:
        kinds: dict[str, str] = {}
        # Later kinds win for a term listed twice: foreign over third party over requester.
        for kind, terms in ((REQUESTER, requester), (THIRD_PARTY, third_party), (FOREIGN, foreign)):
            for term in terms:
                term = term.strip()
                if len(term) >= 2:
                    kinds[term.casefold()] = kind
        self.kinds = kinds
        if kinds:
            alternatives = "|".join(re.escape(t) for t in sorted(kinds, key=len, reverse=True))
            self.pattern: re.Pattern[str] | None = re.compile(
                rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE
            )
        else:
            self.pattern = None

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        if self.pattern is None:
            return []
        return [
            (m.start(), m.end(), self.kinds[m.group(0).casefold()])
            for m in self.pattern.finditer(text)
        ]


@dataclass(frozen=True, slots=True)
class _Line:
    entry: int
    part: int  # HEADER or BODY
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Match:
    entry: int
    part: int
    start: int
    end: int


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
        self.lines: list[_Line] = []
        self.first_line: list[int] = []
        self._wrap_width = -1
        self.selected: int | None = None
        self.query_text = ""
        self.matches: list[Match] = []
        self.current: int | None = None
        self._term_spans: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
        self._match_index: dict[tuple[int, int], list[int]] = {}  # (entry, part) -> matches
        self._strips: LRUCache[tuple[int, int], Strip] = LRUCache(1024)

    # ------------------------------------------------------------------ content

    def set_entries(self, entries: Sequence[TranscriptEntry]) -> None:
        self.entries = list(entries)
        self.headers = [header_of(e) for e in self.entries]
        self.bodies = [body_of(e) for e in self.entries]
        self.selected = None
        self._term_spans.clear()
        self._wrap_width = -1
        self._rewrap()
        self.search(self.query_text)

    def set_matcher(self, matcher: TermMatcher) -> None:
        self.matcher = matcher
        self._term_spans.clear()
        self._invalidate()

    def _text(self, entry: int, part: int) -> str:
        return self.headers[entry] if part == HEADER else self.bodies[entry]

    def _rewrap(self) -> None:
        width = max(self.scrollable_content_region.width, 10)
        if width == self._wrap_width and self.lines:
            return
        self._wrap_width = width
        lines: list[_Line] = []
        first: list[int] = []
        body_width = width - len(INDENT)
        for i, body in enumerate(self.bodies):
            first.append(len(lines))
            lines.append(_Line(i, HEADER, 0, len(self.headers[i])))
            for start, end in wrap_offsets(body, body_width):
                lines.append(_Line(i, BODY, start, end))
        self.lines, self.first_line = lines, first
        self.virtual_size = Size(width, len(lines))
        self._invalidate()
        if self.selected is not None:  # keep the selected entry in view at the new width
            self.call_after_refresh(self._scroll_to_entry, self.selected)

    def on_resize(self) -> None:
        self._rewrap()

    def _invalidate(self) -> None:
        self._strips.clear()
        self.refresh()

    # ------------------------------------------------------------------ skimming

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
        self.matches = []
        self.current = None
        self._match_index = {}
        if query:
            needle = re.compile(re.escape(query), re.IGNORECASE)
            for i in range(len(self.entries)):
                for part in (HEADER, BODY):
                    for m in needle.finditer(self._text(i, part)):
                        self._match_index.setdefault((i, part), []).append(len(self.matches))
                        self.matches.append(Match(i, part, m.start(), m.end()))
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

    def _render_entry_line(self, line: _Line, width: int) -> Strip:
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


class TranscriptCatalogue(Vertical):
    """The selected recording's transcript entry above the whole, searchable catalogue."""

    DEFAULT_CSS = """
    TranscriptCatalogue {
        height: 1fr;
        border: round $primary-darken-2;
        border-title-color: $text-muted;
    }
    TranscriptCatalogue:focus-within { border: round $accent; border-title-color: $text; }
    TranscriptCatalogue #catalogue-selected {
        height: auto;
        max-height: 6;
        padding: 0 1;
        background: $boost;
        border-bottom: hkey $primary-darken-2;
    }
    TranscriptCatalogue #catalogue-search { display: none; height: 3; }
    TranscriptCatalogue #catalogue-search.-open { display: block; }
    """

    BINDINGS = [
        Binding(
            "slash",
            "start_search",
            "Search",
            id="catalogue.search",
            tooltip="Search the transcript catalogue",
        ),
        Binding("n", "next_match", "Next match", id="catalogue.next_match", show=False),
        Binding("N", "previous_match", "Prev match", id="catalogue.previous_match", show=False),
        Binding("escape", "close_search", "Close search", id="catalogue.close_search", show=False),
    ]

    @dataclass
    class EntryShown(Message):
        """`select` showed this recording's entry (`found` False: none in the catalogue)."""

        utterance_id: str
        found: bool

    def __init__(
        self,
        entries: Sequence[TranscriptEntry] = (),
        *,
        requester_terms: Iterable[str] = (),
        foreign_terms: Iterable[str] = (),
        third_party_terms: Iterable[str] = (),
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._entries = list(entries)
        self._matcher = TermMatcher(requester_terms, foreign_terms, third_party_terms)
        self._by_id = {e.utterance_id: i for i, e in enumerate(self._entries)}
        self.selected_id: str | None = None
        self._selected_text = Text("No recording selected")

    def compose(self) -> ComposeResult:
        yield Static("No recording selected", id="catalogue-selected")
        yield CatalogueView(self._entries, self._matcher, id="catalogue-view")
        yield Input(
            placeholder="Search transcripts (Enter to find, Esc to close)", id="catalogue-search"
        )

    def on_mount(self) -> None:
        self._update_title()

    @property
    def view(self) -> CatalogueView:
        return self.query_one(CatalogueView)

    def current_entry(self) -> TranscriptEntry | None:
        """The selected entry, else the one at the top of the view."""
        v = self.view
        if v.selected is not None and v.selected < len(self._entries):
            return self._entries[v.selected]
        if not self._entries or not v.first_line:
            return None
        at = bisect.bisect_right(v.first_line, round(v.scroll_y)) - 1
        return self._entries[min(max(at, 0), len(self._entries) - 1)]

    @property
    def selected_text(self) -> Text:
        """The entry shown on top, with its highlights."""
        return self._selected_text

    # ------------------------------------------------------------------ inputs

    def set_entries(self, entries: Sequence[TranscriptEntry]) -> None:
        self._entries = list(entries)
        self._by_id = {e.utterance_id: i for i, e in enumerate(self._entries)}
        self.view.set_entries(self._entries)
        self._update_title()
        if self.selected_id is not None:
            self.select(self.selected_id)

    def set_terms(
        self,
        *,
        requester: Iterable[str] = (),
        foreign: Iterable[str] = (),
        third_party: Iterable[str] = (),
    ) -> None:
        self._matcher = TermMatcher(requester, foreign, third_party)
        self.view.set_matcher(self._matcher)
        if self.selected_id is not None:
            self._show_selected(self.selected_id)

    def select(self, utterance_id: str | None) -> None:
        """Show `utterance_id`'s entry on top and scroll the catalogue to it."""
        self.selected_id = utterance_id
        index = self._by_id.get(utterance_id) if utterance_id else None
        self.view.select(index)
        self._show_selected(utterance_id)
        if utterance_id:
            self.post_message(self.EntryShown(utterance_id, index is not None))

    def _show_selected(self, utterance_id: str | None) -> None:
        index = self._by_id.get(utterance_id) if utterance_id else None
        if utterance_id is None:
            self._set_selected(Text("No recording selected"))
            return
        if index is None:
            self._set_selected(
                Text(
                    f"{printable(utterance_id)}: no entry in the transcript catalogue",
                    style="italic",
                )
            )
            return
        entry = self._entries[index]
        view = self.view
        shown_header, shown_body = header_of(entry), body_of(entry)
        header = Text(shown_header, style="bold")
        body = Text(shown_body)
        for part, text in ((header, shown_header), (body, shown_body)):
            for start, end, kind in self._matcher.spans(text):
                part.stylize(view.style_of(kind), start, end)
        self._set_selected(Text.assemble(header, f"  p.{entry.page}\n", body))

    def _set_selected(self, text: Text) -> None:
        self._selected_text = text
        self.query_one("#catalogue-selected", Static).update(text)

    # ------------------------------------------------------------------ search

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape closes an open search, else it is the screen's (back to the queue); n and N
        # move between matches when there are any, else they are the screen's (samples).
        if action == "close_search":
            return self.query_one("#catalogue-search", Input).has_class("-open")
        if action in ("next_match", "previous_match"):
            return bool(self.view.query_text)
        return True

    def action_start_search(self) -> None:
        box = self.query_one("#catalogue-search", Input)
        box.add_class("-open")
        box.focus()

    def action_close_search(self) -> None:
        box = self.query_one("#catalogue-search", Input)
        if box.has_class("-open"):
            box.remove_class("-open")
            self.view.focus()

    @on(Input.Submitted, "#catalogue-search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        count = self.view.search(event.value.strip())
        event.input.remove_class("-open")
        self.view.focus()
        if count:
            self.view.jump(1)
        self._update_title()

    def action_next_match(self) -> None:
        self.view.jump(1)
        self._update_title()

    def action_previous_match(self) -> None:
        self.view.jump(-1)
        self._update_title()

    def search(self, query: str) -> int:
        """Search from code (the same as `/` query Enter); returns the number of matches."""
        count = self.view.search(query)
        if count:
            self.view.jump(1)
        self._update_title()
        return count

    def _update_title(self) -> None:
        view = self.view
        self.border_title = f"Transcripts {len(self._entries):,}"
        if view.query_text:
            if view.matches:
                pos = (view.current or 0) + 1
                self.border_subtitle = f"“{view.query_text}” {pos} of {len(view.matches)}"
            else:
                self.border_subtitle = f"“{view.query_text}” not found"
        else:
            self.border_subtitle = "/ search"
