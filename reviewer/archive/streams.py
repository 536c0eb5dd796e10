"""A member's inflated bytes, in bounded chunks.

Deflated members are inflated by ISA-L when it is there (about twice as fast as zlib; both
release the GIL), stored ones are sliced, and the rare bzip2 and LZMA members go through
zipfile's streams. The compressed bytes consumed so far are tracked, so the caller can judge
the inflation ratio as it goes; headers lie, so only real bytes count.
"""

from __future__ import annotations

import lzma
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
    lzma.LZMAError,
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


# every way reading a member's bytes can fail on what the archive holds
READ_FAILURES: tuple[type[Exception], ...] = (Truncated, *READ_ERRORS)


def read_failure(exc: BaseException) -> tuple[str, str]:
    """(finding code, what is wrong) for a member whose reading raised one of `READ_ERRORS`
    (or `Truncated`): what it means for a reviewer in words, then the technical reason in
    parentheses, to follow the member's name ("'a.csv' has damaged compressed data ...")."""
    text = str(exc)
    why = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if isinstance(exc, Truncated):
        return (
            "zip-truncated",
            "is cut off: its compressed data ends before its deflate stream does",
        )
    if isinstance(exc, INFLATE_ERRORS):
        return (
            "zip-corrupt",
            f"has damaged compressed data that cannot be inflated (inflate: {text})",
        )
    if isinstance(exc, lzma.LZMAError):
        return "zip-corrupt", f"has damaged LZMA data that cannot be inflated ({why})"
    if isinstance(exc, zipfile.BadZipFile):
        if "CRC" in text:
            return "zip-bad-crc", f"inflates to bytes that fail their CRC check ({why})"
        return "zip-corrupt", f"has a damaged header or data where the archive points ({why})"
    if isinstance(exc, EOFError):
        return "zip-truncated", f"is cut off: its compressed data ends too early ({why})"
    if isinstance(exc, NotImplementedError):
        return (
            "zip-unsupported-compression",
            f"uses a compression feature the reader cannot inflate ({why})",
        )
    if isinstance(exc, OSError) and exc.errno is not None:
        return "zip-corrupt", f"could not be read from the archive file ({why})"
    if isinstance(exc, OSError):
        return "zip-corrupt", f"has damaged compressed data that cannot be inflated ({why})"
    if isinstance(exc, RuntimeError) and "encrypted" in text:
        return "zip-encrypted", f"is encrypted, so it cannot be checked ({why})"
    if isinstance(exc, ValueError):
        return (
            "zip-corrupt",
            f"has compressed data or headers the reader cannot make sense of ({why})",
        )
    return "zip-corrupt", f"could not be read to its end: the reader failed on it ({why})"


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


def small_member(level: Level, job: Job) -> bytes | None:
    """A small stored or deflated member's inflated bytes in one step, or None when they
    need the chunked reading (another method, data cut short, a stream that does not end
    within `CHUNK_OUT` bytes, invalid data, a read that fails): the chunked reading then
    reads it again and reports what is wrong, in the words of `read_failure`."""
    n = job.end - job.start
    method = job.method
    if method != STORED and method != DEFLATED:
        return None
    try:
        piece = level.src.read(job.start, n)
        if len(piece) != n:
            return None
        if method == STORED:
            return bytes(piece)
        d = inflater.decompressobj(-15)
        out: bytes = d.decompress(piece, CHUNK_OUT)
    except READ_FAILURES:
        return None
    return out if d.eof else None


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
