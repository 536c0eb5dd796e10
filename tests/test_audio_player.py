"""The audio output: simpleaudio really called against ALSA's null device.

Each test points HOME at a folder whose `.asoundrc` names the sound device; the audio device
process that `make_player` starts reads the configuration of the HOME it inherits, so the
device opened is the one the test chose.
"""

from __future__ import annotations

import importlib.util
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import wavcraft

from reviewer.audio import AudioError, Clip, NullPlayer, SimpleaudioPlayer, make_player

NULL_DEVICE = "pcm.!default { type null }\nctl.!default { type hw card 0 }\n"
MISSING_DEVICE = "pcm.!default { type hw card 97 }\nctl.!default { type hw card 97 }\n"

if importlib.util.find_spec("simpleaudio") is None:
    pytest.skip("simpleaudio is not installed (no ALSA headers)", allow_module_level=True)


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
def null_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return alsa_home(tmp_path, monkeypatch, NULL_DEVICE)


@pytest.fixture
def player(null_device: Path) -> Iterator[SimpleaudioPlayer]:
    """A real simpleaudio player on ALSA's null device; its device process ends with the test."""
    made = make_player()
    assert isinstance(made, SimpleaudioPlayer), made.reason
    yield made
    made.close()


def python_says(code: str) -> str:
    """What a fresh interpreter running `code` prints (in this process's environment)."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.strip()


def wait_until(predicate: Callable[[], bool], limit_s: float = 10.0) -> None:
    """Poll until `predicate()` holds; the limit only stops a broken build from hanging."""
    deadline = time.monotonic() + limit_s
    while not predicate():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


def test_null_device_gives_a_real_simpleaudio_player(player: SimpleaudioPlayer) -> None:
    assert isinstance(player, SimpleaudioPlayer)
    assert player.available
    assert player.reason == ""


def test_playing_returns_at_once_and_the_position_moves(player: SimpleaudioPlayer) -> None:
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


def test_played_to_the_end_counts_the_whole_clip(player: SimpleaudioPlayer) -> None:
    clip = tone(0.25, rate=22050, channels=2)
    player.play(clip.pcm, clip.rate, clip.channels, clip.bits)
    wait_until(lambda: not player.is_playing)
    assert player.played_s == pytest.approx(clip.duration_s)
    assert player.position_s == pytest.approx(clip.duration_s)
    assert player.stop() == pytest.approx(clip.duration_s)


def test_playing_from_an_offset_counts_only_what_was_left(player: SimpleaudioPlayer) -> None:
    clip = tone(1.2)
    player.play(clip.pcm, clip.rate, clip.channels, clip.bits, start_s=1.0)
    assert player.position_s >= 1.0
    wait_until(lambda: not player.is_playing)
    assert player.played_s == pytest.approx(0.2, abs=0.001)
    assert player.position_s == pytest.approx(1.2, abs=0.001)


@pytest.mark.parametrize(("rate", "bits"), [(12000, 16), (24000, 8), (8000, 24), (44100, 32)])
def test_every_wav_variant_plays(player: SimpleaudioPlayer, rate: int, bits: int) -> None:
    clip = tone(0.1, rate=rate, bits=bits)
    player.play(clip.pcm, clip.rate, clip.channels, clip.bits)
    wait_until(lambda: not player.is_playing)
    assert player.played_s == pytest.approx(clip.duration_s)


def test_every_wav_the_archive_reader_accepts_plays_to_its_end(player: SimpleaudioPlayer) -> None:
    """RIFX, RF64, A-law, µ-law, 64-bit float, 12/20/5-bit audio and 24-bit audio in 4-byte
    samples, decoded as the recordings pane decodes them: the device plays each one's last
    tenth of a second to the end."""
    for v in wavcraft.variants():
        clip = Clip.from_member(v.data, f"{v.name}.wav")
        player.play(clip.pcm, clip.rate, clip.channels, clip.bits, start_s=v.seconds - 0.1)
        wait_until(lambda: not player.is_playing)
        assert player.played_s == pytest.approx(0.1, abs=0.01), v.name
        assert player.position_s == pytest.approx(v.seconds, abs=0.01), v.name


def test_a_new_clip_stops_the_previous_one(player: SimpleaudioPlayer) -> None:
    long, short = tone(5.0), tone(0.1)
    player.play(long.pcm, long.rate, long.channels, long.bits)
    player.play(short.pcm, short.rate, short.channels, short.bits)
    wait_until(lambda: not player.is_playing)
    assert player.played_s == pytest.approx(0.1)


def test_a_device_that_ends_mid_clip_stops_the_count_and_the_next_clip_plays(
    player: SimpleaudioPlayer,
) -> None:
    # Whatever ends the audio device process (a fault in the audio stack, a kill), the app
    # keeps running, counts the playback only up to that moment, and plays the next clip.
    clip = tone(20.0, rate=8000)
    player.play(clip.pcm, clip.rate, clip.channels, clip.bits)
    wait_until(lambda: player.position_s > 0.2)
    first_pid = player.device_pid
    os.kill(first_pid, signal.SIGKILL)
    wait_until(lambda: not player.is_playing)
    played = player.played_s
    assert 0.2 < played < 5.0
    time.sleep(0.05)
    assert player.played_s == played  # the count stopped with the device
    short = tone(0.1)
    player.play(short.pcm, short.rate, short.channels, short.bits)
    assert player.device_pid != first_pid
    wait_until(lambda: not player.is_playing)
    assert player.played_s == pytest.approx(0.1)


def test_a_device_that_stops_answering_is_ended_not_waited_for(
    player: SimpleaudioPlayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reviewer.audio.player as player_module

    monkeypatch.setattr(player_module, "REQUEST_TIMEOUT_S", 0.5)
    hung = player.device_pid
    os.kill(hung, signal.SIGSTOP)
    clip = tone(0.1)
    started = time.monotonic()
    with pytest.raises(AudioError, match="audio device ended"):
        player.play(clip.pcm, clip.rate, clip.channels, clip.bits)
    assert time.monotonic() - started < 5.0
    wait_until(lambda: not Path(f"/proc/{hung}").exists())  # killed and reaped
    player.play(clip.pcm, clip.rate, clip.channels, clip.bits)  # a new device plays it
    assert player.device_pid != hung
    wait_until(lambda: not player.is_playing)
    assert player.played_s == pytest.approx(0.1)


def test_the_device_process_uses_the_c_allocator(player: SimpleaudioPlayer) -> None:
    # simpleaudio frees memory without holding the GIL when a clip ends; with the C
    # allocator that free is thread-safe (see reviewer/audio/device.py).
    environ = Path(f"/proc/{player.device_pid}/environ").read_bytes().split(b"\0")
    assert b"PYTHONMALLOC=malloc" in environ


def test_closing_ends_the_device_process(null_device: Path) -> None:
    made = make_player()
    assert isinstance(made, SimpleaudioPlayer)
    pid = made.device_pid
    clip = tone(5.0)
    made.play(clip.pcm, clip.rate, clip.channels, clip.bits)
    made.close()
    wait_until(lambda: not Path(f"/proc/{pid}").exists())
    assert not made.is_playing


def test_the_app_process_never_loads_simpleaudio(null_device: Path) -> None:
    code = (
        "import sys, time\n"
        "from reviewer.audio import make_player\n"
        "p = make_player(); p.play(bytes(3200), 16000, 1, 16); time.sleep(0.2); p.close()\n"
        "print(p.available, 'simpleaudio' in sys.modules)\n"
    )
    assert python_says(code) == "True False"


def test_no_sound_device_is_said_plainly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alsa_home(tmp_path, monkeypatch, MISSING_DEVICE)
    player = make_player()
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
    assert python_says(code) == "False No audio output: simpleaudio is not installed"


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
