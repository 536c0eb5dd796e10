"""The supervisor screen against a real store: history, filters, figures, the audit chain's
status, CSV export, and snapshots at 120x40 and 80x24."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import SnapCompare
from test_tui_support import (
    CLEAN,
    PEOPLE,
    THIRD_PARTY,
    WRONG_CUSTOMER,
    Store,
    field_value,
    inspect_whole_sample,
    make_app,
    screen_text,
    session_of,
    sign_in,
    wait_for,
    wait_for_screen,
)
from textual.widgets import DataTable, Input, Select

from reviewer.domain.signoff import CHECKLIST_KEYS

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from reviewer.tui.dialogs.policy import PolicyDialog
    from reviewer.tui.screens.supervisor import SupervisorScreen


def sign_offs(store: Store) -> None:
    """alice and bob approve the clean request after playing its sample; alice rejects the
    wrong customer's export; dave rejects the third-party one."""
    svc = store.service()
    try:
        detail = svc.request_detail(CLEAN)
        for who in ("alice", "bob"):
            inspect_whole_sample(store, who, CLEAN)
            svc.sign_off(
                who,
                PEOPLE[who][1],
                detail.version_id,
                "approve",
                f"sample heard in full by {who}",
                dict.fromkeys(CHECKLIST_KEYS, True),
            )
        wrong = svc.request_detail(WRONG_CUSTOMER)
        svc.reject("alice", PEOPLE["alice"][1], wrong.version_id, "another customer's archive")
        third = svc.request_detail(THIRD_PARTY)
        svc.reject("dave", PEOPLE["dave"][1], third.version_id, "names a neighbour: redact first")
    finally:
        svc.close()


def history_rows(screen: SupervisorScreen) -> list[list[str]]:
    table = screen.query_one("#history-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def open_supervisor(pilot: Pilot[None]) -> SupervisorScreen:
    from reviewer.tui.screens.supervisor import SupervisorScreen

    await sign_in(pilot, "carol")
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, SupervisorScreen))
    screen = app.screen
    assert isinstance(screen, SupervisorScreen)
    await wait_for(pilot, lambda: screen.audit is not None and bool(screen.figures))
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_the_supervisor_sees_every_sign_off_and_the_figures(store: Store) -> None:
    sign_offs(store)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        rows = history_rows(screen)
        assert {(r[1], r[2], r[4]) for r in rows} == {
            (CLEAN, "alice", "approve"),
            (CLEAN, "bob", "approve"),
            (WRONG_CUSTOMER, "alice", "reject"),
            (THIRD_PARTY, "dave", "reject"),
        }
        text = screen_text(app)
        assert "sample heard in full by bob" in text
        figures = {f.name: f for f in screen.figures}
        assert figures["alice"].reviews == 2 and figures["bob"].reviews == 1
        assert figures["carol"].reviews == 0
        table = screen.query_one("#figures-table", DataTable)
        alice = [str(c) for c in table.get_row("alice")]
        assert alice[:3] == ["alice", "reviewer", "2"]
        assert alice[4] == "4.0"  # 8 recordings played over her 2 reviews
        assert alice[5] == "0"
        assert alice[6] == "bob ×1"
        assert "Audit chain: ✓ chain verifies" in text

        # c copies the chain's head hash; v verifies the chain again.
        screen.query_one("#history-table", DataTable).focus()
        await pilot.press("c")
        assert screen.audit is not None and len(screen.audit.head) == 64
        assert app.clipboard == screen.audit.head
        first = screen.audit
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.audit is not first and screen.audit.ok
        assert screen.audit.events == first.events


async def test_filters_narrow_the_history(store: Store) -> None:
    sign_offs(store)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        screen.query_one("#filter-reviewer", Select).value = "alice"
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert {(r[1], r[4]) for r in history_rows(screen)} == {
            (CLEAN, "approve"),
            (WRONG_CUSTOMER, "reject"),
        }
        screen.query_one("#filter-decision", Select).value = "reject"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [(r[1], r[2]) for r in history_rows(screen)] == [(WRONG_CUSTOMER, "alice")]
        table = screen.query_one("#history-table", DataTable)
        assert table.border_subtitle == "1 · by alice, rejects only"

        # Escape clears every filter.
        table.focus()
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(history_rows(screen)) == 4

        # The test store's sign-offs are all dated 2018-08-20.
        # Each typed date posts a message that starts a load: wait for what the table shows.
        since = screen.query_one("#filter-since", Input)
        since.value = "2018-08-21"
        await wait_for(pilot, lambda: history_rows(screen) == [])
        since.value = "2018-08-20"
        screen.query_one("#filter-until", Input).value = "2018-08-20"
        await wait_for(pilot, lambda: len(history_rows(screen)) == 4)
        assert table.border_subtitle.startswith("4 · ")


