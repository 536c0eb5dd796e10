"""Correcting a flagged export at the terminal: alice marks a stranger's recording, takes the
findings' suggestions, is told the mark still stands, withholds the recording, applies the
corrections and gets the corrected version, proven; the sign-off dialog of that version
lists the corrections and the proof and asks the signer to confirm they reviewed them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from test_tui_support import (
    THIRD_PARTY,
    Store,
    detail_of,
    make_app,
    open_request,
    screen_text,
    sign_in,
    wait_for,
)

if TYPE_CHECKING:
    from textual.pilot import Pilot

SIZE = (120, 40)


async def answer(pilot: Pilot[None], note: str) -> None:
    """Fill the open mark or correction dialog's note and press OK."""
    from textual.widgets import Input

    from reviewer.tui.dialogs.correction import CorrectionDialog

    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, CorrectionDialog))
    app.screen.query_one("#correction-note", Input).value = note
    await pilot.click("#correction-ok")


@pytest.mark.slow
async def test_mark_correct_apply_and_sign_the_corrected_version(
    store: Store, null_audio: Path
) -> None:
    from reviewer.tui.dialogs.confirm import ConfirmDialog
    from reviewer.tui.dialogs.signoff import SignOffDialog
    from reviewer.tui.screens.review import ReviewScreen
    from reviewer.tui.widgets.recordings import RecordingsList

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, THIRD_PARTY)
        v1 = detail_of(review).version_id
        # A stranger's voice in the second recording: marked where it is heard.
        await pilot.press("2")
        recordings = review.query_one("#recordings-list", RecordingsList)
        recordings.cursor = 1
        marked = recordings.current
        assert marked is not None
        await pilot.press("m")
        await answer(pilot, "a stranger's voice")
        await wait_for(pilot, lambda: len(detail_of(review).marks) == 1)
        assert detail_of(review).marks[0].target == marked.member
        # The findings' suggestions, one key away.
        await pilot.press("6")
        await pilot.press("f")
        await wait_for(pilot, lambda: len(detail_of(review).corrections) == 3)
        text = screen_text(app)
        assert "Proposed corrections (3)" in text and "by alice: a stranger's voice" in text
        # Applying now would keep the marked recording: refused, with the way out.
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: "foreign mark stands" in screen_text(app))
        await pilot.press("escape")
        # Withhold it from the Recordings tab, then apply.
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("2")
        recordings.cursor = 1
        await pilot.press("w")
        await answer(pilot, "not her voice")
        await wait_for(pilot, lambda: len(detail_of(review).corrections) == 4)
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: detail_of(review).version_id != v1, limit_s=60)
        d = detail_of(review)
        assert d.corrected_from == 1 and d.correction is not None and d.correction["proof"]["ok"]
        assert marked.member not in {m.path for m in d.index.members}
        await pilot.press("6")
        await pilot.pause()
        text = screen_text(app)
        assert "Corrected from version 1" in text and "proven: redacted texts are gone" in text
        assert "v2" in text
        # The sign-off dialog lists the corrections and the proof, and asks to confirm them.
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SignOffDialog))
        dialog = app.screen
        assert dialog.query_one("#check-corrections_reviewed") is not None
        text = screen_text(app)
        assert "Corrections in this version" in text
        assert 'redact "Declan Murphy" everywhere' in text
        await pilot.press("escape")


async def test_redact_a_text_and_silence_a_span_while_listening(
    store: Store, null_audio: Path
) -> None:
    from textual.widgets import Input

    from reviewer.domain.corrections import CorrectionKind
    from reviewer.tui.dialogs.correction import CorrectionDialog
    from reviewer.tui.widgets.player import PlayerPane
    from reviewer.tui.widgets.recordings import RecordingsList

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "bob")
        review = await open_request(pilot, THIRD_PARTY)
        # x: a text to redact everywhere, typed in the dialog.
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, CorrectionDialog))
        app.screen.query_one("#correction-text", Input).value = "Fiona Gallagher"
        await answer(pilot, "a friend's name")
        await wait_for(pilot, lambda: len(detail_of(review).corrections) == 1)
        # [ and ] while a recording plays, then z: its span silenced.
        await pilot.press("2")
        recordings = review.query_one("#recordings-list", RecordingsList)
        assert recordings.current is not None
        member = recordings.current.member
        await pilot.press("space")
        player = review.query_one("#player", PlayerPane)
        await wait_for(pilot, lambda: player.player is not None)
        await pilot.press("left_square_bracket")
        await pilot.pause(0.3)
        await pilot.press("right_square_bracket")
        await pilot.press("z")
        await answer(pilot, "the name is spoken here")
        await wait_for(pilot, lambda: len(detail_of(review).corrections) == 2)
        redact, silence = (c.correction for c in detail_of(review).corrections)
        assert (redact.kind, redact.target) == (CorrectionKind.REDACT_TEXT, "Fiona Gallagher")
        assert (silence.kind, silence.target) == (CorrectionKind.SILENCE, member)
        assert silence.start_s is None or silence.start_s <= (silence.end_s or 0)
        assert detail_of(review).corrections[0].reviewer == "bob"
