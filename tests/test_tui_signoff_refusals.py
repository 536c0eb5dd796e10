"""The sign-off dialog says why a sign-off was not recorded, as the user sees it: a wrong
passphrase (and how many tries are left), a lockout (until when), a Reject that is not
allowed (why), and the sampling statement it shows is the one the sign-off records. Real
store, real service, real Argon2; no audio (evidence is recorded through the service)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from test_tui_support import (
    CLEAN,
    PEOPLE,
    WRONG_CUSTOMER,
    Store,
    approve_through_the_service,
    inspect_whole_sample,
    make_app,
    open_request,
    screen_lines,
    screen_text,
    sign_in,
    wait_for,
    wait_for_screen,
)

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from textual.widget import Widget

    from reviewer.store.service import SignOffRow
    from reviewer.tui.dialogs.signoff import SignOffDialog

SIZE = (120, 40)
UNKNOWN_DEVICE = "DSAR-2018-0455"  # 3 recordings from a device the requester never registered


@pytest.fixture(autouse=True)
def _quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")


def recorded(st: Store, request_id: str) -> list[SignOffRow]:
    service = st.service()
    try:
        return [r for r in service.history() if r.request_id == request_id]
    finally:
        service.close()


async def open_signoff(pilot: Pilot[None], request_id: str) -> SignOffDialog:
    from reviewer.tui.dialogs.signoff import SignOffDialog

    await open_request(pilot, request_id)
    await pilot.press("s")
    return await wait_for_screen(pilot, SignOffDialog)


async def type_into(pilot: Pilot[None], widget: Widget, text: str) -> None:
    widget.focus()
    await pilot.pause()
    await pilot.press(*text)


async def attempt(
    pilot: Pilot[None], dialog: SignOffDialog, passphrase: str, key: str = "f3"
) -> None:
    """Type a passphrase, press the key, wait until the service has answered."""
    from textual.widgets import Input

    await type_into(pilot, dialog.query_one("#signoff-passphrase", Input), passphrase)
    await pilot.press(key)
    await pilot.app.workers.wait_for_complete()
    await wait_for(
        pilot,
        lambda: (
            (text := screen_text(pilot.app)).strip() != "" and "Recording the sign-off" not in text
        ),
    )


def flat(text: str) -> str:
    """The screen's text with the dialog's wrapping undone (borders and runs of blanks)."""
    import re

    return re.sub(r"\s+", " ", re.sub(r"[█▊▎▔▁│╭╮╰╯▄▀]", " ", text))


@pytest.mark.slow(seconds=10)
async def test_a_wrong_passphrase_says_so_and_keeps_what_was_typed(store: Store) -> None:
    from textual.widgets import Checkbox, Input

    from reviewer.tui.dialogs.signoff import SignOffDialog

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        dialog = await open_signoff(pilot, WRONG_CUSTOMER)
        box = dialog.query_one("#check-identity_verified", Checkbox)
        box.focus()
        await pilot.press("space")
        note = dialog.query_one("#signoff-note", Input)
        await type_into(pilot, note, "another customer's archive")

        await attempt(pilot, dialog, "not-alices-passphrase")
        assert app.screen is dialog, "the dialog stays open"
        assert "Wrong passphrase (1 of 5 tries before a 15-minute lockout)" in flat(
            screen_text(app)
        )
        assert "the sign-off was not recorded" in flat(screen_text(app))
        assert note.value == "another customer's archive"
        assert box.value, "the reviewer's own tick stays"
        passphrase = dialog.query_one("#signoff-passphrase", Input)
        assert passphrase.value == "" and app.focused is passphrase
        assert "not-alices-passphrase" not in screen_text(app)

        # The focus is back in the passphrase field: what is typed next goes there, and
        # the note is untouched by the second failure too.
        await attempt(pilot, dialog, "still-not-hers")
        assert "Wrong passphrase (2 of 5 tries" in flat(screen_text(app))
        assert note.value == "another customer's archive"

        # The right one records the rejection with the note typed before the failures.
        await attempt(pilot, dialog, PEOPLE["alice"][1])
        await wait_for(pilot, lambda: not isinstance(app.screen, SignOffDialog))
    [row] = recorded(store, WRONG_CUSTOMER)
    assert (row.decision.value, row.note) == ("reject", "another customer's archive")


@pytest.mark.slow(seconds=15)
async def test_five_wrong_passphrases_lock_out_and_say_until_when(store: Store) -> None:
    from textual.widgets import Input

    app = make_app(store)  # the fixed clock: 10:00 UTC, so locked out until 10:15 UTC
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        dialog = await open_signoff(pilot, WRONG_CUSTOMER)
        await type_into(pilot, dialog.query_one("#signoff-note", Input), "wrong customer")
        for n in range(1, 5):
            await attempt(pilot, dialog, f"wrong-passphrase-{n}")
            assert f"Wrong passphrase ({n} of 5 tries" in flat(screen_text(app))
        await attempt(pilot, dialog, "wrong-passphrase-5")
        shown = flat(screen_text(app))
        assert "Locked out until 10:15 UTC" in shown and "not recorded" in shown
        # Even the right passphrase is refused now, and the dialog says so.
        await attempt(pilot, dialog, PEOPLE["alice"][1])
        assert app.screen is dialog
        assert "Locked out until 10:15 UTC" in flat(screen_text(app))
        assert dialog.query_one("#signoff-note", Input).value == "wrong customer"
    assert recorded(store, WRONG_CUSTOMER) == []


@pytest.mark.parametrize(
    ("first", "then"),
    [("alice", "alice"), ("bob", "bob")],
    ids=["reviewer-signed-first-stage", "approver-signed-first-stage"],
)
async def test_a_disabled_reject_says_why(store: Store, first: str, then: str) -> None:
    from textual.widgets import Button

    approve_through_the_service(store, first, CLEAN)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, then)
        dialog = await open_signoff(pilot, CLEAN)
        assert dialog.query_one("#signoff-reject", Button).disabled
        reason = str(dialog.query_one("#signoff-reason").render())
        assert "Reject" in reason and "you already signed this export" in reason
        await pilot.press("f3")
        await pilot.pause()
        assert app.screen is dialog
        assert "Reject is not available: you already signed this export" in flat(screen_text(app))
    assert len(recorded(store, CLEAN)) == 1


@pytest.mark.slow
async def test_the_statement_shown_is_the_statement_recorded(store: Store) -> None:
    from textual.widgets import Input

    from reviewer.tui.dialogs.signoff import SignOffDialog

    inspect_whole_sample(store, "alice", UNKNOWN_DEVICE)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        dialog = await open_signoff(pilot, UNKNOWN_DEVICE)
        shown = str(dialog.query_one("#signoff-sampling").render())
        assert "marked foreign" not in shown
        assert "3 of them named by a critical finding" in shown
        await type_into(pilot, dialog.query_one("#signoff-note", Input), "unregistered device")
        await attempt(pilot, dialog, PEOPLE["alice"][1])
        await wait_for(pilot, lambda: not isinstance(app.screen, SignOffDialog))
    [row] = recorded(store, UNKNOWN_DEVICE)
    assert row.decision.value == "reject"
    assert row.sampling_statement == shown


async def test_no_checklist_item_starts_ticked(store: Store) -> None:
    from textual.widgets import Checkbox

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        dialog = await open_signoff(pilot, WRONG_CUSTOMER)
        boxes = list(dialog.query(Checkbox))
        assert len(boxes) == 5 and not any(b.value for b in boxes)
        # And none looks ticked: an empty box is drawn empty, a ticked one with a tick.
        text = "\n".join(screen_lines(app))
        assert text.count("▐ ▌") == 5 and "✓" not in text and "▐X▌" not in text
        boxes[0].focus()
        await pilot.press("space")
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert boxes[0].value and text.count("▐✓▌") == 1 and text.count("▐ ▌") == 4
