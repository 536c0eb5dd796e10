"""The audio device process: the only place simpleaudio and ALSA run.

The app starts this file as a child process (`python device.py`) and talks to it over its
standard input and output; it imports nothing from the product, so it starts in tens of
milliseconds and from any working directory.

Why a separate process: simpleaudio's playback thread frees memory from Python's allocator
without holding the GIL when a clip ends (`destroy_audio_blob` calls `PyMem_Free` after
`PyGILState_Release`). Inside the app that races the interpreter's own allocations and
corrupts its heap, which surfaces later as a segmentation fault anywhere. Here the process is
started with ``PYTHONMALLOC=malloc``, so that free goes to the C library's thread-safe
`free()`, and should the audio stack still fail, only this process ends: the app notices,
stops counting the playback, and starts a new device for the next clip.

Protocol, one request at a time; a play is answered by one JSON line, a stop is not (the
app's UI thread sends it and never waits):

    → {"op": "play", "rate": 16000, "channels": 1, "width": 2, "size": N}\\n + N bytes of PCM
    ← {"ok": true}\\n   or   {"ok": false, "error": "one line"}\\n
    → {"op": "stop"}\\n

The first line the process writes, before any request, says whether it has an output:
``{"ok": true}`` or ``{"ok": false, "error": "No audio output: ..."}`` (then it exits).
End of input stops playback and ends the process.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import time
from typing import IO, Any

PROBE = bytes(160)  # 10 ms of silence: opens the default device once
DRAIN_S = 2.0  # how long to wait for a stopped clip's playback thread before exiting

# Keeps ALSA's error callback alive for the life of the process.
_ALSA_HANDLER: Any = None


def quiet_alsa() -> None:
    """Route ALSA's own error messages to nowhere (stderr is the terminal the app draws on)."""
    global _ALSA_HANDLER
    try:
        lib = ctypes.CDLL("libasound.so.2")
    except OSError:
        return
    handler_type = ctypes.CFUNCTYPE(
        None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
    )
    _ALSA_HANDLER = handler_type(lambda *_args: None)
    lib.snd_lib_error_set_handler(_ALSA_HANDLER)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0].split(" -- CODE")[0]


def reply(out: IO[bytes], ok: bool, error: str = "") -> None:
    message: dict[str, object] = {"ok": ok}
    if error:
        message["error"] = error
    out.write(json.dumps(message).encode() + b"\n")
    out.flush()


def wait_done(handle: Any) -> None:
    """Give a stopped clip's playback thread time to end before the process does."""
    deadline = time.monotonic() + DRAIN_S
    while handle is not None and handle.is_playing() and time.monotonic() < deadline:
        time.sleep(0.005)


def serve(inp: IO[bytes], out: IO[bytes]) -> int:
    try:
        import simpleaudio
    except ImportError:
        reply(out, False, "No audio output: simpleaudio is not installed")
        return 0
    except Exception as exc:  # a broken build of the extension
        reply(out, False, f"No audio output: simpleaudio cannot load ({first_line(exc)})")
        return 0
    quiet_alsa()
    try:
        probe = simpleaudio.play_buffer(PROBE, 1, 2, 8000)
        probe.stop()
        wait_done(probe)
    except Exception as exc:
        reply(out, False, f"No audio output: no sound device ({first_line(exc)})")
        return 0
    reply(out, True)

    current: Any = None
    while True:
        line = inp.readline()
        if not line:
            break
        try:
            request = json.loads(line)
            op = request["op"]
        except (ValueError, KeyError, TypeError):
            continue  # the app never sends one; answering would put the answers out of step
        if op == "stop":
            if current is not None:
                current.stop()
        elif op == "play":
            size = int(request["size"])
            data = inp.read(size)
            if len(data) != size:
                break
            if current is not None:
                current.stop()
            try:
                current = simpleaudio.play_buffer(
                    data, int(request["channels"]), int(request["width"]), int(request["rate"])
                )
            except Exception as exc:  # device busy or gone, format refused
                current = None
                reply(out, False, f"audio output failed: {first_line(exc)}")
            else:
                reply(out, True)
    if current is not None:
        current.stop()
        wait_done(current)
    return 0


def main() -> None:
    code = serve(sys.stdin.buffer, sys.stdout.buffer)
    sys.stdout.flush()
    # Skip interpreter shutdown: a playback thread that outlived DRAIN_S must not meet a
    # finalising interpreter.
    os._exit(code)


if __name__ == "__main__":
    main()
