"""Files the store writes for a person to take away (the audit trail's CSV, the sign-off
history's CSV), written one safe way.

    with replacing(path) as handle:      # a text handle on a new temporary file beside `path`
        csv.writer(handle).writerows(rows)
    # here `path` holds every row, or (on any error) is exactly as it was

The target is a new path or a regular file. A symbolic link, a named pipe, a folder, a device
or a socket is refused before anything is written (run as root, a rename replaces even
/dev/full; a write into a named pipe blocks until someone reads it). The rows go to a file
created exclusively with `mkstemp` in the same folder, never through a link, flushed to disk
and renamed over the target, so a reader never sees half a file. An existing file keeps its
permissions; a new one is readable by its owner only.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from reviewer.store.errors import StoreError

_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


class TargetRefused(StoreError):
    """The file cannot be written where asked: it is not a regular file, its folder is
    missing, or the write failed. The message names the path and why, in one line."""


def check_target(path: Path) -> None:
    """Refuse (TargetRefused) a path that exists and is not a regular file, or whose folder
    does not exist; a new path or a regular file passes."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise TargetRefused(f"no such directory: {path.parent}") from None
        return
    except OSError as exc:
        raise TargetRefused(f"cannot write {path}: {exc.strerror}") from None
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    raise TargetRefused(f"will not write over {path}: it is {kind}, not a regular file")


@contextlib.contextmanager
def replacing(path: Path, *, encoding: str = "utf-8", newline: str = "") -> Iterator[TextIO]:
    """A text handle whose contents replace `path` whole when the block ends without error.
    Raises TargetRefused for a target that is not a regular file and for a failed write (the
    temporary file is removed, the target left as it was); other errors pass through."""
    path = Path(path)
    check_target(path)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with contextlib.suppress(OSError):  # an existing file keeps its permissions
            os.fchmod(fd, stat.S_IMODE(os.lstat(path).st_mode))
        with open(fd, "w", encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        check_target(path)  # again: the path may have been swapped while the rows were written
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise TargetRefused(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
