"""Audio output behind a small interface, so the rest of the product never imports simpleaudio.

    player = make_player()           # simpleaudio if it can open a device, else a NullPlayer
    if not player.available:
        print(player.reason)         # "No audio output: simpleaudio is not installed"
    player.play(clip.pcm, clip.rate, clip.channels, clip.bits, start_s=0.0)  # returns at once
    player.position_s, player.is_playing, player.played_s
    seconds = player.stop()          # how long this playback actually ran
    player.close()                   # ends the audio device process

simpleaudio runs in a separate audio device process (`device.py` says why); this process never
imports it. `play` hands the buffer to that process, which answers once the sound device has
accepted it, and returns; the device plays on its own thread. The played duration is measured with the monotonic clock from the moment the device
accepted the buffer to `stop()` or to the end of the clip, whichever comes first: the
evidence a reviewer's sign-off relies on ("played at least 2 s, or to its end").
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from reviewer.domain.errors import ReviewerError

# Sample rates ALSA plays through simpleaudio; anything else is resampled to the next one up.
SUPPORTED_RATES = (8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200, 96000, 192000)

ENV_AUDIO = "REVIEWER_AUDIO"  # "off" turns audio output off

DEVICE_SCRIPT = Path(__file__).with_name("device.py")  # the audio device process
START_TIMEOUT_S = 15.0  # a cold interpreter on a loaded machine; normally well under 0.2 s
REQUEST_TIMEOUT_S = 5.0  # a play or stop is answered in milliseconds
CLOSE_TIMEOUT_S = 3.0  # an ended device that has not exited by then is killed
STOP_WAIT_S = 0.5  # a stop waits this long for a play still being handed over


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

    def close(self) -> None:
        """Stop playing and let the audio output go (the player is not used again)."""
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

    def close(self) -> None:
        self.stop()


class SimpleaudioPlayer(_ClockedPlayer):
    """Plays through simpleaudio (ALSA on Linux) in the audio device process. One clip at a time.

    The device process (`reviewer/audio/device.py`) is started by `make_player`; if it ends
    while a clip plays, the playback counts only up to that moment and the next `play` starts
    a new device.
    """

    name = "simpleaudio"

    def __init__(self, device: AudioDevice) -> None:
        super().__init__()
        self._device = device
        device.on_lost = self._device_lost

    @property
    def available(self) -> bool:
        return True

    @property
    def reason(self) -> str:
        return ""

    @property
    def device_pid(self) -> int:
        """The process id of the audio device process (for diagnostics)."""
        return self._device.pid

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
        header = {"rate": out_rate, "channels": channels, "width": bits // 8}
        device = self._device
        if not device.alive:
            # The last device ended (crashed or killed): one new one, or say why not.
            device = AudioDevice.start()
            if device.error:
                raise AudioError(f"audio output stopped: {device.error}")
            device.on_lost = self._device_lost
            self._device = device
        device.play(header, data)
        with self._lock:
            self._run = _Run(start_s, duration, time.monotonic())

    def close(self) -> None:
        self.stop()
        self._device.close()

    def _halt(self, run: _Run) -> None:
        self._device.stop()

    def _device_lost(self) -> None:
        """The device process ended: whatever was playing stopped at this moment."""
        with self._lock:
            run = self._run
            if run is not None and run.stopped_at is None:
                run.stopped_at = min(time.monotonic(), run.started_at + (run.end_s - run.start_s))


class AudioDevice:
    """The audio device process and its request channel.

    `start` never raises: a device that could not start has `error` set ("No audio output:
    ..."), and is not `alive`. `play` waits for the device's answer and raises `AudioError`
    with one line when the device refuses, ends, or does not answer; `stop` and `close`
    never wait.
    """

    def __init__(self, proc: subprocess.Popen[bytes] | None) -> None:
        self._proc = proc
        self._replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._send = threading.Lock()
        self.on_lost: Callable[[], None] | None = None  # called once if the process ends
        self._closed = False
        self.error = ""
        if proc is not None:
            threading.Thread(target=self._read, name="audio-device-replies", daemon=True).start()

    @classmethod
    def start(cls) -> AudioDevice:
        env = {**os.environ, "PYTHONMALLOC": "malloc"}
        env.pop("PYTHONSTARTUP", None)
        try:
            proc = subprocess.Popen(
                [sys.executable, str(DEVICE_SCRIPT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # ALSA's complaints never reach the app's terminal
                env=env,
                close_fds=True,
            )
        except OSError as exc:
            device = cls(None)
            device.error = f"No audio output: cannot start the audio device ({exc.strerror})"
            return device
        device = cls(proc)
        hello = device._answer(START_TIMEOUT_S)
        if hello is None or not hello.get("ok"):
            device.error = (
                str(hello.get("error")) if hello else "No audio output: the audio device ended"
            )
            device.close()
        return device

    @property
    def alive(self) -> bool:
        return self._proc is not None and not self._closed and self._proc.poll() is None

    @property
    def pid(self) -> int:
        return self._proc.pid if self._proc is not None else 0

    def play(self, header: dict[str, Any], pcm: bytes) -> None:
        """Hand `pcm` to the device; return once it is playing. Raises `AudioError`."""
        message = json.dumps({**header, "op": "play", "size": len(pcm)}).encode() + b"\n"
        with self._send:
            self._write(message + pcm)
            answer = self._answer(REQUEST_TIMEOUT_S)
        if answer is None:
            raise AudioError("audio output stopped: the audio device ended")
        if not answer.get("ok"):
            raise AudioError(str(answer.get("error") or "audio output failed"))

    def stop(self) -> None:
        """Ask the device to stop playing; does not wait (it is called from the UI thread)."""
        if not self._send.acquire(timeout=STOP_WAIT_S):
            # A play is stuck writing to a device that no longer reads: end that device.
            self._kill()
            return
        try:
            self._write(b'{"op": "stop"}\n')
        except AudioError:
            pass
        finally:
            self._send.release()

    def close(self) -> None:
        """End the device process: at end of input it stops playback and exits. Does not
        wait; a device that has not exited after CLOSE_TIMEOUT_S is killed."""
        proc = self._proc
        if proc is None or self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError, ValueError):
            if proc.stdin is not None:
                proc.stdin.close()
        reaper = threading.Timer(CLOSE_TIMEOUT_S, self._kill)
        reaper.daemon = True
        reaper.start()

    def _write(self, data: bytes) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or not self.alive:
            raise AudioError("audio output stopped: the audio device is not running")
        try:
            proc.stdin.write(data)
            proc.stdin.flush()
        except (OSError, ValueError):  # BrokenPipeError: it ended; ValueError: pipe closed
            raise AudioError("audio output stopped: the audio device ended") from None

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()

    def _answer(self, timeout_s: float) -> dict[str, Any] | None:
        try:
            return self._replies.get(timeout=timeout_s)
        except queue.Empty:
            # A device that stops answering is as good as gone: end it, so nothing waits on it.
            self._kill()
            return None

    def _read(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        for line in proc.stdout:
            try:
                answer = json.loads(line)
            except ValueError:
                continue
            if isinstance(answer, dict):
                self._replies.put(answer)
        proc.wait()
        self._replies.put(None)  # first: a request waiting for an answer returns
        if self.on_lost is not None and not self._closed:
            self.on_lost()


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


def make_player() -> Player:
    """The best audio output this machine has, probed by starting the audio device process,
    which opens the default device once (ALSA reads the configuration of the HOME it sees).

    Never raises: without simpleaudio or a device it returns a `NullPlayer` whose `reason`
    reads "No audio output: simpleaudio is not installed", "No audio output: no sound
    device (...)", or "Audio output is turned off" (``REVIEWER_AUDIO=off``).
    """
    if os.environ.get(ENV_AUDIO, "").strip().lower() in ("off", "0", "none", "no"):
        return NullPlayer(f"Audio output is turned off ({ENV_AUDIO}=off)")
    try:
        installed = importlib.util.find_spec("simpleaudio") is not None
    except (ImportError, ValueError):
        installed = False
    if not installed:
        return NullPlayer("No audio output: simpleaudio is not installed")
    device = AudioDevice.start()
    if device.error:
        return NullPlayer(device.error)
    return SimpleaudioPlayer(device)
