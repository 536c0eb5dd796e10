"""Containers other than ZIP archives: gzip streams (`reviewer.archive.gzipped`), tar
archives (`reviewer.archive.tarred`) and SQLite databases (`reviewer.archive.sqlitedb`),
each opened as a level of its own under the nested archives' depth and size limits. A
member opened so is listed as an archive (its members are checked), no longer as a member
of a type the reviewer cannot read. Other members of no readable kind are left alone."""

from __future__ import annotations

from collections.abc import Iterator

from reviewer.archive.context import Context
from reviewer.archive.gzipped import GzipDamage, inflate, inner_name
from reviewer.archive.inner import Block, depth_of, take
from reviewer.archive.sqlitedb import read_sqlite
from reviewer.archive.tarred import read_tar
from reviewer.domain.archive.sniff import (
    CONTAINER_LABELS,
    GZIP_LABEL,
    SQLITE_LABEL,
    TAR_LABEL,
    sniff,
)
from reviewer.domain.model import Member, MemberKind

_WHAT = {GZIP_LABEL: "gzip stream", TAR_LABEL: "tar archive", SQLITE_LABEL: "SQLite database"}


def digest_container(
    ctx: Context, member: Member, box: list[bytes], total: int, tail: bytes
) -> None:
    label = member.type_label
    if label not in CONTAINER_LABELS:
        return
    data = box.pop()
    hz, path = ctx.hazards, member.path
    depth = depth_of(ctx, path) + 1  # the container's own level
    what = _WHAT[label]
    if ctx.beyond_nesting(path, depth, total, what, whole=len(data) == total):
        return
    member.kind = MemberKind.ARCHIVE
    hz.add(
        "zip-nested",
        path,
        f"{path} is a {what} inside the archive; its members are listed as {path}!<name>",
    )
    if label == TAR_LABEL:
        read_tar(ctx, path, data, depth)
    elif label == SQLITE_LABEL:
        if not read_sqlite(ctx, path, data):
            member.kind = MemberKind.OTHER
    else:
        _gzip(ctx, path, data, depth)


def _gzip(ctx: Context, path: str, data: bytes, depth: int) -> None:
    """The gzip member's one file, or the members of the tar it holds."""
    limits, hz = ctx.limits, ctx.hazards
    stream = inflate(ctx, path, data)
    name = inner_name(path)
    try:
        head = b""
        for chunk in stream:
            head += chunk
            if len(head) >= 4096:
                break
        if sniff(name, head[:4096])[1] == TAR_LABEL:  # a .tar.gz: the tar is this level
            parts = [head]
            size = len(head)
            for chunk in stream:
                size += len(chunk)
                if size > limits.max_nested_bytes:
                    hz.add(
                        "zip-bomb-size",
                        path,
                        f"{path} inflates to a tar archive larger than the "
                        f"{limits.max_nested_bytes:,}-byte limit for nested archives",
                    )
                    return
                ctx.add_total(len(chunk), path)
                parts.append(chunk)
            ctx.add_total(len(head), path)
            read_tar(ctx, path, b"".join(parts), depth)
            return
        block = Block(ctx, path, "gzip stream")
        member = block.add(name, 0, MemberKind.OTHER, "file")
        if member is not None:
            take(ctx, member, name, _chained(head, stream), depth)
    except GzipDamage as exc:
        code, why = exc.args
        hz.add(code, path, f"{path!r} {why}")


def _chained(head: bytes, stream: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    yield from stream
