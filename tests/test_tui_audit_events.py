"""The supervisor browses the audit events: `a` from the history, filters by what an event
is about, the person, the kind and dates, a bad date said, an event shown whole; and the
service refuses the events to anyone but a supervisor."""

from __future__ import annotations

import json

import pytest
from test_tui_supervisor import history_rows, open_supervisor, sign_offs
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


async def test_the_supervisor_filters_the_audit_events_and_reads_one_whole(store: Store) -> None:
    from reviewer.tui.screens.audit_events import AuditEventDialog, AuditEventsScreen

    sign_offs(store)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        supervisor = await open_supervisor(pilot)
        supervisor.query_one("#history-table", DataTable).focus()
        await pilot.press("a")
        screen = await wait_for_screen(pilot, AuditEventsScreen)
        await wait_for(pilot, lambda: len(screen.events) > 10)
        assert [e.seq for e in screen.events] == sorted(
            (e.seq for e in screen.events), reverse=True
        )

        async def apply(**values: str) -> None:
            for key, value in values.items():
                screen.query_one(f"#audit-{key}", Input).value = value
            screen.query_one("#audit-about", Input).focus()
            await pilot.press("enter")

        await apply(about=WRONG_CUSTOMER, action="rejection")
        await wait_for(
            pilot, lambda: screen.filters.action == "rejection" and len(screen.events) == 1
        )
        (rejection,) = screen.events
        assert (
            rejection.actor == "alice"
            and WRONG_CUSTOMER in json.dumps(rejection.data) + rejection.subject
        )

        await apply(about="", action="sign-off", actor="bob")
        await wait_for(pilot, lambda: screen.filters.actor == "bob" and len(screen.events) == 1)
        assert (
            screen.events[0].action == "sign-off" and screen.events[0].subject == f"request:{CLEAN}"
        )

        # The store's events are all dated 2018-08-20: the day after shows none.
        await apply(actor="", action="", since="2018-08-21")
        await wait_for(pilot, lambda: screen.filters.since == "2018-08-21" and screen.events == [])
        await apply(since="2018-08-32")
        await wait_for(pilot, lambda: "'2018-08-32' is not a date (YYYY-MM-DD)" in screen_text(app))
        await apply(since="2018-08-20", until="2018-08-20")
        await wait_for(
            pilot, lambda: screen.filters.until == "2018-08-20" and len(screen.events) > 10
        )

        table = screen.query_one("#audit-events-table", DataTable)
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("enter")
        await wait_for_screen(pilot, AuditEventDialog)
        text = screen_text(app)
        assert f"Audit event {screen.events[0].seq}" in text and screen.events[0].hash in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


def test_only_a_supervisor_reads_the_audit_events(store: Store) -> None:
    from reviewer.store.errors import PermissionDenied

    service = store.service()
    try:
        with pytest.raises(PermissionDenied, match="needs the supervisor role"):
            service.audit_events(session_of(service, "bob"))
        events = service.audit_events(session_of(service, "carol"), about="100%_")
        assert events == []  # LIKE's wildcards are taken as the characters they are
        ingests = service.audit_events(session_of(service, "carol"), action="ingest")
        assert ingests and {e.action for e in ingests} == {"ingest"}
    finally:
        service.close()


async def test_the_supervisor_purges_after_seeing_what_is_due(store: Store) -> None:
    from reviewer.tui.dialogs.confirm import ConfirmDialog
    from reviewer.tui.dialogs.policy import PolicyDialog

    sign_offs(store)  # two rejections, one approval not released
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        supervisor = await open_supervisor(pilot)
        # The retention period is the supervisor's to set, in the policy dialog.
        supervisor.query_one("#history-table", DataTable).focus()
        await pilot.press("p")
        policy = await wait_for_screen(pilot, PolicyDialog)
        policy.query_one("#policy-retention", Input).value = "0"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "kept 0 days after a decision" in screen_text(app))

        supervisor.query_one("#history-table", DataTable).focus()
        await pilot.press("x")
        dialog = await wait_for_screen(pilot, ConfirmDialog)
        message = dialog._message  # what the dialog asks
        assert "2 request(s) were decided more than 0 days ago" in message
        assert "2 request(s) were decided" in screen_text(app)
        assert WRONG_CUSTOMER in message and CLEAN not in message  # approved, not released
        await pilot.press("y")
        await wait_for(
            pilot, lambda: "Purged the personal content of 2 request(s)" in screen_text(app)
        )
        assert app.screen is supervisor
        # Every decision is still in the history, and the chain verifies.
        await wait_for(pilot, lambda: supervisor.audit is not None and supervisor.audit.ok)
        assert {r[1] for r in history_rows(supervisor)} >= {WRONG_CUSTOMER, CLEAN}
