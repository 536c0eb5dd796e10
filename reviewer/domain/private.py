"""Folders and files only their owner can use, whatever the umask.

The store's folder and its audit key folder hold password hashes, tickets, transcripts and the
key that signs the audit trail; a folder anyone can list, or one a group member can drop a
trusted public key into, would undo all that. So what this program creates there is private:
folders 0700, files 0600, set explicitly (a umask can only remove bits, and SQLite even fchmods
a database file it creates to 0644 past the umask, its -wal and -shm then copying that mode).

Only what this code creates is changed: a folder or a file that was already there (the user's
home folder, say, when ``--db`` names a file in it) keeps its mode.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_private_dir(path: Path) -> None:
    """``mkdir -p path``, each folder it creates made 0700; existing folders are left as they
    are. Raises FileExistsError (naming the path) when something other than a folder is there,
    NotADirectoryError when a file stands where a parent folder should be."""
    path = Path(path)
    try:
        _make_one(path)
    except FileNotFoundError:
        if path.parent == path:
            raise
        make_private_dir(path.parent)
        _make_one(path)


def _make_one(path: Path) -> None:
    try:
        path.mkdir(mode=DIR_MODE)
    except FileExistsError:
        if path.is_dir():  # already there, or made meanwhile by someone else: not ours to change
            return
        raise
    os.chmod(path, DIR_MODE)


def create_private_file(path: Path) -> bool:
    """Create `path` empty and 0600 if nothing is there (True); False if something already is,
    which is left untouched."""
    path = Path(path)
    if os.path.lexists(path):
        return False
    try:
        fd = open_private_new(path)
    except FileExistsError:  # made meanwhile
        return False
    os.close(fd)
    return True


def open_private_new(path: Path, flags: int = os.O_WRONLY) -> int:
    """A descriptor on a new file at `path` (exclusive create, mode exactly 0600, never through
    a link); raises FileExistsError if anything is already there."""
    fd = os.open(path, flags | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd
