"""Snapshots of every screen at 80x24 and 120x40 (pytest-textual-snapshot). The supervisor
screen has its own snapshots beside its tests.

The store runs on a fixed clock and audio output is turned off, so what is drawn depends only
on the sample archives. Update after an intended change with `pytest --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import pytest
from conftest import SnapCompare
from test_tui_support import (
    CLEAN,
    PEOPLE,
    THIRD_PARTY,
    WRONG_CUSTOMER,
    Store,
    make_app,
    sign_in,
    wait_for,
)

if TYPE_CHECKING:
    from textual.pilot import Pilot

    # What a case does before its picture is taken, and how a case makes that from the store.
    RunBefore = Callable[[Pilot[None]], Awaitable[None]]
    MakeRunBefore = Callable[[Store], RunBefore]

SIZES = [(120, 40), (80, 24)]


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0.3)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _open(pilot: Pilot[None], name: str, request_id: str) -> None:
    from textual.widgets import DataTable

    from reviewer.tui.screens.queue import QueueScreen
    from reviewer.tui.screens.review import ReviewScreen

    app = pilot.app
    await sign_in(pilot, name)
    await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
    table = app.screen.query_one("#queue-table", DataTable)
    await wait_for(pilot, lambda: table.row_count > 0)
    table.move_cursor(row=table.get_row_index(request_id))
    await pilot.press("enter")
    await wait_for(
        pilot, lambda: isinstance(app.screen, ReviewScreen) and app.screen.detail is not None
    )
    await _settle(pilot)


def _signin_demo(st: Store) -> RunBefore:
    async def run(pilot: Pilot[None]) -> None:
        await _settle(pilot)

    service = st.service()
    service.mark_demo([(n, role, pw) for n, (role, pw) in PEOPLE.items()])
    service.close()
    return run


def _queue(st: Store) -> RunBefore:
    async def run(pilot: Pilot[None]) -> None:
        await sign_in(pilot, "alice")
        await _settle(pilot)

    return run


def _review(request_id: str, keys: tuple[str, ...] = ()) -> MakeRunBefore:
    def make(st: Store) -> RunBefore:
        async def run(pilot: Pilot[None]) -> None:
            await _open(pilot, "alice", request_id)
            for key in keys:
                await pilot.press(key)
                await _settle(pilot)

        return run

    return make


def _signoff(request_id: str) -> MakeRunBefore:
    def make(st: Store) -> RunBefore:
        async def run(pilot: Pilot[None]) -> None:
            from reviewer.tui.dialogs.signoff import SignOffDialog

            await _open(pilot, "alice", request_id)
            await pilot.press("s")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, SignOffDialog))
            await _settle(pilot)

        return run

    return make


SCREENS: dict[str, MakeRunBefore] = {
    "signin": _signin_demo,
    "queue": _queue,
    "review-overview": _review(WRONG_CUSTOMER),
    "review-recordings": _review(CLEAN, ("2",)),
    "review-catalogue": _review(THIRD_PARTY, ("3",)),
    "review-timeline": _review(WRONG_CUSTOMER, ("4",)),
    "review-members": _review(CLEAN, ("5", "down", "down")),
    "review-finding-jump": _review(WRONG_CUSTOMER, ("enter",)),
    "help": _review(CLEAN, ("question_mark",)),
    "signoff-block": _signoff(WRONG_CUSTOMER),
    "signoff-warnings": _signoff(THIRD_PARTY),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(
    snap_compare: SnapCompare, store: Store, screen: str, size: tuple[int, int]
) -> None:
    run_before = SCREENS[screen](store)
    assert snap_compare(make_app(store), terminal_size=size, run_before=run_before)
