"""Audio output behind a small interface, so the rest of the product never imports simpleaudio.

    player = make_player()           # simpleaudio if it can open a device, else a NullPlayer
    if not player.available:
        print(player.reason)         # "No audio output: simpleaudio is not installed"
    player.play(clip.pcm, clip.rate, clip.channels, clip.bits, start_s=0.0)  # returns at once
    player.position_s, player.is_playing, player.played_s
    seconds = player.stop()          # how long this playback actually ran

`play` hands the buffer to the device and returns; the device plays on its own thread.
The played duration is measured with the monotonic clock from the moment the device
accepted the buffer to `stop()` or to the end of the clip, whichever comes first: the
evidence a reviewer's sign-off relies on ("played at least 2 s, or to its end").
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from reviewer.domain.errors import ReviewerError

# Sample rates ALSA plays through simpleaudio; anything else is resampled to the next one up.
SUPPORTED_RATES = (8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 192000)

ENV_AUDIO = "REVIEWER_AUDIO"  # "off" turns audio output off


class AudioError(ReviewerError):
    """Playback could not start; the message is one plain line for the player pane."""


@runtime_checkable
class Player(Protocol):
    """What the player pane needs from an audio output."""

    @property
    def name(self) -> str: ...

    @property
    def available(self) -> bool: ...

    @property
    def reason(self) -> str:
        """Why there is no audio output ("" when there is one)."""
        ...

    def play(
        self, pcm: bytes, rate: int, channels: int, bits: int, start_s: float = 0.0
    ) -> None: ...

    def stop(self) -> float:
        """Stop playing; return the seconds this playback ran (0.0 when nothing played)."""
        ...

    @property
    def position_s(self) -> float:
        """Where in the clip playback is (or stopped), in seconds from the clip's start."""
        ...

    @property
    def is_playing(self) -> bool: ...

    @property
    def played_s(self) -> float:
        """Seconds the current or last playback has run."""
        ...


@dataclass(slots=True)
class _Run:
    """One playback, timed by the monotonic clock."""

    start_s: float
    end_s: float
    started_at: float
    stopped_at: float | None = None
    handle: Any = None

    def elapsed(self, now: float) -> float:
        end = self.stopped_at if self.stopped_at is not None else now
        return max(0.0, min(end - self.started_at, self.end_s - self.start_s))

    def running(self, now: float) -> bool:
        return self.stopped_at is None and now - self.started_at < self.end_s - self.start_s


class _ClockedPlayer:
    """Position, state and played time shared by every backend."""

    name = "clock"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._run: _Run | None = None

    @property
    def position_s(self) -> float:
        with self._lock:
            run = self._run
            return 0.0 if run is None else run.start_s + run.elapsed(time.monotonic())

    @property
    def is_playing(self) -> bool:
        with self._lock:
            return self._run is not None and self._run.running(time.monotonic())

    @property
    def played_s(self) -> float:
        with self._lock:
            return 0.0 if self._run is None else self._run.elapsed(time.monotonic())

    def stop(self) -> float:
        with self._lock:
            run = self._run
            if run is None:
                return 0.0
            now = time.monotonic()
            if run.stopped_at is None:
                run.stopped_at = min(now, run.started_at + (run.end_s - run.start_s))
                self._halt(run)
            return run.elapsed(now)

    def _halt(self, run: _Run) -> None:  # pragma: no cover - overridden
        pass


class NullPlayer(_ClockedPlayer):
    """No audio output. `reason` says why in words for the player pane."""

    name = "none"

    def __init__(self, reason: str) -> None:
        super().__init__()
        self._reason = reason

    @property
    def available(self) -> bool:
        return False

    @property
    def reason(self) -> str:
        return self._reason

    def play(self, pcm: bytes, rate: int, channels: int, bits: int, start_s: float = 0.0) -> None:
        raise AudioError(self._reason)