async def test_a_bad_date_is_said_and_the_history_stays(store: Store) -> None:
    sign_offs(store)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        screen.query_one("#filter-since", Input).value = "2018-13-01"
        await pilot.pause()
        assert "from: not a date (use YYYY-MM-DD)" in screen_text(app)
        assert len(history_rows(screen)) == 4


async def test_csv_export_writes_the_filtered_history(store: Store, tmp_path: Path) -> None:
    from reviewer.tui.dialogs.export_csv import ExportCsvDialog

    sign_offs(store)
    app = make_app(store)
    target = tmp_path / "reports" / "rejections.csv"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        screen.query_one("#filter-decision", Select).value = "reject"
        await app.workers.wait_for_complete()
        screen.query_one("#history-table", DataTable).focus()
        await pilot.press("e")
        await wait_for_screen(pilot, ExportCsvDialog)
        assert "Rows: rejects only." in screen_text(app)
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.is_file())
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"Wrote 2 sign-offs to {target}" in screen_text(app)
    with target.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted((r["request_id"], r["reviewer"], r["decision"]) for r in rows) == [
        (WRONG_CUSTOMER, "alice", "reject"),
        (THIRD_PARTY, "dave", "reject"),
    ]
    assert {r["version"] for r in rows} == {"1"}  # the version as people read it (v1)


async def test_the_disclosure_record_of_the_request_under_the_cursor(store: Store) -> None:
    import json

    sign_offs(store)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        await app.workers.wait_for_complete()
        table = screen.query_one("#history-table", DataTable)
        table.focus()
        row = screen.history[table.cursor_row]
        await pilot.press("o")
        exports = Path(store.url.removeprefix("sqlite:///")).parent / "exports"
        await wait_for(pilot, lambda: len(list(exports.glob("disclosure-record-*.json"))) == 1)
        await app.workers.wait_for_complete()
    [written] = exports.glob("disclosure-record-*.json")
    record = json.loads(written.read_text())
    assert record["request"]["request_id"] == row.request_id
    assert row.reviewer in [s["name"] for s in record["signers"]]
    assert written.with_suffix(".html").is_file() and written.stat().st_mode & 0o077 == 0


async def test_a_tampered_audit_chain_shows_in_red(store: Store) -> None:
    sign_offs(store)
    # Someone with the database file drops the append-only trigger and edits an event.
    db = store.root / "store" / "reviewer.db"
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    con.execute("UPDATE audit_event SET actor = 'mallory' WHERE seq = 3")
    con.commit()
    con.close()
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        assert screen.audit is not None and not screen.audit.ok
        line = screen.query_one("#audit-status")
        assert line.has_class("-broken")
        text = screen_text(app)
        assert "Audit chain: ✗ event" in text


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_supervisor_snapshot(
    store: Store, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    sign_offs(store)
    app = make_app(store)

    async def run_before(pilot: Pilot[None]) -> None:
        await open_supervisor(pilot)
        # The history has a row under the cursor, so the footer offers its details.
        await wait_for(pilot, lambda: "d Details" in screen_text(pilot.app))
        # Tables size their columns on an idle refresh after rows arrive: wait until the
        # screen has stopped changing before the picture is taken.
        seen, steady = "", 0
        while steady < 3:
            await pilot.pause(0.05)
            now = screen_text(pilot.app)
            seen, steady = now, (steady + 1 if now == seen else 0)

    assert snap_compare(app, run_before=run_before, terminal_size=size)


async def test_enter_shows_everything_a_sign_off_recorded(store: Store) -> None:
    from reviewer.tui.dialogs.signoff_detail import SignOffDetailDialog
    from reviewer.tui.screens.supervisor import SupervisorScreen

    sign_offs(store)
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        table = screen.query_one("#history-table", DataTable)
        table.focus()
        bob = next(i for i, r in enumerate(history_rows(screen)) if r[2] == "bob")
        table.move_cursor(row=bob)
        await pilot.press("enter")
        await wait_for_screen(pilot, SignOffDetailDialog)
        text = screen_text(app)
        assert "approver" in text and "second" in text
        assert "✓ The requester's identity was verified" in text
        assert "✓ Delivery goes to the verified contact" in text
        assert "sample heard in full by bob" in text
        # The statement bob's sign-off recorded: what he had inspected when he signed.
        recorded = next(r for r in screen.history if r.reviewer == "bob")
        assert recorded.sampling_statement
        assert field_value(app, "Sampling") == recorded.sampling_statement
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorScreen))


