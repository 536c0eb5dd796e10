"""The audio output: simpleaudio really called against ALSA's null device.

Each test points HOME at a folder whose `.asoundrc` names the sound device, then makes
ALSA forget its cached configuration, so the device opened is the one the test chose.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.audio import AudioError, Clip, NullPlayer, SimpleaudioPlayer, make_player
from reviewer.audio.player import reload_alsa_config

NULL_DEVICE = "pcm.!default { type null }\nctl.!default { type hw card 0 }\n"
MISSING_DEVICE = "pcm.!default { type hw card 97 }\nctl.!default { type hw card 97 }\n"

pytest.importorskip("simpleaudio", reason="simpleaudio is not installed (no ALSA headers)")


def tone(seconds: float, rate: int = 16000, channels: int = 1, bits: int = 16) -> Clip:
    frames = int(seconds * rate)
    out = bytearray()
    for i in range(frames):
        v = math.sin(2 * math.pi * 440 * i / rate) * 0.5
        for _ in range(channels):
            if bits == 8:
                out += bytes([int(128 + v * 127)])
            else:
                out += int(v * (2 ** (bits - 1) - 1)).to_bytes(bits // 8, "little", signed=True)
    return Clip(bytes(out), rate, channels, bits)


def alsa_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text(config)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("REVIEWER_AUDIO", raising=False)
    return home


@pytest.fixture
def null_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = alsa_home(tmp_path, monkeypatch, NULL_DEVICE)
    yield home
    reload_alsa_config()  # the next opener reads the configuration of its own HOME


def wait_until(predicate, limit_s: float = 10.0) -> None:
    """Poll until `predicate()` holds; the limit only stops a broken build from hanging."""
    deadline = time.monotonic() + limit_s
    while not predicate():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


def test_null_device_gives_a_real_simpleaudio_player(null_device: Path) -> None:
    player = make_player(reload_config=True)
    assert isinstance(player, SimpleaudioPlayer)
    assert player.available
    assert player.reason == ""


def test_playing_returns_at_once_and_the_position_moves(null_device: Path) -> None:
    player = make_player(reload_config=True)
    clip = tone(20.0, rate=8000)  # long enough that a slow machine never reaches its end
    player.play(clip.pcm, clip.rate, clip.channels, clip.bits)
    assert player.is_playing
    first = player.position_s
    wait_until(lambda: player.position_s > first + 0.2)
    assert player.is_playing
    played = player.stop()
    assert not player.is_playing
    assert 0.2 < played < 20.0
    # Stopped means stopped: the position and the measured time no longer move.
    frozen = player.position_s
    time.sleep(0.05)
    assert player.position_s == frozen
    assert player.played_s == played
    assert player.stop() == played


def test_played_to_the_end_counts_the_whole_clip(null_device: Path) -> None:
    player = make_player(reload_config=True)
    clip = tone(0.25, rate=22050, channels=2)
    player.play(clip.pcm, clip.rate, clip.channels, clip.bits)
    wait_until(lambda: not player.is_playing)
    assert player.played_s == pytest.approx(clip.duration_s)
    assert player.position_s == pytest.approx(clip.duration_s)
    assert player.stop() == pytest.approx(clip.duration_s)


def test_playing_from_an_offset_counts_only_what_was_left(null_device: Path) -> None:
    player = make_player(reload_config=True)
    clip = tone(1.2)
    player.play(clip.pcm, clip.rate, clip.channels, clip.bits, start_s=1.0)
    assert player.position_s >= 1.0
    wait_until(lambda: not player.is_playing)
    assert player.played_s == pytest.approx(0.2, abs=0.001)
    assert player.position_s == pytest.approx(1.2, abs=0.001)


@pytest.mark.parametrize(("rate", "bits"), [(12000, 16), (24000, 8), (8000, 24), (44100, 32)])
def test_every_wav_variant_plays(null_device: Path, rate: int, bits: int) -> None:
    player = make_player(reload_config=True)
    clip = tone(0.1, rate=rate, bits=bits)
    player.play(clip.pcm, clip.rate, clip.channels, clip.bits)
    wait_until(lambda: not player.is_playing)
    assert player.played_s == pytest.approx(clip.duration_s)


def test_a_new_clip_stops_the_previous_one(null_device: Path) -> None:
    player = make_player(reload_config=True)
    long, short = tone(5.0), tone(0.1)
    player.play(long.pcm, long.rate, long.channels, long.bits)
    player.play(short.pcm, short.rate, short.channels, short.bits)
    wait_until(lambda: not player.is_playing)
    assert player.played_s == pytest.approx(0.1)


def test_no_sound_device_is_said_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alsa_home(tmp_path, monkeypatch, MISSING_DEVICE)
    try:
        player = make_player(reload_config=True)
    finally:
        reload_alsa_config()
    assert isinstance(player, NullPlayer)
    assert not player.available
    assert player.reason.startswith("No audio output: no sound device")
    assert "\n" not in player.reason
    clip = tone(0.1)
    with pytest.raises(AudioError, match="no sound device"):
        player.play(clip.pcm, clip.rate, clip.channels, clip.bits)
    assert not player.is_playing
    assert player.stop() == 0.0


def test_missing_library_is_said_plainly(tmp_path: Path) -> None:
    # A fresh interpreter in which `import simpleaudio` fails, as on a machine without it.
    code = (
        "import sys; sys.modules['simpleaudio'] = None\n"
        "from reviewer.audio import make_player\n"
        "p = make_player(); print(p.available, p.reason)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False No audio output: simpleaudio is not installed"


def test_audio_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_AUDIO", "off")
    player = make_player()
    assert not player.available
    assert "turned off" in player.reason


def test_alsa_complaints_never_reach_the_terminal(tmp_path: Path) -> None:
    # The app draws on the terminal; ALSA's own error lines must not land on it.
    home = tmp_path / "home"
    home.mkdir()
    (home / ".asoundrc").write_text(MISSING_DEVICE)
    code = "from reviewer.audio import make_player\nprint(make_player().available)\n"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "False"
    assert "ALSA" not in out.stderr
