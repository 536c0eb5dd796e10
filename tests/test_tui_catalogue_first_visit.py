"""The Catalogue tab on its first visit, opened as soon as a review is: its entries are laid out
at the pane's width (never a few columns wide) with their highlights, at every size; and a
catalogue opened before the request has loaded fills as soon as it has."""

from __future__ import annotations

import threading

import pytest
from rich.cells import cell_len
from test_tui_support import (
    THIRD_PARTY,
    Store,
    detail_of,
    make_app,
    screen_text,
    sign_in,
    wait_for,
)

from reviewer.tui.widgets.catalogue_text import BODY, INDENT

SIZES = [(120, 36), (80, 24), (100, 30), (60, 20), (160, 50)]


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


async def open_from_the_queue(pilot, request_id: str):  # type: ignore[no-untyped-def]
    """Enter on `request_id` in the queue; returns the review screen at once, loaded or not."""
    from textual.widgets import DataTable

    from reviewer.tui.screens.queue import QueueScreen
    from reviewer.tui.screens.review import ReviewScreen

    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
    table = app.screen.query_one("#queue-table", DataTable)
    await wait_for(pilot, lambda: table.row_count > 0)
    table.move_cursor(row=table.get_row_index(request_id))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
    return app.screen


def assert_laid_out_at_the_pane_width(view) -> None:  # type: ignore[no-untyped-def]
    """Every drawn line is as wide as the pane, and a body breaks only where its next word
    would not fit the pane."""
    width = view.scrollable_content_region.width
    assert width > 20
    for y in range(view.scrollable_content_region.height):
        assert sum(cell_len(s.text) for s in view.render_line(y)) == width
    room = width - len(INDENT)
    for line, after in zip(view.lines, view.lines[1:], strict=False):
        if line.part != BODY:
            continue
        body = view.bodies[line.entry]
        assert cell_len(body[line.start : line.end]) <= room
        if after.entry == line.entry and after.part == BODY:
            next_word = body[after.start : after.end].split()[0]
            assert cell_len(body[line.start : line.end]) + 1 + cell_len(next_word) > room, (
                f"wrapped at {cell_len(body[line.start : line.end])} in a pane of {room}"
            )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_first_visit_shows_the_catalogue_at_the_pane_width(
    store: Store, size: tuple[int, int]
) -> None:
    from reviewer.tui.widgets.catalogue_view import CatalogueView

    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        await sign_in(pilot, "alice")
        review = await open_from_the_queue(pilot, THIRD_PARTY)
        await pilot.press("3")  # at once, before the screen has settled
        await wait_for(pilot, lambda: review.detail is not None)
        view = review.query_one(CatalogueView)
        await wait_for(pilot, lambda: bool(view.entries))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert_laid_out_at_the_pane_width(view)

        # A third party's name, as drawn on screen, carries the third-party highlight.
        y = next(i for i, ln in enumerate(view.lines) if "Declan" in view.bodies[ln.entry])
        y = next(i for i in range(y, len(view.lines)) if "Declan" in _text(view, i))
        view.scroll_to(y=y, animate=False, immediate=True)
        await pilot.pause()
        drawn = list(view.render_line(y - round(view.scroll_y)))
        name = [s for s in drawn if s.text in ("Declan Murphy", "Declan", "Murphy")]
        third = view.style_of("third-party")
        assert name and all(s.style and s.style.color == third.color for s in name), drawn


def _text(view, y: int) -> str:  # type: ignore[no-untyped-def]
    line = view.lines[y]
    return view.bodies[line.entry][line.start : line.end] if line.part == BODY else ""


async def test_a_catalogue_opened_before_the_request_loads_fills_when_it_does(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer.tui.widgets.catalogue_view import CatalogueView

    service = store.service()
    app = make_app(store, service=service)
    async with app.run_test(size=(120, 36)) as pilot:
        await sign_in(pilot, "alice")
        # The request's detail is held back until the Catalogue tab is open.
        opened = threading.Event()
        read = service.request_detail

        def held_back(request_id: str):  # type: ignore[no-untyped-def]
            opened.wait(timeout=60)
            return read(request_id)

        monkeypatch.setattr(service, "request_detail", held_back)
        review = await open_from_the_queue(pilot, THIRD_PARTY)
        await pilot.press("3")
        await pilot.pause()
        assert review.detail is None
        opened.set()
        view = review.query_one(CatalogueView)
        await wait_for(pilot, lambda: review.detail is not None and bool(view.entries))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(view.entries) == len(detail_of(review).index.transcripts)
        assert "Declan Murphy" in screen_text(app)
        assert_laid_out_at_the_pane_width(view)
