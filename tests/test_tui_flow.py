"""The four-eyes flow as people do it at the terminal, against a real store and the real
audio player on ALSA's null device.

alice plays the sample of the clean request and approves; she is refused the second stage;
bob signs in at the same terminal, plays the sample himself, approves and releases; carol,
the supervisor, sees both sign-offs in the history.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from test_tui_support import (
    CLEAN,
    PEOPLE,
    WRONG_CUSTOMER,
    Store,
    detail_of,
    make_app,
    open_request,
    screen_text,
    sign_in,
    wait_for,
    wait_for_screen,
)

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from reviewer.tui.screens.review import ReviewScreen

pytest.importorskip("simpleaudio", reason="simpleaudio is not installed (no ALSA headers)")

SIZE = (120, 40)


async def play_whole_sample(pilot: Pilot[None], screen: ReviewScreen) -> int:
    """Go through the sampled recordings with n, playing each with space to its end."""
    from reviewer.tui.widgets.player import PlayerPane
    from reviewer.tui.widgets.recordings import RecordingsList

    await pilot.press("2")
    recordings = screen.query_one("#recordings-list", RecordingsList)
    player = screen.query_one("#player", PlayerPane)
    sample = set(detail_of(screen).sample.members)
    await wait_for(pilot, lambda: player.player is not None)
    assert player.player is not None
    assert player.player.available, player.player.reason
    heard: set[str] = set()
    while heard != sample:
        if (
            recordings.current is None
            or recordings.current.member not in sample
            or recordings.current.member in heard
        ):
            await pilot.press("n")
        row = recordings.current
        assert row is not None and row.sampled
        await wait_for(
            pilot, lambda row=row: player.item is not None and player.item.member == row.member
        )
        await pilot.press("space")
        await wait_for(pilot, lambda row=row: recordings.is_played(row.member))
        heard.add(row.member)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return len(heard)


async def approve(pilot: Pilot[None], name: str) -> None:
    from textual.widgets import Button, Checkbox, Input

    from reviewer.tui.dialogs.signoff import SignOffDialog

    app = pilot.app
    await pilot.press("s")
    dialog = await wait_for_screen(pilot, SignOffDialog)
    for box in dialog.query(Checkbox):
        box.focus()
        await pilot.press("space")
    for note in dialog.query(".ack-note"):
        assert isinstance(note, Input)
        note.value = "checked and acceptable"
    dialog.query_one("#signoff-passphrase", Input).value = PEOPLE[name][1]
    await pilot.pause()
    assert not dialog.query_one("#signoff-approve", Button).disabled, screen_text(app)
    await pilot.press("f2")
    await wait_for(pilot, lambda: not isinstance(app.screen, SignOffDialog))


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest) -> Store:
    store: Store = request.getfixturevalue("store" if request.param == "sqlite" else "pg_store")
    return store


@pytest.mark.slow(seconds=40)
async def test_four_eyes_flow(any_store: Store, null_audio: Path) -> None:
    from textual.widgets import Button

    from reviewer.tui.dialogs.confirm import ConfirmDialog
    from reviewer.tui.dialogs.signoff import SignOffDialog

    store = any_store  # the store of this run
    app = make_app(store, store.service(fixed=False))  # sign-offs and release on the real clock
    async with app.run_test(size=SIZE) as pilot:
        # 1. alice plays the sample and approves.
        await sign_in(pilot, "alice")
        review = await open_request(pilot, CLEAN)
        played = await play_whole_sample(pilot, review)
        assert played == detail_of(review).sample.size > 0
        await approve(pilot, "alice")
        await wait_for(pilot, lambda: detail_of(review).state.value == "first-signoff")
        assert "alice ✓1st" in screen_text(app)

        # 2. alice is refused the second stage: Approve stays disabled and says why.
        await pilot.press("s")
        dialog = await wait_for_screen(pilot, SignOffDialog)
        assert dialog.query_one("#signoff-approve", Button).disabled
        assert "already signed" in screen_text(app)
        await pilot.press("escape")

        # 3. bob signs in at the same terminal, plays the sample, approves and releases.
        await pilot.press("ctrl+o")
        await sign_in(pilot, "bob")
        review = await open_request(pilot, CLEAN)
        await play_whole_sample(pilot, review)
        await approve(pilot, "bob")
        await wait_for(pilot, lambda: detail_of(review).state.value == "approved")
        await pilot.press("r")
        await wait_for_screen(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for(pilot, lambda: detail_of(review).state.value == "released")
        receipt = json.loads((store.outbox / CLEAN / "release.json").read_text())
        assert (store.outbox / CLEAN / "export.zip").is_file()
        assert {a["name"] for a in receipt["approvers"]} == {"alice", "bob"}

        # 4. carol, the supervisor, sees both sign-offs in the history.
        await pilot.press("escape")
        await pilot.press("ctrl+o")
        await sign_in(pilot, "carol")
        from reviewer.tui.screens.supervisor import SupervisorScreen

        # The supervisor screen loads the history in a worker of its own after sign-in.
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorScreen))
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        await wait_for(pilot, lambda: len(screen.history) >= 2)
        await wait_for(pilot, lambda: CLEAN in screen_text(app))
        text = screen_text(app)
        assert "alice" in text and "bob" in text
        assert {(r.request_id, r.reviewer) for r in screen.history} >= {
            (CLEAN, "alice"),
            (CLEAN, "bob"),
        }


async def test_gate_refusal_as_the_user_sees_it(store: Store, null_audio: Path) -> None:
    """Nothing played yet: Approve is disabled and the dialog says what is missing."""
    from textual.widgets import Button, Checkbox, Input

    from reviewer.tui.dialogs.signoff import SignOffDialog

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, CLEAN)
        size = detail_of(review).sample.size
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SignOffDialog))
        dialog = app.screen
        for box in dialog.query(Checkbox):
            box.value = True
        dialog.query_one("#signoff-passphrase", Input).value = PEOPLE["alice"][1]
        await pilot.pause()
        assert dialog.query_one("#signoff-approve", Button).disabled
        text = screen_text(app)
        assert "Approve is disabled" in text
        assert f"{size} of {size} sampled recordings not yet played" in text
        await pilot.press("f2")  # the key does nothing while the gate does not hold
        await pilot.pause()
        assert isinstance(app.screen, SignOffDialog)
        await pilot.press("escape")
        await pilot.app.workers.wait_for_complete()
        assert detail_of(review).state.value == "pending"


async def test_rejected_wrong_customer_cannot_be_released(store: Store, null_audio: Path) -> None:
    from textual.widgets import Button, Input

    from reviewer.tui.dialogs.signoff import SignOffDialog

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, WRONG_CUSTOMER)
        assert detail_of(review).report.verdict.value == "block"
        await pilot.press("s")
        dialog = await wait_for_screen(pilot, SignOffDialog)
        assert dialog.query_one("#signoff-approve", Button).disabled
        assert "can only be rejected" in screen_text(app)
        dialog.query_one("#signoff-note", Input).value = "another customer's archive (Lukas Brandt)"
        dialog.query_one("#signoff-passphrase", Input).value = PEOPLE["alice"][1]
        await pilot.press("f3")
        await wait_for(pilot, lambda: not isinstance(app.screen, SignOffDialog))
        await wait_for(pilot, lambda: detail_of(review).state.value == "rejected")

        await pilot.press("escape")
        await pilot.press("ctrl+o")
        await sign_in(pilot, "bob")
        review = await open_request(pilot, WRONG_CUSTOMER)
        assert detail_of(review).state.value == "rejected"
        assert not app.screen.check_action("release", ())
        assert not app.screen.check_action("sign_off", ())
        await pilot.press("r")
        await pilot.press("s")
        await pilot.pause()
        assert app.screen is review
        assert not (store.outbox / WRONG_CUSTOMER).exists()
