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
visible lines are ever drawn (`CatalogueView`), so thousands of entries scroll at once; the
text, its layout and the search are in `catalogue_text`.

Posts `TranscriptCatalogue.EntryShown(utterance_id, found)` whenever `select` shows an entry,
so the app can record that the reviewer viewed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from reviewer.domain.model import TranscriptEntry
from reviewer.domain.text import printable
from reviewer.tui.widgets.catalogue_text import TermMatcher, body_of, header_of
from reviewer.tui.widgets.catalogue_view import CatalogueView


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
        at = v.entry_at_top()
        return self._entries[at] if at is not None else None

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
