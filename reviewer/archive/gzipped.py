"""gzip members (`.gz`, `.csv.gz`, `.tgz`): inflated in bounded steps, as ZIP members are.

The real inflated bytes are counted as they come, against one member's size limit and the
inflation ratio (a gzip bomb is stopped there, whatever its header says); each stream's CRC
and length are checked by zlib at its end; streams written one after another are read as
one, as gunzip does; bytes after the last stream that are not padding (NULs) belong to no
member. What the stream holds is read as the container's one member, named after it without
``.gz`` (``VoiceHistory.csv.gz!VoiceHistory.csv``), or, when it is a tar archive, the tar's
members (``archive.tar.gz!inner/path``).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from reviewer.archive.context import Context, Stop

STEP = 1 << 16  # compressed bytes fed at a time
OUT_STEP = 1 << 20  # inflated bytes taken at a time


class GzipDamage(Exception):
    """The stream cannot be read to its end: (finding code, what is wrong)."""


def inner_name(path: str) -> str:
    """The name of the one file a gzip member holds: its own name without ``.gz``."""
    base = path.rpartition("!")[2].rpartition("/")[2]
    low = base.lower()
    if low.endswith(".tgz"):
        return base[:-4] + ".tar"
    for ext in (".gz", ".gzip", ".z"):
        if low.endswith(ext) and len(base) > len(ext):
            return base[: -len(ext)]
    return base + ".out"


def inflate(ctx: Context, path: str, data: bytes) -> Iterator[bytes]:
    """The inflated bytes of the gzip member `path` (`data`: its bytes), in bounded chunks.

    A ratio beyond the limit is a finding and stops the reading (`Stop`); damage raises
    `GzipDamage` once the bytes before it have been given."""
    limits, hz = ctx.limits, ctx.hazards
    out = 0
    used = 0  # compressed bytes consumed
    at = 0
    while at < len(data):
        if data[at : at + 2] != b"\x1f\x8b":
            if data.count(0, at) != len(data) - at:
                hz.add(
                    "zip-unlisted-bytes",
                    path,
                    f"{path}: {len(data) - at:,} bytes after its gzip stream belong to no "
                    "member and would reach the requester unchecked",
                )
            return
        inflater = zlib.decompressobj(31)
        while not inflater.eof:
            if inflater.unconsumed_tail:
                src = inflater.unconsumed_tail
            elif at < len(data):
                src = data[at : at + STEP]
                at += len(src)
                used += len(src)
            else:
                raise GzipDamage("zip-truncated", "is cut off: its gzip stream ends early")
            try:
                chunk = inflater.decompress(src, OUT_STEP)
            except zlib.error as exc:
                code = "zip-bad-crc" if "check" in str(exc) else "zip-corrupt"
                raise GzipDamage(code, f"has damaged gzip data (zlib: {exc})") from None
            out += len(chunk)
            if out > limits.ratio_floor_bytes and out > limits.max_ratio * max(used, 1):
                hz.add(
                    "zip-bomb-ratio",
                    path,
                    f"{path!r} (gzip) inflates to {out:,} bytes from {used:,} compressed, "
                    f"beyond {limits.max_ratio:g} times",
                )
                raise Stop
            if chunk:
                yield chunk
        back = len(inflater.unused_data)
        at -= back
        used -= back