class SimpleaudioPlayer(_ClockedPlayer):
    """Plays through simpleaudio (ALSA on Linux). One clip at a time."""

    name = "simpleaudio"

    def __init__(self) -> None:
        super().__init__()
        import simpleaudio

        self._sa = simpleaudio

    @property
    def available(self) -> bool:
        return True

    @property
    def reason(self) -> str:
        return ""

    def play(self, pcm: bytes, rate: int, channels: int, bits: int, start_s: float = 0.0) -> None:
        if bits not in (8, 16, 24, 32) or channels not in (1, 2) or rate <= 0:
            raise AudioError(f"cannot play {channels}-channel {bits}-bit audio at {rate} Hz")
        frame_bytes = channels * bits // 8
        frames = len(pcm) // frame_bytes
        duration = frames / rate
        start_s = min(max(start_s, 0.0), duration)
        first = int(start_s * rate)
        data = pcm[first * frame_bytes : frames * frame_bytes]
        out_rate = rate
        if rate not in SUPPORTED_RATES:
            out_rate = next((r for r in SUPPORTED_RATES if r >= rate), SUPPORTED_RATES[-1])
            data = resample_nearest(data, frame_bytes, rate, out_rate)
        self.stop()
        if not data:
            with self._lock:
                now = time.monotonic()
                self._run = _Run(start_s, duration, now, stopped_at=now)
            return
        try:
            handle = self._sa.play_buffer(data, channels, bits // 8, out_rate)
        except Exception as exc:  # SimpleaudioError: device busy, gone, or format refused
            raise AudioError(f"audio output failed: {_first_line(exc)}") from None
        with self._lock:
            self._run = _Run(start_s, duration, time.monotonic(), handle=handle)

    def _halt(self, run: _Run) -> None:
        if run.handle is not None:
            with contextlib.suppress(Exception):  # the device went away: nothing to stop
                run.handle.stop()


def resample_nearest(data: bytes, frame_bytes: int, rate: int, out_rate: int) -> bytes:
    """Nearest-frame resampling: enough to hear speech at a rate ALSA does not take."""
    frames = len(data) // frame_bytes
    out_frames = frames * out_rate // rate
    view = memoryview(data)
    parts = []
    for i in range(out_frames):
        src = (i * rate // out_rate) * frame_bytes
        parts.append(view[src : src + frame_bytes])
    return b"".join(parts)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0].split(" -- CODE")[0]


# ALSA prints its own complaints on stderr, which is the terminal the app draws on.
_ALSA_HANDLER: Any = None


def _alsa_lib() -> Any:
    try:
        return ctypes.CDLL("libasound.so.2")
    except OSError:
        return None


def quiet_alsa() -> None:
    """Route ALSA's error messages to nowhere (they would garble a full-screen app)."""
    global _ALSA_HANDLER
    if _ALSA_HANDLER is not None:
        return
    lib = _alsa_lib()
    if lib is None:
        return
    handler_type = ctypes.CFUNCTYPE(
        None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
    )
    _ALSA_HANDLER = handler_type(lambda *_args: None)
    lib.snd_lib_error_set_handler(_ALSA_HANDLER)


def reload_alsa_config() -> None:
    """Forget ALSA's cached configuration, so the next device open reads it afresh
    (after a sound device or ~/.asoundrc appeared)."""
    lib = _alsa_lib()
    if lib is not None:
        lib.snd_config_update_free_global()


def make_player(*, reload_config: bool = False) -> Player:
    """The best audio output this machine has, probed by opening the default device.

    Never raises: without simpleaudio or a device it returns a `NullPlayer` whose `reason`
    reads "No audio output: simpleaudio is not installed", "No audio output: no sound
    device (...)", or "Audio output is turned off" (``REVIEWER_AUDIO=off``).
    """
    if os.environ.get(ENV_AUDIO, "").strip().lower() in ("off", "0", "none", "no"):
        return NullPlayer(f"Audio output is turned off ({ENV_AUDIO}=off)")
    try:
        import simpleaudio
    except ImportError:
        return NullPlayer("No audio output: simpleaudio is not installed")
    except Exception as exc:  # a broken build of the extension
        return NullPlayer(f"No audio output: simpleaudio cannot load ({_first_line(exc)})")
    quiet_alsa()
    if reload_config:
        reload_alsa_config()
    try:
        probe = simpleaudio.play_buffer(bytes(160), 1, 2, 8000)  # 10 ms of silence
        probe.stop()
    except Exception as exc:
        return NullPlayer(f"No audio output: no sound device ({_first_line(exc)})")
    return SimpleaudioPlayer()
