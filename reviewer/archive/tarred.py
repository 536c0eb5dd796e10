"""tar members (`.tar`, and the tar a `.tar.gz` inflates to): listed and read as a nested
archive's members are, with the same hazard rules.

The tar's headers are walked with `tarfile` over the bytes in memory; nothing is extracted.
Names that climb out (``..``) or are absolute, links (symbolic and hard), devices and pipes
get the ZIP archive's findings (`zip-traversal`, `zip-absolute-path`, `zip-symlink`,
`zip-special-file`), saying that the member is inside a tar; two entries that land on one
file are `zip-duplicate-name` (tar keeps the last). Each regular file is read in bounded
chunks, its real bytes counted (a sparse file inflates), and digested by its kind. A tar cut
off is `zip-truncated`, one that is no tar `zip-corrupt`; bytes after the end of the archive
that are not its padding belong to no member.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from typing import IO

from reviewer.archive.context import Context
from reviewer.archive.inner import Block, take
from reviewer.domain.model import MemberKind

CHUNK = 1 << 20


def read_tar(ctx: Context, holder: str, data: bytes, depth: int) -> None:
    """List and read the members of the tar `data` held by the member `holder`; `depth` is
    the depth of the tar's own level."""
    hz = ctx.hazards
    block = Block(ctx, holder, "tar archive")
    seen: dict[str, str] = {}
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:")  # noqa: SIM115 - closed below
    except tarfile.TarError as exc:
        hz.add("zip-corrupt", holder, f"{holder!r} is not a readable tar archive ({exc})")
        return
    with tar:
        while True:
            try:
                info = tar.next()
            except tarfile.TarError as exc:
                code = "zip-truncated" if "unexpected end" in str(exc) else "zip-corrupt"
                hz.add(
                    code,
                    holder,
                    f"tar archive {holder!r} is damaged after {len(block.members)} members ({exc})",
                )
                return
            if info is None:
                break
            if not _one(ctx, tar, block, info, seen, depth):
                return
        end = tar.offset
    if end < len(data) and data.count(0, end) != len(data) - end:
        hz.add(
            "zip-unlisted-bytes",
            holder,
            f"tar archive {holder!r}: {len(data) - end:,} bytes after its end belong to no "
            "member and would reach the requester unchecked",
        )


def _one(
    ctx: Context,
    tar: tarfile.TarFile,
    block: Block,
    info: tarfile.TarInfo,
    seen: dict[str, str],
    depth: int,
) -> bool:
    """List and read one entry; False when no more can be listed."""
    hz, name = ctx.hazards, info.name
    kind, label = (MemberKind.DIRECTORY, "folder") if info.isdir() else (MemberKind.OTHER, "file")
    member = block.add(name + "/" if info.isdir() else name, info.size, kind, label)
    if member is None:
        return False
    path = member.path
    where = f"inside the tar archive {block.holder!r}"
    if ".." in name.split("/"):
        hz.add(
            "zip-traversal", path, f"{name!r} {where} climbs out of the folder it is unpacked into"
        )
    if name.startswith("/"):
        hz.add(
            "zip-absolute-path",
            path,
            f"{name!r} {where} would be written outside any target folder",
        )
    from reviewer.archive.planner import landing  # (the planner imports the digesters)

    key = landing(name)
    if key in seen and not info.isdir():
        hz.add("zip-duplicate-name", path, f"{name!r} appears twice {where}; tar keeps the last")
    seen[key] = name
    if info.issym() or info.islnk():
        what = "a symbolic link" if info.issym() else "a hard link"
        member.type_label = what.removeprefix("a ")
        hz.add(
            "zip-symlink",
            path,
            f"{name!r} {where} is {what} to {info.linkname!r}; it is not followed",
        )
        return True
    if info.isdir():
        return True
    if not info.isfile():
        what = (
            "a character device"
            if info.ischr()
            else "a block device"
            if info.isblk()
            else "a named pipe"
            if info.isfifo()
            else "a special file"
        )
        member.type_label = what.removeprefix("a ")
        hz.add("zip-special-file", path, f"{name!r} {where} is {what}; it is not read")
        return True
    handle = tar.extractfile(info)
    if handle is None:
        return True
    with handle:
        take(ctx, member, name, _chunks(handle, info.size, path, ctx), depth)
    return True


def _chunks(handle: IO[bytes], size: int, path: str, ctx: Context) -> Iterator[bytes]:
    got = 0
    while True:
        piece = handle.read(CHUNK)
        if not piece:
            break
        got += len(piece)
        yield piece
    if got < size:
        ctx.hazards.add(
            "zip-truncated",
            path,
            f"{path!r} is cut off inside its tar archive: {got:,} of its {size:,} bytes",
        )
