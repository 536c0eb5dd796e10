"""The queue and who holds each request: the Held by column, `c` to claim or let go, and the
`held:` filter, against a real store built from the sample archives."""

from __future__ import annotations

import pytest
from test_tui_support import (
    CLEAN,
    THIRD_PARTY,
    WRONG_CUSTOMER,
    Store,
    make_app,
    session_of,
    sign_in,
    wait_for,
)


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


def _shown(table) -> list[str]:  # type: ignore[no-untyped-def]
    from textual.coordinate import Coordinate

    return [
        str(table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value)
        for i in range(table.row_count)
    ]


def _held(table, request_id: str) -> str:  # type: ignore[no-untyped-def]
    return str(table.get_cell(request_id, "held")).strip()


async def test_c_claims_and_lets_go_and_held_filters_by_holder(store: Store) -> None:
    from textual.widgets import DataTable, Input

    service = store.service()
    try:
        service.claim(session_of(service, "bob"), THIRD_PARTY)
    finally:
        service.close()
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "alice")
        table = app.screen.query_one("#queue-table", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        assert _held(table, THIRD_PARTY) == "bob" and _held(table, CLEAN) == "-"
        # alice claims the request under the cursor.
        table.move_cursor(row=table.get_row_index(CLEAN))
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: _held(table, CLEAN) == "alice")
        # bob's request is refused to her, with his name.
        table.move_cursor(row=table.get_row_index(THIRD_PARTY))
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any(m.startswith("Held by bob since ") for m in said), said
        assert _held(table, THIRD_PARTY) == "bob"
        # The filter: held:me, held:bob, held:none.
        box = app.screen.query_one("#queue-filter", Input)
        for query, wanted in (
            ("held:me", [CLEAN]),
            ("held:bo", [THIRD_PARTY]),
        ):
            box.value = query
            await pilot.pause()
            assert _shown(table) == wanted, query
        box.value = "held:none"
        await pilot.pause()
        shown = _shown(table)
        assert WRONG_CUSTOMER in shown and CLEAN not in shown and THIRD_PARTY not in shown
        # c again on her own request lets it go.
        box.value = "held:me"
        await pilot.pause()
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: table.row_count == 0)
    service = store.service()
    try:
        assert service.hold(CLEAN) is None
        hold = service.hold(THIRD_PARTY)
        assert hold is not None and hold.holder == "bob"
    finally:
        service.close()


async def test_the_review_header_says_who_holds_the_request(store: Store) -> None:
    from test_tui_support import open_request, screen_text

    service = store.service()
    try:
        service.claim(session_of(service, "alice"), CLEAN, "mine this week")
    finally:
        service.close()
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "bob")
        await open_request(pilot, CLEAN)
        await wait_for(pilot, lambda: "held by alice" in screen_text(app))
        await pilot.press("escape")
        await open_request(pilot, WRONG_CUSTOMER)
        await wait_for(pilot, lambda: WRONG_CUSTOMER in screen_text(app).splitlines()[1])
        assert "held by" not in screen_text(app).splitlines()[1]
