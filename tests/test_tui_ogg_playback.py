"""A clean export whose recordings are Ogg Vorbis (DSAR-2019-0107, sample_archives/other-layout)
is played and approved like any other, against a real store and the real audio player on
ALSA's null device."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_flow import approve, play_whole_sample
from test_tui_support import (
    Store,
    detail_of,
    make_app,
    open_request,
    screen_text,
    sign_in,
    wait_for,
)

pytest.importorskip("simpleaudio", reason="simpleaudio is not installed (no ALSA headers)")

OGG_REQUEST = "DSAR-2019-0107"
SIZE = (120, 40)


@pytest.mark.slow(seconds=15)
async def test_ogg_recordings_play_and_the_clean_export_can_be_approved(
    store: Store,
    null_audio: Path,
) -> None:
    from reviewer.tui.widgets.player import PlayerPane
    from reviewer.tui.widgets.recordings import RecordingsList

    app = make_app(store, store.service(fixed=False))
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "alice")
        review = await open_request(pilot, OGG_REQUEST)
        assert detail_of(review).report.verdict.value == "pass"
        sample = detail_of(review).sample.members
        assert sample and all(member.endswith(".ogg") for member in sample)

        # The first sampled recording shows its length and its waveform, not a refusal.
        await pilot.press("2")
        recordings = review.query_one("#recordings-list", RecordingsList)
        player = review.query_one("#player", PlayerPane)
        if recordings.current is None or recordings.current.member not in sample:
            await pilot.press("n")
        row = recordings.current
        assert row is not None and row.member in sample
        await wait_for(pilot, lambda: player.item is not None and player.item.member == row.member)
        await pilot.pause()
        assert player.item is not None
        assert player.item.clip is not None, player.item.problem
        assert player.item.clip.duration_s > 0.5
        assert "not a playable" not in player.status_text
        assert "not a playable" not in screen_text(app)
        waveform = player.waveform
        drawn = "".join(waveform.render_line(y).text for y in range(waveform.size.height))
        assert any(ch not in " \u2800" for ch in drawn), drawn  # braille dots, not blank

        # Every sampled recording plays to its end, and the gate lets alice sign off.
        played = await play_whole_sample(pilot, review)
        assert played == detail_of(review).sample.size
        assert all(recordings.is_played(member) for member in sample)
        await approve(pilot, "alice")
        await wait_for(pilot, lambda: detail_of(review).state.value == "first-signoff")
        assert "alice ✓1st" in screen_text(app)
