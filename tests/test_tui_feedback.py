"""A key that cannot act right now says why and what to do, instead of doing nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from test_tui_support import (
    CLEAN,
    Store,
    make_app,
    open_request,
    screen_text,
    sign_in,
    wait_for,
)

if TYPE_CHECKING:
    from textual.app import App


def toasts(app: App[Any]) -> str:
    """The text of every notification on screen, as one line."""
    from textual.widgets._toast import Toast

    return " ".join(" ".join(str(t.render()).split()) for t in app.screen.query(Toast))


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


async def test_release_key_tells_a_reviewer_who_can_release(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, CLEAN)
        await app.workers.wait_for_complete()
        await pilot.press("r")
        await wait_for(pilot, lambda: "needs the approver role" in toasts(app))
        assert "sign in" in toasts(app)
        assert app.screen is review


async def test_escape_on_the_catalogue_goes_back_and_n_moves_to_the_next_sample(
    store: Store,
) -> None:
    """With no search open, Esc on the Catalogue tab is the screen's Esc (back to the queue)
    and n the screen's n (the next sampled recording); with a search, they are the search's."""
    from reviewer.tui.screens.queue import QueueScreen
    from reviewer.tui.widgets.recordings import RecordingsList

    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, CLEAN)
        recordings = review.query_one("#recordings-list", RecordingsList)
        await pilot.press("3")
        await pilot.pause()
        before = recordings.cursor
        await pilot.press("n")
        await wait_for(pilot, lambda: recordings.cursor != before)
        await pilot.press("3")
        await pilot.press("slash")
        await pilot.press(*"weather")
        await pilot.press("enter")
        await pilot.pause()
        at = recordings.cursor
        await pilot.press("n")  # the next match now, not the next sample
        await pilot.pause()
        assert recordings.cursor == at
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))


async def test_the_title_names_the_reviewer_and_a_switch_clears_their_messages(
    store: Store,
) -> None:
    from reviewer.tui.screens.signin import SignInScreen

    app = make_app(store)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await sign_in(pilot, "alice")
        await open_request(pilot, CLEAN)
        assert (app.screen.sub_title or "").startswith("alice · ")
        app.notify("meant for alice only", timeout=60)
        await wait_for(pilot, lambda: "meant for alice only" in toasts(app))
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.pause()
        assert "meant for alice only" not in toasts(app)


async def test_the_palette_lists_quit_once(store: Store) -> None:
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "carol")  # the supervisor screen binds q to quit as well
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"quit")
        options = app.screen.query_one(OptionList)

        def quits() -> list[str]:
            titles = [
                str(options.get_option_at_index(i).prompt).split("\n")[0].strip()
                for i in range(options.option_count)
            ]
            return [t for t in titles if t.lower() == "quit"]

        await wait_for(pilot, lambda: bool(quits()))
        await app.workers.wait_for_complete()  # the search has given every hit
        await pilot.pause()
        assert quits() == ["Quit"]


async def test_the_review_header_keeps_the_version_and_both_signers_in_view(store: Store) -> None:
    """At 80 columns the version is still on the header; at 120 both signers are, whole."""
    from test_tui_support import approve_through_the_service

    approve_through_the_service(store, "alice", CLEAN)
    approve_through_the_service(store, "bob", CLEAN)
    for size, wanted in (((80, 24), ["v1"]), ((120, 40), ["v1", "alice ✓1st", "bob ✓2nd"])):
        app = make_app(store)
        async with app.run_test(size=size) as pilot:
            await sign_in(pilot, "dave")
            await open_request(pilot, CLEAN)
            header = screen_text(app).splitlines()[1]
            assert all(w in header for w in wanted), (size, header)
