"""A member's inflated bytes, in bounded chunks.

Deflated members are inflated by ISA-L when it is there (about twice as fast as zlib; both
release the GIL), stored ones are sliced, and the rare bzip2 and LZMA members go through
zipfile's streams. The compressed bytes consumed so far are tracked, so the caller can judge
the inflation ratio as it goes; headers lie, so only real bytes count.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from reviewer.archive.container import Level, Source

if TYPE_CHECKING:
    from reviewer.archive.planner import Job

inflater: Any
try:  # ISA-L inflates deflate streams about twice as fast as zlib, and releases the GIL too
    from isal import isal_zlib

    inflater = isal_zlib
except ImportError:  # pragma: no cover - isal is a dependency; zlib is the fallback
    inflater = zlib
crc32 = inflater.crc32
INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error, inflater.error)
READ_ERRORS: tuple[type[Exception], ...] = (
    *INFLATE_ERRORS,
    zipfile.BadZipFile,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)

STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
VIA_ZIPFILE = (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)  # rare; inflated through zipfile's streams
CHUNK_OUT = 8 << 20  # inflated bytes per step
CHUNK_IN = 1 << 20  # compressed bytes per step


class Truncated(Exception):
    """The member's compressed data ends before its deflate stream does."""


def deflate_chunks(src: Source, start: int, end: int, used: list[int]) -> Iterator[bytes]:
    """Inflate bytes [start, end) of `src` in bounded steps; `used[0]` tracks the compressed
    bytes consumed."""
    d = inflater.decompressobj(-15)
    for off in range(start, end, CHUNK_IN):
        piece: Any = src.read(off, min(CHUNK_IN, end - off))
        stop = off - start + len(piece)
        while True:
            out = d.decompress(piece, CHUNK_OUT)
            piece = d.unconsumed_tail
            used[0] = stop - len(piece) - (len(d.unused_data) if d.eof else 0)
            if out:
                yield out
            if d.eof:
                return
            if not piece and len(out) < CHUNK_OUT:
                break
    while not d.eof:  # input exhausted: drain what zlib still holds, then it is cut short
        out = d.decompress(b"", CHUNK_OUT)
        if not out:
            raise Truncated
        yield out


def stored_chunks(src: Source, start: int, end: int) -> Iterator[bytes | memoryview]:
    for off in range(start, end, CHUNK_OUT):
        yield src.read(off, min(CHUNK_OUT, end - off))


def zipfile_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK_OUT)
            if not chunk:
                return
            yield chunk


def chunks(level: Level, job: Job, used: list[int]) -> Iterator[bytes | memoryview]:
    """The member's inflated bytes in chunks; `used[0]` is kept at the compressed bytes read."""
    used[0] = job.end - job.start
    if job.method == DEFLATED:
        return deflate_chunks(level.src, job.start, job.end, used)
    if job.method == STORED:
        return stored_chunks(level.src, job.start, job.end)
    assert job.entry is not None
    return zipfile_chunks(*level.zipfile_member(job.entry))
