"""The outbox's file work for a release: stage a copy of the archive in a private folder of
the outbox while hashing it, read the staged copy back, write the files beside it, and rename
the folder into place atomically (OUTBOX/REQUEST_ID appears whole or not at all). No
database here: what is refused is raised as `Refused` for the release to audit."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from reviewer.store.errors import ReleaseError

OUTBOX_TMP = ".partial"  # half-written releases live here, never under DIR/REQUEST_ID
HASH_CHUNK = 1 << 20


class Refused(Exception):
    """The bytes or the place are not what was signed: the release is refused (audited)."""


def symbolic_link_in_the_way(outbox: Path, final: Path) -> Path | None:
    """An outbox, its staging folder or the release folder that is a symbolic link would send
    the files wherever it points."""
    for path in (outbox, outbox / OUTBOX_TMP, final):
        if path.is_symlink():
            return path
    return None


def stage(archive: Path, sha256: str, size: int, request_id: str, outbox: Path) -> Path:
    """Copy the archive (`size` bytes when it is the one signed) into a private folder of
    the outbox, hashing the copy; the folder. ReleaseError when the outbox cannot be
    written, Refused when the archive cannot be read, is no regular file (a pipe or a device
    put in its place) or is not the one signed (nothing is left behind)."""
    try:
        parking = outbox / OUTBOX_TMP
        for attempt in range(3):  # another release may tidy the folder away meanwhile
            parking.mkdir(exist_ok=True)
            try:
                tmp = Path(tempfile.mkdtemp(prefix=f"{request_id}.", dir=parking))
                break
            except FileNotFoundError:
                if attempt == 2:
                    raise
    except OSError as exc:
        raise ReleaseError(f"cannot write to the outbox {outbox}: {exc.strerror or exc}") from None
    h = hashlib.sha256()
    try:
        with open_regular(archive) as src, (tmp / "export.zip").open("wb") as dst:
            copied = 0
            for chunk in signed_chunks(src, size):
                copied += len(chunk)
                h.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
    except NotRegular as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise Refused(
            f"the archive {archive} is no longer a regular file ({exc}): it is not the file "
            "that was signed; nothing was written"
        ) from None
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise Refused(
            f"cannot read the archive {archive}: {exc.strerror or exc} (a release sends the "
            "bytes from where they were ingested: put the request folder back there)"
        ) from None
    if copied > size or h.hexdigest() != sha256:
        shutil.rmtree(tmp, ignore_errors=True)
        now = (
            f"more than the {size:,} bytes signed"
            if copied > size
            else f"sha256 now {h.hexdigest()[:12]}…"
        )
        raise Refused(
            f"the archive {archive} changed since it was signed ({now}, signed {sha256[:12]}…)"
        )
    return tmp


def signed_chunks(fh: BinaryIO, size: int) -> Iterator[bytes]:
    """`fh`'s bytes in chunks, never more than the signed `size` and one byte: a file grown,
    or a device put in its place, ends at once (one byte past `size` says it is not the file
    signed) rather than being read without end."""
    left = size + 1
    while left > 0 and (chunk := fh.read(min(HASH_CHUNK, left))):
        left -= len(chunk)
        yield chunk


class NotRegular(OSError):
    """The archive's path leads to something other than a regular file."""


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading, once it is a regular file: opened without waiting (a pipe
    would wait for a writer for ever), then its kind asked of the open file itself."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        kind = os.fstat(fd).st_mode
        if not stat.S_ISREG(kind):
            raise NotRegular(_kind_words(kind))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _kind_words(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a folder" if stat.S_ISDIR(mode) else "not a file"


def check_staged(tmp: Path, sha256: str) -> None:
    """Read the staged copy back from disk and hash it: only the bytes both signed are
    published (a copy changed after it was written is Refused, nothing delivered)."""
    h = hashlib.sha256()
    try:
        with (tmp / "export.zip").open("rb") as staged:
            while chunk := staged.read(HASH_CHUNK):
                h.update(chunk)
    except OSError as exc:
        raise Refused(f"cannot read the staged copy: {exc.strerror or exc}") from None
    if h.hexdigest() != sha256:
        raise Refused(
            "the staged copy in the outbox changed after it was written (sha256 now "
            f"{h.hexdigest()[:12]}…, signed {sha256[:12]}…); nothing was delivered"
        )


def write_files(tmp: Path, files: dict[str, str]) -> None:
    """Write each text file (UTF-8) into the staging folder, flushed to disk."""
    for name, body in files.items():
        _write(tmp / name, body.encode("utf-8"))


def publish(tmp: Path, receipt: dict[str, Any], final: Path) -> None:
    """Write the receipt last, beside the checked copy, then rename the folder into place."""
    _write(tmp / "release.json", json.dumps(receipt, indent=2, sort_keys=True).encode() + b"\n")
    _fsync_dir(tmp)
    os.rename(tmp, final)  # atomic: DIR/REQUEST_ID appears whole or not at all
    _fsync_dir(final.parent)


def make_dirs(path: Path) -> list[Path]:
    """`mkdir -p path`; the folders this call created, outermost first."""
    missing = []
    for p in (path, *path.parents):
        if p.exists():
            break
        missing.append(p)
    missing.reverse()
    path.mkdir(parents=True, exist_ok=True)
    return missing


def same_place(recorded: str, final: Path) -> bool:
    """Is the recorded destination `final`, the folders above it as they truly are now? The
    recorded path is compared as written (the release recorded its real folders), never
    through today's links: a folder replaced by a link since leads elsewhere, and is not the
    same place. (A recorded relative path is taken from here.)"""
    return os.path.abspath(recorded) == os.path.abspath(final)


def tidy(outbox: Path, created: list[Path] | None = None) -> None:
    """Remove the outbox's staging folder once no release is using it, so a delivered outbox
    holds the releases alone (a release running at the same moment keeps it non-empty, and
    one about to stage recreates it: see `stage`); then the folders in `created` (made by a
    release that failed), innermost first, each only while empty."""
    with contextlib.suppress(OSError):
        (outbox / OUTBOX_TMP).rmdir()
    for path in reversed(created or []):
        with contextlib.suppress(OSError):
            path.rmdir()


def _write(path: Path, data: bytes) -> None:
    with path.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
