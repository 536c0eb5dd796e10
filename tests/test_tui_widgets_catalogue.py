"""The transcript catalogue in a tiny host app: what a reviewer sees, highlights and search."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.widgets import Static, TabbedContent, TabPane

from reviewer.domain.model import TranscriptEntry
from reviewer.tui.widgets.catalogue import TranscriptCatalogue
from reviewer.tui.widgets.catalogue_text import INDENT, wrap_offsets
from reviewer.tui.widgets.catalogue_view import CatalogueView

REQUESTER = ["Jonas Weber", "A3KX9ZQ2M7T1LB", "jonas.weber@example.de"]
FOREIGN = ["B7QW2LK9XJ4MPD", "m.schulz@example.com", "Martin Schulz"]
THIRD = ["Tom Becker"]
ROOMS = ["kitchen", "living room", "garden", "hall"]


def entries(n: int = 1800) -> list[TranscriptEntry]:
    start = datetime(2018, 1, 1, 8, 0)
    out = []
    for i in range(n):
        text = f"turn on the {ROOMS[i % 4]} light and play some music please number {i}"
        if i == 3:
            text = "call Jonas Weber on his mobile"
        if i == 5:
            text = "send the receipt to m.schulz@example.com and tell Martin Schulz"
        if i == 7:
            text = "remind Tom Becker about the football on Saturday"
        if i == 1500:
            text = "what is the weather in Hannover tomorrow"
        ts = start + timedelta(hours=i)
        out.append(
            TranscriptEntry(
                timestamp=ts,
                timestamp_text=ts.strftime("%Y-%m-%d %H:%M:%S"),
                device_serial="G090LF0964471234",
                utterance_id=f"utt-{i:04d}",
                text=text,
                page=i // 23 + 1,
            )
        )
    return out


class Host(App[None]):
    def __init__(self, items: list[TranscriptEntry]) -> None:
        super().__init__()
        self.items = items
        self.shown: list[TranscriptCatalogue.EntryShown] = []

    def compose(self) -> ComposeResult:
        yield TranscriptCatalogue(
            self.items, requester_terms=REQUESTER, foreign_terms=FOREIGN, third_party_terms=THIRD
        )

    def on_mount(self) -> None:
        self.query_one(CatalogueView).focus()

    def on_transcript_catalogue_entry_shown(self, message: TranscriptCatalogue.EntryShown) -> None:
        self.shown.append(message)


def visible(view: CatalogueView) -> list[str]:
    return ["".join(s.text for s in view.render_line(y)).rstrip() for y in range(view.size.height)]


def segment_with(segments: list[Segment], text: str) -> Segment:
    return next(s for s in segments if s.text == text)


def test_wrapping_keeps_every_word_and_its_offsets() -> None:
    text = "turn on the kitchen light and play supercalifragilisticexpialidocious now"
    lines = wrap_offsets(text, 12)
    assert all(end - start <= 12 for start, end in lines)
    assert " ".join(text[s:e] for s, e in lines).replace(" ", "") == text.replace(" ", "")
    assert wrap_offsets("", 10) == [(0, 0)]


@given(
    text=st.text(alphabet=st.sampled_from(list("ab cd\u00e9\u4e2d\u6587 \U0001f600")), max_size=80),
    width=st.integers(min_value=2, max_value=30),
)
def test_wrapped_lines_fit_their_cells_and_keep_every_word(text: str, width: int) -> None:
    """Wide characters (two cells) included: no line is wider than the pane, no word is lost."""
    lines = wrap_offsets(text, width)
    assert all(cell_len(text[start:end]) <= width for start, end in lines)
    assert [start for start, _ in lines] == sorted(start for start, _ in lines)
    joined = "".join("".join(text[s:e].split()) for s, e in lines)
    assert joined == "".join(text.split())


async def test_the_catalogue_opens_at_the_first_entry() -> None:
    app = Host(entries())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        cat = app.query_one(TranscriptCatalogue)
        lines = visible(cat.view)
        assert lines[0] == "2018-01-01 08:00:00  G090LF0964471234  utt-0000"
        assert lines[1].startswith("  turn on the kitchen light")
        assert cat.border_title == "Transcripts 1,800"
        # Only what is on screen has been drawn.
        assert len(cat.view._strips) <= cat.view.size.height


async def test_identifiers_are_highlighted_by_whose_they_are() -> None:
    app = Host(entries())
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.query_one(CatalogueView)
        requester = segment_with(view.styled_line(view.first_line[3] + 1), "Jonas Weber")
        email = segment_with(view.styled_line(view.first_line[5] + 1), "m.schulz@example.com")
        foreign_name = segment_with(view.styled_line(view.first_line[5] + 1), "Martin Schulz")
        third = segment_with(view.styled_line(view.first_line[7] + 1), "Tom Becker")
        plain = segment_with(view.styled_line(view.first_line[7] + 1), "  remind ")
        req_style, foreign_style, third_style = (
            view.style_of("requester"),
            view.style_of("foreign"),
            view.style_of("third-party"),
        )
        assert requester.style and requester.style.color == req_style.color
        assert email.style and email.style.color == foreign_style.color
        assert foreign_name.style and foreign_name.style.color == foreign_style.color
        assert third.style and third.style.color == third_style.color
        # Three different colours, and ordinary words carry none of them.
        assert len({req_style.color, foreign_style.color, third_style.color}) == 3
        assert plain.style is None or plain.style.color not in {
            req_style.color,
            foreign_style.color,
            third_style.color,
        }


async def test_terms_given_later_recolour_the_catalogue() -> None:
    app = Host(entries(20))
    async with app.run_test(size=(100, 30)) as pilot:
        cat = app.query_one(TranscriptCatalogue)
        cat.set_terms(third_party=["Hannover", "music"])
        await pilot.pause()
        view = cat.view
        music = segment_with(view.styled_line(view.first_line[0] + 1), "music")
        assert music.style and music.style.color == view.style_of("third-party").color
        jonas = segment_with(
            view.styled_line(view.first_line[3] + 1), "  call Jonas Weber on his mobile"
        )
        assert jonas.style is None or jonas.style.color != view.style_of("requester").color


async def test_selecting_a_recording_shows_its_entry_and_scrolls_to_it() -> None:
    app = Host(entries())
    async with app.run_test(size=(80, 24)) as pilot:
        cat = app.query_one(TranscriptCatalogue)
        cat.select("utt-1500")
        await pilot.pause()
        selected = cat.selected_text.plain
        assert selected.startswith("2018-03-04 20:00:00  G090LF0964471234  utt-1500")
        assert "what is the weather in Hannover tomorrow" in selected
        assert visible(cat.view)[0].endswith("utt-1500")
        assert [(m.utterance_id, m.found) for m in app.shown] == [("utt-1500", True)]
        selected_bg = cat.view.get_component_rich_style("catalogue--selected").bgcolor
        first = cat.view.render_line(0)
        assert all(seg.style is not None and seg.style.bgcolor == selected_bg for seg in first)


async def test_the_selected_entry_keeps_its_highlights() -> None:
    app = Host(entries(10))
    async with app.run_test(size=(80, 24)) as pilot:
        cat = app.query_one(TranscriptCatalogue)
        cat.select("utt-0005")
        await pilot.pause()
        text = cat.selected_text
        spans = {text.plain[s.start : s.end]: s.style for s in text.spans}
        foreign = cat.view.style_of("foreign")
        assert "m.schulz@example.com" in spans and "Martin Schulz" in spans
        style = spans["Martin Schulz"]
        assert not isinstance(style, str) and style.color == foreign.color


async def test_a_recording_missing_from_the_catalogue_is_said_plainly() -> None:
    app = Host(entries(10))
    async with app.run_test(size=(80, 24)) as pilot:
        cat = app.query_one(TranscriptCatalogue)
        cat.select("utt-9999")
        await pilot.pause()
        assert cat.selected_text.plain == "utt-9999: no entry in the transcript catalogue"
        assert [(m.utterance_id, m.found) for m in app.shown] == [("utt-9999", False)]


async def test_slash_searches_and_n_walks_the_matches() -> None:
    app = Host(entries())
    async with app.run_test(size=(80, 24)) as pilot:
        cat = app.query_one(TranscriptCatalogue)
        await pilot.press("slash")
        await pilot.press(*"Hannover", "enter")
        await pilot.pause()
        assert cat.border_subtitle == "“Hannover” 1 of 1"
        assert any("Hannover" in line for line in visible(cat.view))
        current = cat.view.get_component_rich_style("catalogue--current-match", partial=True)
        line = cat.view.first_line[1500] + 1
        hit = segment_with(cat.view.styled_line(line), "Hannover")
        assert hit.style is not None and hit.style.bgcolor == current.bgcolor

        await pilot.press("slash")
        await pilot.press("ctrl+a", "ctrl+k", *"garden", "enter")
        await pilot.pause()
        # The search goes on from the top of the screen (near Hannover), like a pager.
        position = cat.view.current
        assert position is not None
        match = cat.view.matches[position]
        assert 1490 < match.entry <= 1502 and ROOMS[match.entry % 4] == "garden"
        assert cat.border_subtitle == f"“garden” {position + 1} of 450"
        assert any(f"number {match.entry}" in ln for ln in visible(cat.view))
        await pilot.press("n", "n")
        assert cat.border_subtitle == f"“garden” {position + 3} of 450"
        await pilot.press("N")
        assert cat.border_subtitle == f"“garden” {position + 2} of 450"


async def test_matches_wrap_around_both_ways() -> None:
    app = Host(entries())
    async with app.run_test(size=(80, 24)) as pilot:
        cat = app.query_one(TranscriptCatalogue)
        await pilot.press("slash", *"kitchen", "enter")
        assert cat.border_subtitle == "“kitchen” 1 of 449"
        await pilot.press("N")
        assert cat.border_subtitle == "“kitchen” 449 of 449"
        assert any("number 1796" in ln for ln in visible(cat.view))
        await pilot.press("n")
        assert cat.border_subtitle == "“kitchen” 1 of 449"
        assert any("number 0" in ln for ln in visible(cat.view))


async def test_a_search_with_no_match_says_so_and_escape_closes_the_box() -> None:
    app = Host(entries(50))
    async with app.run_test(size=(80, 24)) as pilot:
        cat = app.query_one(TranscriptCatalogue)
        await pilot.press("slash", *"zebra")
        assert app.focused is not None and app.focused.id == "catalogue-search"
        await pilot.press("escape")
        assert app.focused is cat.view
        assert cat.border_subtitle == "/ search"
        assert cat.search("zebra") == 0
        assert cat.border_subtitle == "“zebra” not found"


async def test_the_catalogue_rewraps_to_the_width_it_is_given() -> None:
    app = Host(entries(30))
    async with app.run_test(size=(40, 20)) as pilot:
        await pilot.pause()
        view = app.query_one(CatalogueView)
        narrow = len(view.lines)
        assert all(len(ln) <= view.size.width for ln in visible(view))
        await pilot.resize_terminal(160, 20)
        await pilot.pause()
        assert len(view.lines) < narrow
        assert visible(view)[1] == "  turn on the kitchen light and play some music please number 0"


async def test_brackets_skim_entry_by_entry_and_pages_jump_at_once() -> None:
    app = Host(entries(200))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(CatalogueView)
        await pilot.pause()
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert visible(view)[0].endswith("utt-0002")
        await pilot.press("left_square_bracket")
        assert visible(view)[0].endswith("utt-0001")
        before = view.scroll_y
        await pilot.press("pagedown")
        assert view.scroll_y == before + view.scrollable_content_region.height
        await pilot.press("end")
        assert view.scroll_y == view.max_scroll_y
        assert visible(view)[-1].endswith("number 199")
        await pilot.press("home")
        assert visible(view)[0].endswith("utt-0000")


async def test_an_export_without_a_catalogue_says_so() -> None:
    app = Host([])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        cat = app.query_one(TranscriptCatalogue)
        assert visible(cat.view)[0] == "No transcript catalogue in this export."
        assert cat.border_title == "Transcripts 0"
        assert cat.search("anything") == 0
        cat.select("utt-0001")
        assert cat.selected_text.plain == "utt-0001: no entry in the transcript catalogue"


class Tabbed(App[None]):
    """The catalogue in a tab that opens later, as on the review screen."""

    CSS = "TabPane { padding: 0; }"

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="first"):
            with TabPane("First", id="first"):
                yield Static("the overview")
            with TabPane("Catalogue", id="catalogue"):
                yield TranscriptCatalogue()


def long_entries(width: int, n: int = 6) -> list[TranscriptEntry]:
    """Entries whose text fills a line of the pane but for one cell, "Tom Becker" in each."""
    out = []
    for i, item in enumerate(entries(n)):
        text = f"remind Tom Becker about entry {i} "
        text += "x" * (width - len(text) - len(INDENT) - 1)
        out.append(replace(item, text=text))
    return out


@pytest.mark.parametrize("size", [(100, 30), (80, 24), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_entries_given_while_the_tab_is_hidden_fit_the_pane_when_it_opens(
    size: tuple[int, int],
) -> None:
    """Filled while its tab is hidden (no width yet), the catalogue is laid out again at the
    width it is drawn at: every entry here fits one line of the pane, highlights included."""
    app = Tabbed()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        cat = app.query_one(TranscriptCatalogue)
        pane_width = size[0] - 2  # inside the catalogue's border, with no scrollbar
        items = long_entries(pane_width)
        cat.set_terms(third_party=THIRD)
        cat.set_entries(items)
        cat.select(items[1].utterance_id)
        app.query_one(TabbedContent).active = "catalogue"
        await pilot.pause()
        await pilot.pause()
        view = cat.view
        width = view.scrollable_content_region.width
        assert width == pane_width
        lines = visible(view)
        for item in items:
            assert f"{INDENT}{item.text}" in lines, "\n".join(lines)
        for y in range(len(items) * 2):
            segments = list(view.render_line(y))
            assert sum(cell_len(s.text) for s in segments) == width
            if lines[y].startswith(f"{INDENT}remind"):
                tom = segment_with(segments, "Tom Becker")
                assert tom.style is not None
                assert tom.style.color == view.style_of("third-party").color