async def open_policy(pilot: Pilot[None], screen: SupervisorScreen) -> PolicyDialog:
    """Press p on the supervisor's history and wait for the policy dialog."""
    from reviewer.tui.dialogs.policy import PolicyDialog

    screen.query_one("#history-table", DataTable).focus()
    await pilot.press("p")
    return await wait_for_screen(pilot, PolicyDialog)


async def test_the_supervisor_changes_the_policy_and_it_is_audited(store: Store) -> None:
    from reviewer.tui.dialogs.policy import PolicyDialog
    from reviewer.tui.screens.supervisor import SupervisorScreen

    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        assert screen.audit is not None
        events_before = screen.audit.events
        dialog = await open_policy(pilot, screen)
        assert dialog.query_one("#policy-confidence", Input).value == "95"
        assert dialog.query_one("#policy-fraction", Input).value == "5"
        assert dialog.query_one("#policy-days", Input).value == "7"
        assert "The defaults: never changed by a supervisor." in screen_text(app)
        # A typo is said in the dialog, which stays open.
        dialog.query_one("#policy-days", Input).value = "a week"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PolicyDialog)
        assert "unlock lapse: a whole number of days" in screen_text(app)
        dialog.query_one("#policy-days", Input).value = "7"
        dialog.query_one("#policy-confidence", Input).value = "99"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Policy saved: 99% confidence of catching a 5% foreign share" in screen_text(app)
        assert screen.audit.events == events_before + 1

        # Out of range: the dialog says why, with the store's own rule, and stays open.
        await pilot.press("p")
        await wait_for_screen(pilot, PolicyDialog)
        assert "Last changed by carol on 2018-08-20 10:00 UTC." in screen_text(app)
        app.screen.query_one("#policy-confidence", Input).value = "40"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PolicyDialog)
        assert "the sampling confidence must be 90% to 99.9%" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        assert screen.audit.events == events_before + 1
    svc = store.service()
    try:
        policy = svc.policy()
    finally:
        svc.close()
    assert policy.sample_confidence == pytest.approx(0.99)
    assert policy.updated_by == "carol"


ACK_NOTE = "Names redacted by pipeline team"


def acknowledged_sign_off(store: Store) -> None:
    """alice plays the third-party export's sample and approves it, acknowledging its one
    warning (third-party-names) with a note."""
    svc = store.service()
    try:
        detail = svc.request_detail(THIRD_PARTY)
        inspect_whole_sample(store, "alice", THIRD_PARTY)
        gate = svc.gate("alice", detail.version_id)
        svc.sign_off(
            "alice",
            PEOPLE["alice"][1],
            detail.version_id,
            "approve",
            "third parties redacted",
            dict.fromkeys(CHECKLIST_KEYS, True),
            {w.key: ACK_NOTE for w in gate.warnings},
        )
    finally:
        svc.close()


