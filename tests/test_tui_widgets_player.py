"""The waveform and the player pane, in a tiny host app, as a reviewer sees them.

Playback goes through simpleaudio for real, on ALSA's null device (HOME points at a folder
whose `.asoundrc` makes the default device `type null`).
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from reviewer.audio import Clip, NullPlayer, Player, make_player
from reviewer.tui.widgets.player import PlayerPane, PlayItem
from reviewer.tui.widgets.waveform import Waveform

BRAILLE_BLANK = "\u2800"


def clip_of(samples: list[float], rate: int = 8000) -> Clip:
    pcm = b"".join(round(v * 32767).to_bytes(2, "little", signed=True) for v in samples)
    return Clip(pcm, rate, 1, 16)


def half_silence_half_tone(seconds: float, rate: int = 8000) -> Clip:
    n = int(seconds * rate)
    return clip_of([0.0] * (n // 2) + [0.9 * math.sin(i / 3) for i in range(n - n // 2)], rate)


def line_text(widget: Waveform, y: int) -> str:
    return "".join(seg.text for seg in widget.render_line(y))


@pytest.fixture
def null_player(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Player]:
    if importlib.util.find_spec("simpleaudio") is None:
        pytest.skip("simpleaudio is not installed (no ALSA headers)")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text("pcm.!default { type null }\nctl.!default { type hw card 0 }\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("REVIEWER_AUDIO", raising=False)
    player = make_player()
    assert player.available, player.reason
    yield player
    player.close()


class WaveHost(App[None]):
    def __init__(self, clip: Clip | None) -> None:
        super().__init__()
        self.clip = clip

    def compose(self) -> ComposeResult:
        yield Waveform(self.clip)


class PlayerHost(App[None]):
    def __init__(self, player: Player | None) -> None:
        super().__init__()
        self.player = player
        self.messages: list[object] = []

    def compose(self) -> ComposeResult:
        yield PlayerPane(player=self.player)

    def on_mount(self) -> None:
        self.query_one(PlayerPane).focus()

    def on_player_pane_played(self, message: PlayerPane.Played) -> None:
        self.messages.append(message)

    def on_player_pane_next_sample(self, message: PlayerPane.NextSample) -> None:
        self.messages.append(message)

    def on_player_pane_previous_sample(self, message: PlayerPane.PreviousSample) -> None:
        self.messages.append(message)


async def wait_for(pilot: Pilot[None], predicate: Callable[[], bool], rounds: int = 500) -> None:
    for _ in range(rounds):
        if predicate():
            return
        await pilot.pause(0.01)
    raise AssertionError("the pane never got there")


# ---------------------------------------------------------------------------- waveform


async def test_waveform_draws_silence_flat_and_speech_tall() -> None:
    app = WaveHost(half_silence_half_tone(1.0))
    async with app.run_test(size=(40, 6)) as pilot:
        wave = app.query_one(Waveform)
        await pilot.pause()
        height, width = wave.size.height, wave.size.width
        rows = [line_text(wave, y) for y in range(height)]
        assert all(len(r) == width for r in rows)
        left, right = slice(1, width // 2 - 1), slice(width // 2 + 1, width)
        # Silence: only the centre rows carry dots; top and bottom rows are blank.
        assert set(rows[0][left]) == {BRAILLE_BLANK}
        assert set(rows[-1][left]) == {BRAILLE_BLANK}
        # Speech at 0.9 of full scale fills the top and bottom rows too.
        assert BRAILLE_BLANK not in rows[0][right]
        assert BRAILLE_BLANK not in rows[-1][right]


async def test_waveform_playhead_splits_played_from_unplayed() -> None:
    app = WaveHost(half_silence_half_tone(2.0))
    async with app.run_test(size=(40, 6)) as pilot:
        wave = app.query_one(Waveform)
        await pilot.pause()
        assert wave.playhead_column == 0
        wave.position_s = 1.0
        await pilot.pause()
        assert wave.playhead_column == wave.size.width // 2
        segments = list(wave.render_line(0))
        played, head, rest = segments[0], segments[1], segments[2]
        assert len(played.text) == wave.size.width // 2
        assert len(head.text) == 1
        played_style = wave.get_component_rich_style("waveform--played")
        head_style = wave.get_component_rich_style("waveform--playhead")
        assert played.style is not None and played.style.color == played_style.color
        assert head.style is not None and head.style.bgcolor == head_style.bgcolor
        assert rest.style is not None and rest.style.color != played.style.color
        wave.position_s = 99.0  # clamped to the end
        assert wave.position_s == pytest.approx(2.0)


async def test_waveform_without_a_clip_says_so() -> None:
    app = WaveHost(None)
    async with app.run_test(size=(40, 6)) as pilot:
        wave = app.query_one(Waveform)
        await pilot.pause()
        text = "".join(line_text(wave, y) for y in range(wave.size.height))
        assert "no recording selected" in text
        assert wave.playhead_column is None


# ---------------------------------------------------------------------------- player pane


async def test_space_plays_and_the_position_moves(null_player: Player) -> None:
    app = PlayerHost(null_player)
    async with app.run_test(size=(80, 12)) as pilot:
        pane = app.query_one(PlayerPane)
        pane.load(
            PlayItem(
                "utt-0007",
                "Alexa/Audio/utt-0007.wav",
                "Echo Dot",
                "2018-07-14 19:02",
                half_silence_half_tone(20.0),
            )
        )
        await pilot.pause()
        title = str(pane.query_one("#player-title").render())
        assert title == "utt-0007 · Echo Dot · 2018-07-14 19:02 · 0:20.0"
        assert str(pane.query_one("#player-position").render()) == "■ 0:00.0 / 0:20.0"
        await pilot.press("space")
        await wait_for(pilot, lambda: pane.waveform.position_s > 0.3)
        assert pane.is_playing
        assert str(pane.query_one("#player-position").render()).startswith("▶ 0:0")
        assert (pane.waveform.playhead_column or 0) > 0
        await pilot.press("space")
        await pilot.pause()
        assert not pane.is_playing
        [played] = app.messages
        assert isinstance(played, PlayerPane.Played)
        assert played.utterance_id == "utt-0007"
        assert played.member == "Alexa/Audio/utt-0007.wav"
        assert 0.3 < played.seconds < 20.0
        assert not played.reached_end
        assert str(pane.query_one("#player-position").render()).startswith("■")


async def test_playing_to_the_end_reports_the_whole_clip(null_player: Player) -> None:
    app = PlayerHost(null_player)
    async with app.run_test(size=(80, 12)) as pilot:
        pane = app.query_one(PlayerPane)
        pane.load(PlayItem("utt-0001", "a.wav", clip=half_silence_half_tone(0.4)))
        await pilot.press("space")
        await wait_for(pilot, lambda: bool(app.messages))
        [played] = app.messages
        assert isinstance(played, PlayerPane.Played)
        assert played.reached_end
        assert played.seconds == pytest.approx(0.4)
        assert pane.waveform.playhead_column == pane.waveform.size.width - 1
        assert str(pane.query_one("#player-position").render()) == "■ 0:00.4 / 0:00.4"


async def test_selecting_another_recording_ends_the_playback(null_player: Player) -> None:
    app = PlayerHost(null_player)
    async with app.run_test(size=(80, 12)) as pilot:
        pane = app.query_one(PlayerPane)
        pane.load(PlayItem("utt-0001", "a.wav", clip=half_silence_half_tone(5.0)))
        await pilot.press("space")
        await wait_for(pilot, lambda: pane.waveform.position_s > 0.1)
        pane.load(PlayItem("utt-0002", "b.wav", clip=half_silence_half_tone(1.0)))
        await pilot.pause()
        assert [m.utterance_id for m in app.messages if isinstance(m, PlayerPane.Played)] == [
            "utt-0001"
        ]
        assert not null_player.is_playing
        assert pane.waveform.position_s == 0.0


async def test_n_and_p_ask_for_the_next_and_previous_sample(null_player: Player) -> None:
    app = PlayerHost(null_player)
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.press("n", "p", "n")
        assert [type(m).__name__ for m in app.messages] == [
            "NextSample",
            "PreviousSample",
            "NextSample",
        ]


async def test_without_audio_the_pane_says_so_and_nothing_breaks() -> None:
    app = PlayerHost(NullPlayer("No audio output: simpleaudio is not installed"))
    async with app.run_test(size=(80, 12)) as pilot:
        pane = app.query_one(PlayerPane)
        pane.load(PlayItem("utt-0001", "a.wav", clip=half_silence_half_tone(1.0)))
        await pilot.pause()
        assert "No audio output: simpleaudio is not installed" in pane.status_text
        await pilot.press("space")
        await pilot.pause()
        assert not pane.is_playing
        assert app.messages == []
        # The waveform is still there to look at.
        assert pane.waveform.clip is not None


async def test_the_pane_probes_the_machine_when_given_no_player(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")
    app = PlayerHost(None)
    async with app.run_test(size=(80, 12)) as pilot:
        pane = app.query_one(PlayerPane)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.player is not None and not pane.player.available
        assert "Audio output is turned off" in pane.status_text


async def test_an_unreadable_recording_is_explained() -> None:
    app = PlayerHost(NullPlayer("No audio output: no sound device"))
    async with app.run_test(size=(80, 12)) as pilot:
        pane = app.query_one(PlayerPane)
        pane.load(PlayItem("utt-0003", "c.wav", problem="not a playable WAV file: truncated"))
        await pilot.pause()
        assert "not a playable WAV file: truncated" in pane.status_text
        text = "".join(line_text(pane.waveform, y) for y in range(pane.waveform.size.height))
        assert "not a playable WAV file" in text
        assert str(pane.query_one("#player-position").render()) == "-:--.- / -:--.-"


async def test_removing_the_pane_stops_the_audio(null_player: Player) -> None:
    app = PlayerHost(null_player)
    async with app.run_test(size=(80, 12)) as pilot:
        pane = app.query_one(PlayerPane)
        pane.load(PlayItem("utt-0001", "a.wav", clip=half_silence_half_tone(5.0)))
        await pilot.press("space")
        await wait_for(pilot, lambda: null_player.is_playing)
        await pane.remove()
        await pilot.pause()
        assert not null_player.is_playing


async def test_selecting_the_playing_recording_again_keeps_it_playing(null_player: Player) -> None:
    app = PlayerHost(null_player)
    async with app.run_test(size=(80, 12)) as pilot:
        pane = app.query_one(PlayerPane)
        clip = half_silence_half_tone(5.0)
        pane.load(PlayItem("utt-0001", "a.wav", clip=clip))
        await pilot.press("space")
        await wait_for(pilot, lambda: pane.waveform.position_s > 0.1)
        pane.load(PlayItem("utt-0001", "a.wav", clip=clip))  # the list announced it again
        await pilot.pause()
        assert pane.is_playing and null_player.is_playing
        assert app.messages == []
        await pilot.press("space")
        await pilot.pause()
        [played] = app.messages
        assert isinstance(played, PlayerPane.Played) and played.utterance_id == "utt-0001"
