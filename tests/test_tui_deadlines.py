"""The supervisor's deadline view as a supervisor uses it: `t` from the history, every
request by its statutory clock, an extension and its outstanding notice shown after a
refresh, and the view written as CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from test_tui_supervisor import open_supervisor
from test_tui_support import (
    CLEAN,
    WRONG_CUSTOMER,
    Store,
    make_app,
    screen_text,
    session_of,
    wait_for,
    wait_for_screen,
)
from textual.widgets import DataTable, Input


async def test_the_deadline_view_shows_every_clock_and_exports_it(
    store: Store, tmp_path: Path
) -> None:
    from reviewer.tui.dialogs.export_csv import ExportCsvDialog
    from reviewer.tui.screens.deadlines import DeadlinesScreen

    app = make_app(store)  # the store's clock: 20 August 2018, 10:00 UTC
    async with app.run_test(size=(120, 40)) as pilot:
        supervisor = await open_supervisor(pilot)
        supervisor.query_one("#history-table", DataTable).focus()
        await pilot.press("t")
        screen = await wait_for_screen(pilot, DeadlinesScreen)
        await wait_for(pilot, lambda: len(screen.rows) == 9)
        text = screen_text(app)
        # Received 28 July 2018: due 28 August by the law; the ticket says the 27th.
        clean = next(line for line in text.splitlines() if CLEAN in line)
        assert "2018-08-28" in clean and "8d" in clean and "2018-08-27" in clean
        assert "9 requests · 0 overdue · 0 extension notices not sent" in text

        # An approver extends a request; the refreshed view shows it and the notice owed.
        service = store.service()
        try:
            service.extend(session_of(service, "bob"), WRONG_CUSTOMER, 2, "1,700 recordings")
        finally:
            service.close()
        await pilot.press("r")
        await wait_for(pilot, lambda: "1 extension notices not sent" in screen_text(app))
        row = next(line for line in screen_text(app).splitlines() if WRONG_CUSTOMER in line)
        assert "+2m" in row and "not sent, due 2018-09-03" in row and "2018-11-02" in row

        # e writes the view as CSV where the supervisor says.
        await pilot.press("e")
        dialog = await wait_for_screen(pilot, ExportCsvDialog)
        target = tmp_path / "deadlines.csv"
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.exists() and "Wrote 9 requests" in screen_text(app))
        with target.open(newline="") as f:
            rows = {r["request_id"]: r for r in csv.DictReader(f)}
        assert rows[CLEAN]["due"] == "2018-08-28" and rows[CLEAN]["ticket_due"] == "2018-08-27"
        assert rows[WRONG_CUSTOMER]["extended_months"] == "2"
        assert rows[WRONG_CUSTOMER]["notice_due"] == "2018-09-03"

        # Enter opens the request as its signers saw it; a supervisor only reads.
        from reviewer.tui.screens.review import ReviewScreen

        table = screen.query_one("#deadlines-table", DataTable)
        table.focus()
        table.move_cursor(row=next(i for i, r in enumerate(screen.rows) if r.request_id == CLEAN))
        await pilot.press("enter")
        review = await wait_for_screen(pilot, ReviewScreen)
        await wait_for(
            pilot, lambda: CLEAN in screen_text(app) and "due 2018-08-28" in screen_text(app)
        )
        assert review.request_id == CLEAN
        assert "Sign off" not in screen_text(app)
        # Esc goes back where it came from, and says so (not "Queue": a supervisor has none).
        assert "esc Back" in screen_text(app) and "esc Queue" not in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is supervisor)
