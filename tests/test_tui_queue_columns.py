"""The queue's columns at every terminal size: each value is drawn whole or shortened with an
ellipsis ("…"), never cut mid-word ("relea" for "released", "300" for "3002d late"), and
none runs past the edge of the screen. Columns give way in order: the requester's name and
the signers shorten first, then whole columns go, the request id never."""

from __future__ import annotations

import pytest
from test_tui_support import (
    CLEAN,
    PEOPLE,
    THIRD_PARTY,
    WRONG_CUSTOMER,
    Store,
    approve_through_the_service,
    make_app,
    screen_lines,
    session_of,
    sign_in,
    wait_for,
)

# The sizes a reviewer might use, the narrow ones where columns must give way among them.
SIZES = [(80, 24), (100, 30), (120, 40), (72, 24), (60, 20), (50, 20), (40, 16)]


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


def every_state(st) -> None:  # type: ignore[no-untyped-def]
    """Released, first-signoff and rejected requests beside the pending ones, so the State,
    Due and Signed by columns hold their longest values, and one held."""
    approve_through_the_service(st, "alice", CLEAN)
    approve_through_the_service(st, "bob", CLEAN)
    approve_through_the_service(st, "alice", THIRD_PARTY)
    service = st.service()
    try:
        service.release(session_of(service, "bob"), CLEAN, st.outbox)
        wrong = service.request_detail(WRONG_CUSTOMER)
        service.reject("dave", PEOPLE["dave"][1], wrong.version_id, "another customer's archive")
        service.claim(session_of(service, "dave"), THIRD_PARTY)  # the Held by column's value
    finally:
        service.close()


def whole_values(screen) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    """Request id -> column key -> the value the cell shows when it has room."""
    from reviewer.tui.screens.queue import due_date, due_text, held_text, signers_text

    out = {}
    for r in screen._rows:
        due = due_date(r)
        out[r.request_id] = {
            "request": r.request_id,
            "requester": r.requester_name or r.customer_id,
            "verdict": r.verdict.value.upper(),
            "state": r.state.value,
            "due": due_text(
                r.days_left,
                r.state.value,
                due,
                paused=r.paused,
                extended_months=r.extended_months,
            ).plain,
            "signed": signers_text(r).plain,
            "held": held_text(r).plain,
        }
    return out


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_cell_is_whole_or_ends_with_an_ellipsis(
    store: Store, size: tuple[int, int]
) -> None:
    from textual.widgets import DataTable

    from reviewer.tui.screens.queue import QueueScreen

    every_state(store)
    # The real clock: open requests are thousands of days late ("3002d late").
    app = make_app(store, service=store.service(fixed=False))
    async with app.run_test(size=size) as pilot:
        await sign_in(pilot, "alice")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        screen = app.screen
        table = screen.query_one("#queue-table", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        await app.workers.wait_for_complete()
        await pilot.pause()
        values = whole_values(screen)
        assert {v["state"] for v in values.values()} >= {"released", "first-signoff", "rejected"}
        assert any(v["due"].endswith("d late") and len(v["due"]) >= 9 for v in values.values())

        lines = screen_lines(app)
        width = size[0]
        columns = list(table.ordered_columns)
        keys = [str(c.key.value) for c in columns]
        assert keys[0] == "request"
        every = ["request", "requester", "verdict", "state", "due", "signed", "held"]
        if width >= 100:  # at 100 columns and wider, nothing is left out
            assert keys == every
        elif width >= 80:  # at 80, at most the holder (named on the review screen too)
            assert keys in (every, every[:-1])
        top = table.region.y + 1  # under the header row
        shortened = 0
        for i in range(min(table.row_count, table.region.height - 1)):
            line = lines[top + i]
            request_id = line[1 : 1 + columns[0].width].strip()
            assert request_id in values, line
            x = 0
            for column, key in zip(columns, keys, strict=True):
                start, end = x + table.cell_padding, x + table.cell_padding + column.width
                assert end <= width, f"{key} runs past the edge at {size}: {line!r}"
                shown = line[start:end].strip()
                whole = values[request_id][key]
                if shown != whole:
                    assert shown.endswith("…") and whole.startswith(shown[:-1]), (
                        f"{key} of {request_id} drawn as {shown!r} for {whole!r} at {size}"
                    )
                    shortened += 1
                x = end + table.cell_padding
        if width >= 120:
            assert shortened == 0


async def test_columns_follow_the_terminal_as_it_is_resized(store: Store) -> None:
    """Narrowed and widened while open, the queue lays its columns out for each new width."""
    from textual.widgets import DataTable

    from reviewer.tui.screens.queue import QueueScreen

    every_state(store)
    app = make_app(store, service=store.service(fixed=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot, "alice")
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen))
        table = app.screen.query_one("#queue-table", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        for width, height in [(80, 24), (56, 20), (100, 30), (64, 24), (120, 40)]:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            drawn = sum(c.width + 2 * table.cell_padding for c in table.ordered_columns)
            assert drawn <= width - table.styles.scrollbar_size_vertical, (width, drawn)
            for row in range(table.row_count):
                for column, cell in zip(table.ordered_columns, table.get_row_at(row), strict=True):
                    assert cell.cell_len <= column.width, (width, column.key, cell)