async def test_the_sign_off_detail_scrolls_to_its_end_at_80x24(store: Store) -> None:
    from reviewer.tui.dialogs.signoff_detail import SignOffDetailDialog
    from reviewer.tui.screens.supervisor import SupervisorScreen

    acknowledged_sign_off(store)
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_supervisor(pilot)
        table = screen.query_one("#history-table", DataTable)
        table.focus()
        table.move_cursor(
            row=next(i for i, r in enumerate(history_rows(screen)) if r[1] == THIRD_PARTY)
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SignOffDetailDialog))
        await pilot.pause()
        text = screen_text(app)
        assert f"Sign-off by alice on {THIRD_PARTY}" in text
        assert "Esc closes." in text
        # The dialog does not fit 24 rows: the warnings are below the fold, a scrollbar shows.
        assert ACK_NOTE not in text
        body = app.screen.query_one("#signoff-detail-scroll")
        assert app.screen.focused is body
        assert body.max_scroll_y > 0 and body.show_vertical_scrollbar
        await pilot.press("end")
        await wait_for(pilot, lambda: body.scroll_y == body.max_scroll_y)
        text = screen_text(app)
        assert "Warnings acknowledged" in text
        assert "third-party-names — Transcripts name 3 people" in text
        assert ACK_NOTE in text
        assert "0:third-party-names" not in text
        assert "Esc closes." in text
        # Home goes back up, Page Down comes down again.
        await pilot.press("home")
        await wait_for(pilot, lambda: body.scroll_y == 0)
        assert ACK_NOTE not in screen_text(app)
        await pilot.press("pagedown", "pagedown")
        await wait_for(pilot, lambda: body.scroll_y == body.max_scroll_y)
        assert ACK_NOTE in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorScreen))


async def test_the_csv_names_acknowledged_warnings_by_code(store: Store, tmp_path: Path) -> None:
    acknowledged_sign_off(store)
    target = tmp_path / "history.csv"
    svc = store.service()
    try:
        assert svc.history_csv(session_of(svc, "carol"), target) == 1
    finally:
        svc.close()
    with target.open(newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["request_id"] == THIRD_PARTY
    assert row["acknowledged"] == f"third-party-names: {ACK_NOTE}"


async def test_a_policy_value_out_of_range_is_said_in_the_dialog(store: Store) -> None:

    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_supervisor(pilot)
        assert screen.audit is not None
        events_before = screen.audit.events
        dialog = await open_policy(pilot, screen)
        dialog.query_one("#policy-fraction", Input).value = "10"
        confidence = dialog.query_one("#policy-confidence", Input)
        confidence.value = "150"
        dialog.query_one("#policy-days", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        # The dialog stays open with what was typed, the reason under the field, focus on it.
        assert app.screen is dialog
        assert confidence.value == "150"
        assert dialog.query_one("#policy-fraction", Input).value == "10"
        assert dialog.focused is confidence
        lines = [line.strip(" ┃▎▊│") for line in screen_text(app).splitlines()]
        row = next(i for i, line in enumerate(lines) if "Confidence (%)" in line)
        below = "\n".join(lines[row : row + 5])
        assert "the sampling confidence must be 90% to 99.9%" in below
        assert "Policy not changed" not in screen_text(app)

        # Fixed, it saves; the error goes.
        confidence.value = "99"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.audit.events == events_before + 1
    svc = store.service()
    try:
        policy = svc.policy()
    finally:
        svc.close()
    assert policy.sample_confidence == pytest.approx(0.99)
    assert policy.sample_min_foreign_fraction == pytest.approx(0.10)


async def test_a_sign_off_by_a_new_account_is_flagged_for_the_supervisor(store: Store) -> None:
    """dave's account was re-enabled today, just before he rejected: the history says so."""
    svc = store.service()
    try:
        carol = session_of(svc, "carol")
        svc.disable_user(carol, "dave")
        svc.enable_user(session_of(svc, "carol"), "dave")
        third = svc.request_detail(THIRD_PARTY)
        svc.reject("dave", PEOPLE["dave"][1], third.version_id, "names a neighbour")
    finally:
        svc.close()
    app = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_supervisor(pilot)
        assert [r[2] for r in history_rows(screen)] == ["dave (new)"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: "re-enabled shortly before" in screen_text(app))


async def test_verify_again_shows_when_it_was_checked(store: Store) -> None:
    """v checks the chain again, and the line says when (on the store's real clock here)."""
    import re
    import time

    app = make_app(store, store.service(fixed=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_supervisor(pilot)

        def checked() -> str:
            found = re.search(r"verifies: .* · (\d\d:\d\d:\d\d) UTC", screen_text(app))
            return found.group(1) if found else ""

        first = checked()
        assert first
        # Check again until the clock has moved on a second (a condition, with a generous
        # limit, not a pause): the line then shows the new time.
        give_up = time.monotonic() + 30
        while checked() in ("", first) and time.monotonic() < give_up:
            await pilot.press("v")
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert checked() not in ("", first)
