"""The app's screens one at a time, against a real store built from the sample archives:
sign-in, the queue's filter and sort, the review screen's panes, help, the command palette,
and how a failure reaches the user."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from test_tui_support import (
    CLEAN,
    PEOPLE,
    THIRD_PARTY,
    WRONG_CUSTOMER,
    Store,
    approve_through_the_service,
    detail_of,
    listed,
    make_app,
    open_request,
    screen_text,
    searching,
    sign_in,
    wait_for,
)

if TYPE_CHECKING:
    from textual.worker import Worker

SIZE = (120, 40)
OTHER_LAYOUT = "DSAR-2019-0107"


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


# ---------------------------------------------------------------------- sign-in


async def test_wrong_passphrase_is_refused_in_one_line(store: Store) -> None:
    from textual.widgets import Input

    from reviewer.tui.screens.signin import SignInScreen

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SignInScreen)
        screen.query_one("#signin-name", Input).value = "alice"
        screen.query_one("#signin-passphrase", Input).value = "not-alices-passphrase"
        screen.query_one("#signin-passphrase", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Checking" not in screen_text(app))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.user is None
        assert isinstance(app.screen, SignInScreen)
        assert screen.query_one("#signin-passphrase", Input).value == ""
        message = str(screen.query_one("#signin-message").render())
        assert message.strip() and "\n" not in message.strip()
        assert "not-alices-passphrase" not in screen_text(app)


async def test_demo_passphrases_only_on_the_demo_store(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Demo store" not in screen_text(app)
        assert PEOPLE["alice"][1] not in screen_text(app)

    service = store.service()
    service.mark_demo([(n, role, pw) for n, (role, pw) in PEOPLE.items()])
    app = make_app(store, service)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "Demo store" in text
        assert PEOPLE["alice"][1] in text and PEOPLE["bob"][1] in text


async def test_passphrase_field_is_masked(store: Store) -> None:
    from textual.widgets import Input, Label

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        box = app.screen.query_one("#signin-passphrase", Input)
        assert box.password
        labels = [str(label.render()) for label in app.screen.query(Label)]
        assert "Passphrase" in labels
        box.focus()
        await pilot.press(*"secret-words")
        assert "secret-words" not in screen_text(app)


async def test_supervisor_lands_on_the_supervisor_screen(store: Store) -> None:
    from reviewer.tui.screens.supervisor import SupervisorScreen

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "carol")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorScreen))


# ---------------------------------------------------------------------- queue


async def test_queue_lists_every_request_and_filters(store: Store) -> None:
    from test_tui_support import sample_dirs
    from textual.coordinate import Coordinate
    from textual.widgets import DataTable

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        table = app.screen.query_one("#queue-table", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        assert table.row_count == len(sample_dirs())
        text = screen_text(app)
        for request_id in (CLEAN, WRONG_CUSTOMER, THIRD_PARTY):
            assert request_id in text

        await pilot.press("slash")
        await pilot.press(*"verdict:pass")
        await pilot.pause()
        shown = {
            table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value
            for i in range(table.row_count)
        }
        assert CLEAN in shown and WRONG_CUSTOMER not in shown

        await pilot.press("enter", "escape")
        await pilot.pause()
        assert table.row_count == len(sample_dirs())

        await pilot.press("s")  # sort by verdict: every block before any pass
        await pilot.pause()
        verdicts = [
            str(table.get_cell_at(Coordinate(i, 2))).strip() for i in range(table.row_count)
        ]
        assert verdicts.index("PASS") > max(i for i, v in enumerate(verdicts) if v == "BLOCK")


async def test_a_filter_that_cannot_match_says_why(store: Store) -> None:
    from textual.widgets import DataTable, Static

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        table = app.screen.query_one("#queue-table", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        status = app.screen.query_one("#queue-status", Static)
        for query, says in (
            (
                "state:bogus",
                "no state starts with 'bogus': pending, lapsed, first-signoff, approved",
            ),
            ("verdict:maybe", "no verdict starts with 'maybe': block, review, pass"),
            ("colour:red", "colour: is not a filter (state:, verdict:, signed:, held:)"),
        ):
            await pilot.press("slash", *query)
            await pilot.pause()
            assert table.row_count == 0
            assert says in str(status.render())
            await pilot.press("escape")
            await pilot.pause()
        await pilot.press("slash", *"state:pend")
        await pilot.pause()
        assert table.row_count > 0 and "sorted by" in str(status.render())


async def test_queue_fits_every_column_at_80_columns(store: Store) -> None:
    from textual.widgets import DataTable

    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "alice")
        table = app.screen.query_one("#queue-table", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "Requester" in line)
        assert header.split() == [
            *("Request", "Requester", "Verdict", "State", "Due", "Signed", "by", "Held", "by")
        ]
        row = next(line for line in lines if CLEAN in line)
        # An open request says how urgent it is; the signers' and the holder's columns are on
        # screen (screen_text leaves out the blank cells between two dimmed dashes).
        assert re.search(r"pending\s+(in \d+d|today|\d+d late)\s+-\s*-$", row.rstrip()), row


async def test_queue_keeps_every_signer_in_view_at_80_columns(store: Store) -> None:
    from textual.widgets import DataTable

    other_layout = "DSAR-2019-0107"
    approve_through_the_service(store, "alice", CLEAN)
    approve_through_the_service(store, "bob", CLEAN)
    approve_through_the_service(store, "alice", other_layout)

    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, "alice")
        table = app.screen.query_one("#queue-table", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0)
        lines = screen_text(app).splitlines()
        approved = next(line for line in lines if CLEAN in line)
        first = next(line for line in lines if other_layout in line)
        assert "approved" in approved and approved.rstrip().endswith("alice✓, bob✓")
        assert "first-signoff" in first and first.rstrip().endswith("alice✓")
        assert all(len(line.rstrip()) <= 80 for line in lines)


# ---------------------------------------------------------------------- review


@pytest.mark.parametrize("size", [SIZE, (80, 24)], ids=["120x40", "80x24"])
async def test_review_shows_profile_findings_and_verdict(
    store: Store, size: tuple[int, int]
) -> None:
    # Even at 80x24 the reviewer sees, without scrolling, that the requester has no devices
    # beside the finding that the export is someone else's.
    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        await sign_in(pilot, "alice")
        await open_request(pilot, WRONG_CUSTOMER)
        text = screen_text(app)
        assert "BLOCK" in text
        assert "Jonas Weber" in text and "A3KX9ZQ2M7T1LB" in text
        assert "No devices registered" in text
        assert "CRITICAL" in text and "[wrong-customer]" in text


async def test_number_keys_open_every_tab_from_any_tab(store: Store) -> None:
    # The focus goes with the tab: a widget left focused in the tab being left must not
    # pull the view back to it (the catalogue once stayed on the overview this way).
    from textual.widgets import TabbedContent

    from reviewer.tui.screens.review import PRIMARY

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, THIRD_PARTY)
        tabs = review.query_one("#review-tabs", TabbedContent)
        assert app.focused is not None and app.focused.id == "findings"
        order = ["catalogue", "overview", "members", "timeline", "recordings", "catalogue"]
        for tab in order:
            await pilot.press(str(list(PRIMARY).index(tab) + 1))
            await pilot.pause()
            assert tabs.active == tab
            assert app.focused is not None and app.focused.id == PRIMARY[tab]


async def test_a_json_history_shows_the_device_serial_and_no_false_alarm(store: Store) -> None:
    # DSAR-2019-0107's voice history is JSON with the device as an object; the requester's
    # own Echo Dot must read as its serial, and the timeline must not call it a stranger.
    from reviewer.tui.screens.review import PRIMARY
    from reviewer.tui.widgets.recordings import RecordingsList

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, OTHER_LAYOUT)
        await pilot.press(str(list(PRIMARY).index("recordings") + 1))
        await wait_for(pilot, lambda: review.query_one(RecordingsList).row_count == 6)
        await pilot.pause()
        text = screen_text(app)
        rows = [line for line in text.splitlines() if "2018-11-01" in line]
        assert rows and "G090LF1203380H2N" in rows[0]
        assert "{" not in text and "serial" not in text
        await pilot.press(str(list(PRIMARY).index("timeline") + 1))
        await pilot.pause()
        text = screen_text(app)
        assert "never registered" not in text and "⚠" not in text
        assert "Salón 380H2N" in text


async def test_selecting_a_finding_jumps_to_its_members(store: Store) -> None:
    from textual.widgets import TabbedContent

    from reviewer.tui.widgets.findings import FindingsList
    from reviewer.tui.widgets.members import MembersList

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, WRONG_CUSTOMER)
        findings = review.query_one("#findings", FindingsList)
        finding = detail_of(review).report.findings[0]
        assert finding.code == "wrong-customer"
        findings.focus()
        findings.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        tabs = review.query_one("#review-tabs", TabbedContent)
        members = review.query_one("#members-list", MembersList)
        assert tabs.active in ("members", "recordings")
        if tabs.active == "members":
            assert members.current is not None and members.current.path in finding.members
        await pilot.press("m")  # only the finding's members
        await pilot.pause()
        if tabs.active == "members":
            assert members.row_count == len(
                set(finding.members) & {m.path for m in detail_of(review).index.members}
            )


async def test_member_preview_reads_the_archive(store: Store) -> None:
    from reviewer.tui.widgets.members import MembersList

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, CLEAN)
        await pilot.press("5")
        members = review.query_one("#members-list", MembersList)
        assert members.select_path("Retail/OrderHistory.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "order_id" in screen_text(app))
        assert "Retail/OrderHistory.csv" in screen_text(app)
        assert members.select_path("Account/Profile.json")
        await pilot.press("enter")
        await wait_for(pilot, lambda: '"customer_id"' in screen_text(app))
        assert "Eleanor Whitfield" in screen_text(app)
        await app.workers.wait_for_complete()
        detail = app.service.request_detail(CLEAN)
        viewed = {
            e.target for e in detail.evidence.get("alice", ()) if e.kind.value == "viewed_member"
        }
        assert {"Retail/OrderHistory.csv", "Account/Profile.json"} <= viewed


async def test_a_member_that_cannot_be_previewed_says_why_in_full(store: Store) -> None:
    from textual.widgets import Static

    from reviewer.tui.widgets.member_preview import MemberPreview
    from reviewer.tui.widgets.members import MembersList

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, "DSAR-2018-0488")  # the hostile archive
        await pilot.press("5")
        members = review.query_one("#members-list", MembersList)
        preview = review.query_one("#member-preview", MemberPreview)
        body = preview.query_one("#preview-body", Static)
        for path, why in (
            ("Alexa/Audio/latest.wav", "refused: member is a symbolic link"),
            ("Devices/DeviceLog.csv", "the member is truncated"),
        ):
            assert members.select_path(path)
            await pilot.press("enter")
            await wait_for(pilot, lambda path=path: f"Cannot preview {path}" in str(body.render()))
            await pilot.pause()
            # The path is said once, and the reason is wrapped inside the pane, none of it cut.
            assert str(body.render()) == f"Cannot preview {path}: {why}"
            assert body.size.width <= preview.scrollable_content_region.width
            assert preview.max_scroll_x == 0


async def test_catalogue_highlights_third_party_names(store: Store) -> None:
    from reviewer.tui.widgets.catalogue import TranscriptCatalogue

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, THIRD_PARTY)
        await pilot.press("slash")
        await pilot.pause()
        catalogue = review.query_one("#catalogue-pane", TranscriptCatalogue)
        await pilot.press(*"Kowalski", "enter")
        await pilot.pause()
        assert catalogue.view.matches
        from reviewer.tui.terms import gather_terms

        d = detail_of(review)
        terms = gather_terms(d.request, d.index, d.report.findings)
        assert {"Declan Murphy", "Fiona Gallagher"} <= set(terms.third_party)
        assert d.request.requester.name in terms.requester


# ---------------------------------------------------------------------- help, palette, failures


async def test_help_lists_every_key_of_the_screen(store: Store) -> None:
    from textual.binding import Binding

    from reviewer.tui.screens.help import HelpScreen
    from reviewer.tui.screens.review import ReviewScreen

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        await open_request(pilot, CLEAN)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        listed = {description: keys for keys, description in help_screen.entries}
        for binding in ReviewScreen.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action in ("release", "back_elsewhere"):
                continue  # only while it applies; Esc is "Queue" when opened from the queue
            assert binding.description in listed, binding.description
        assert listed["Sign off"] == "s"
        assert "Switch user" in listed and "Help" in listed
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_offers_the_screens_actions(store: Store) -> None:
    from textual.command import CommandPalette

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, WRONG_CUSTOMER)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"sign off")
        await wait_for(pilot, lambda: "Sign off" in screen_text(app))
        await pilot.press("escape")
        await pilot.pause()
        assert not review.check_action("release", ())  # pending: release is never offered
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"release")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await wait_for(pilot, lambda: not searching(palette))  # the search has finished
        assert "Release the approved export" not in listed(palette)
        assert "Release the approved export" not in screen_text(app)


async def test_a_failure_becomes_an_error_dialog(store: Store) -> None:
    from reviewer.tui.dialogs.error import ErrorDialog
    from reviewer.tui.screens.review import ReviewScreen

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        app.push_screen(ReviewScreen("DSAR-0000-0000"))
        await wait_for(pilot, lambda: isinstance(app.screen, ErrorDialog))
        await pilot.pause()
        text = screen_text(app)
        assert "Could not open the request" in text
        assert "DSAR-0000-0000" in text
        assert "Traceback" not in text
        await pilot.press("enter")
        assert not isinstance(app.screen, ErrorDialog)


async def test_transcripts_count_as_read_only_when_on_screen(store: Store) -> None:
    """Opening a request highlights its first recording in a hidden tab: that is not evidence.
    The transcript beside the player in the Recordings tab is."""
    from reviewer.tui.widgets.recordings import RecordingsList

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, CLEAN)
        await pilot.pause(0.6)
        await app.workers.wait_for_complete()

        def viewed() -> set[str]:
            detail = app.service.request_detail(CLEAN)
            return {
                e.target
                for e in detail.evidence.get("alice", ())
                if e.kind.value == "viewed_transcript"
            }

        assert viewed() == set()
        await pilot.press("2")
        first = review.query_one("#recordings-list", RecordingsList).current
        assert first is not None
        await wait_for(pilot, lambda: viewed() == {first.member})


async def test_passphrase_never_in_a_worker_description(store: Store) -> None:
    """Workers are listed and logged by their description; a passphrase must not be in it."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        descriptions: list[str] = []
        original = app.workers.add_worker

        def spy(worker: Worker[Any], start: bool = True, exclusive: bool = True) -> None:
            descriptions.append(f"{worker!r} {worker.description}")
            return original(worker, start, exclusive)

        app.workers.add_worker = spy  # type: ignore[method-assign]
        await sign_in(pilot, "alice")
        assert descriptions
        assert not any(PEOPLE["alice"][1] in d for d in descriptions)
