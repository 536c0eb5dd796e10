"""Members of containers other than ZIP archives (gzip, tar, SQLite): listed and read as the
members of a nested archive are.

A container is a level of its own: its members are named ``outer.tar!inner/path`` and listed
right after it; each is counted against the member limit, its real bytes against the size
limits (per member and for the whole export), and it is digested by what its first bytes
say it is, so a CSV in a tar is a table whose customer column is checked. A ZIP archive, a
gzip stream, a tar or a database inside is opened in turn, one level deeper, up to the
depth limit.
"""

from __future__ import annotations

import hashlib
import io
import sys
from collections.abc import Iterable

from reviewer.archive.container import Source
from reviewer.archive.context import Context
from reviewer.archive.directory import END_TAIL
from reviewer.domain.archive.sniff import sniff
from reviewer.domain.model import AudioInfo, Member, MemberKind

SNIFF_BYTES = 4096


def depth_of(ctx: Context, path: str) -> int:
    """How deep the level holding the member `path` is (the export is depth 0)."""
    with ctx.lock:
        prefixes = list(ctx.blocks)
    return sum(1 for p in prefixes if p and path.startswith(p))


class Block:
    """A container's members, registered in the index as they are listed."""

    def __init__(self, ctx: Context, holder: str, what: str) -> None:
        self.ctx, self.holder, self.what = ctx, holder, what
        self.prefix = holder + "!"
        self.members: list[Member] = []
        self.full = False
        with ctx.lock:
            ctx.blocks[self.prefix] = self.members

    def add(self, name: str, size: int, kind: MemberKind, label: str) -> Member | None:
        """List a member (None when the member limit is reached: the rest are not listed)."""
        ctx = self.ctx
        with ctx.lock:
            over = ctx.listed >= ctx.limits.max_members
            if not over:
                ctx.listed += 1
        if over:
            if not self.full:
                self.full = True
                ctx.hazards.add(
                    "zip-too-many-members",
                    self.holder,
                    f"{self.what} {self.holder!r} holds more members than the "
                    f"{ctx.limits.max_members:,} listed and read in all",
                )
            return None
        member = Member(sys.intern(self.prefix + name), size, size, kind, label)
        self.members.append(member)
        with ctx.lock:
            ctx.index.members.append(member)
        return member


def take(ctx: Context, member: Member, name: str, pieces: Iterable[bytes], depth: int) -> None:
    """Read a listed member of a container at `depth` from `pieces` (its bytes, in chunks),
    counting them against the limits, then digest it by its kind."""
    limits, hz, path = ctx.limits, ctx.hazards, member.path
    digest = hashlib.sha256()
    kept: list[bytes] = []
    kept_n = count = cap = 0
    tail = b""
    pending = b""
    sniffed = False
    for chunk in pieces:
        if not sniffed:
            pending += chunk
            if len(pending) < SNIFF_BYTES:
                continue
            chunk, pending, sniffed = pending, b"", True
            cap = _sniffed(ctx, member, name, chunk, depth)
        count += len(chunk)
        if count > limits.max_member_bytes:
            hz.add(
                "zip-bomb-size",
                path,
                f"{path!r} inflates beyond the {limits.max_member_bytes:,}-byte limit per member",
            )
            member.read_bytes = count
            return
        ctx.add_total(len(chunk), path)
        digest.update(chunk)
        tail = (tail + chunk)[-END_TAIL:] if len(chunk) < END_TAIL else chunk[-END_TAIL:]
        if kept_n < cap:
            piece = chunk[: cap - kept_n]
            kept.append(piece)
            kept_n += len(piece)
    if not sniffed:  # smaller than the sniffed bytes: read whole here
        chunk = pending
        cap = _sniffed(ctx, member, name, chunk, depth)
        count = len(chunk)
        ctx.add_total(count, path)
        digest.update(chunk)
        tail, kept, kept_n = chunk[-END_TAIL:], [chunk[:cap]], min(cap, count)
    member.read_bytes = count
    member.declared_size = count
    member.sha256 = sys.intern(digest.hexdigest())
    member.readable = True
    box = [b"".join(kept)]
    kept.clear()
    digest_member(ctx, member, box, count, tail, depth)


def _sniffed(ctx: Context, member: Member, name: str, head: bytes, depth: int) -> int:
    """What the member is, from its first bytes; how many of its bytes its digester needs."""
    from reviewer.archive.planner import keep_cap  # (the planner imports the digesters)

    kind, label, audio = sniff(name, head[:SNIFF_BYTES])
    member.kind, member.type_label = kind, label
    if audio:
        member.audio = AudioInfo(format=audio)
    return keep_cap(ctx.limits, depth, kind, audio, label)


def digest_member(
    ctx: Context, member: Member, box: list[bytes], count: int, tail: bytes, depth: int
) -> None:
    """A container's member read to its end: opened as a nested ZIP archive when it is one,
    else handed to its kind's digester."""
    from reviewer.archive.planner import digester_for

    if member.kind is MemberKind.ARCHIVE:
        open_zip(ctx, member, box.pop(), count, depth)
        return
    digester = digester_for(member)
    if digester is not None:
        digester(ctx, member, box, count, tail)


def open_zip(ctx: Context, member: Member, data: bytes, count: int, depth: int) -> None:
    """A ZIP archive inside a container, opened as nested archives are (`export`)."""
    from reviewer.archive.export import _read_level

    hz, path = ctx.hazards, member.path
    if ctx.beyond_nesting(path, depth + 1, count, whole=len(data) == count):
        return
    hz.add(
        "zip-nested",
        path,
        f"{path} is an archive inside the archive; its members are listed as {path}!<name>",
    )
    nested = Source(data=data)
    try:
        _read_level(ctx, nested, io.BytesIO(data), path + "!", depth + 1, path)
    finally:
        nested.close()
