"""Ctrl-C that is never lost.

Python turns SIGINT into KeyboardInterrupt wherever the interpreter happens to be, and when
that is a finalizer or a weakref callback (a database driver tidying up, say) the exception
is printed as "ignored" and the command runs on. So the handler also remembers that Ctrl-C
was pressed: long loops `check()` between their units of work, and a command that ends
normally after a Ctrl-C still ends as interrupted (exit 130).
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

_pressed = threading.Event()


def _handler(signum: int, frame: FrameType | None) -> None:
    _pressed.set()
    raise KeyboardInterrupt


def _unraisable(info: sys.UnraisableHookArgs) -> None:
    """A Ctrl-C that landed in a finalizer is remembered, not printed as a traceback; any other
    unraisable exception goes where it went before."""
    if info.exc_type is KeyboardInterrupt:
        _pressed.set()
        return
    _previous_hook(info)


_previous_hook = sys.unraisablehook


def install() -> None:
    """Take over SIGINT (from the main thread only, as Python allows)."""
    _pressed.clear()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _handler)
        sys.unraisablehook = _unraisable


def pressed() -> bool:
    return _pressed.is_set()


def check() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed, even if it was swallowed somewhere."""
    if _pressed.is_set():
        raise KeyboardInterrupt
