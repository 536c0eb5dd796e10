"""No full garbage collection while exports are read: see `few_full_collections`."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

NO_FULL_COLLECTION = 1 << 30  # the collector's oldest-generation threshold while reading

_gc_lock = threading.Lock()
_gc_readers = 0  # reads under way (in any thread)
_gc_saved: tuple[int, int, int] | None = None  # the thresholds before the first of them


@contextmanager
def few_full_collections() -> Iterator[None]:
    """No full garbage collection while exports are read. The index is up to a million
    long-lived objects made at once, which CPython's collector would otherwise walk whole
    again and again (six times, 13% of the reading of 100,000 small members) to free
    nothing; young garbage is still collected as usual. The thresholds are put back when
    the last read under way ends (unless someone changed them meanwhile)."""
    global _gc_readers, _gc_saved
    with _gc_lock:
        if _gc_readers == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(_gc_saved[0], _gc_saved[1], NO_FULL_COLLECTION)
        _gc_readers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_readers -= 1
            saved = _gc_saved
            if _gc_readers == 0 and saved is not None:
                if gc.get_threshold() == (saved[0], saved[1], NO_FULL_COLLECTION):
                    gc.set_threshold(*saved)
                _gc_saved = None
