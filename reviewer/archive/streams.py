"""A member's inflated bytes, in bounded chunks.

Deflated members are inflated by ISA-L when it is there (about twice as fast as zlib; both
release the GIL), stored ones are sliced, and the rare bzip2 and LZMA members are inflated by
the bz2 and lzma modules, in bounded steps too: a stream is read to its own end, not cut at
the declared size (as zipfile does), so a member that inflates to more than it declares is
found. The compressed bytes consumed so far are tracked, so the caller can judge the
inflation ratio as it goes, and can tell bytes left after the end of the stream (inside the
member's recorded compressed size, where no tool looks); headers lie, so only real bytes count.
"""

from __future__ import annotations

import bz2
import lzma
import struct
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
BZIP2, LZMA = zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA
VIA_ZIPFILE = (BZIP2, LZMA)  # rare; kept with their directory entry (its flags, name)
CHUNK_OUT = 8 << 20  # inflated bytes per step
CHUNK_IN = 1 << 20  # compressed bytes per step
STREAM_IN = 64 << 10  # compressed bytes per step of a bzip2 or LZMA stream (a closer ratio)
LZMA_EOS = 0x2  # flag bit 1 of an LZMA member: its stream ends with an end marker
LZMA_DICT_MIN = 4096


class Truncated(Exception):
    """The member's compressed data ends before its stream does (args: the stream's kind)."""


# every way reading a member's bytes can fail on what the archive holds
READ_FAILURES: tuple[type[Exception], ...] = (Truncated, *READ_ERRORS)


def read_failure(exc: BaseException) -> tuple[str, str]:
    """(finding code, what is wrong) for a member whose reading raised one of `READ_ERRORS`
    (or `Truncated`): what it means for a reviewer in words, then the technical reason in
    parentheses, to follow the member's name ("'a.csv' has damaged compressed data ...")."""
    text = str(exc)
    why = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    if isinstance(exc, Truncated):
        kind = exc.args[0] if exc.args else "deflate"
        return (
            "zip-truncated",
            f"is cut off: its compressed data ends before its {kind} stream does",
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
    return out if d.eof and not d.unused_data else None


def stored_chunks(src: Source, start: int, end: int) -> Iterator[bytes | memoryview]:
    for off in range(start, end, CHUNK_OUT):
        yield src.read(off, min(CHUNK_OUT, end - off))


def stream_chunks(
    src: Source,
    start: int,
    end: int,
    used: list[int],
    d: Any,
    kind: str,
    ends: bool = True,
    step: int = CHUNK_OUT,
) -> Iterator[bytes]:
    """Inflate bytes [start, end) of `src` with `d` (a bz2 or lzma decompressor) in steps of
    at most `step` bytes, to the end of its stream; `used[0]` tracks the compressed bytes
    consumed (counted from `start`). `ends`: the stream has an end of its own (an LZMA
    stream without an end marker ends with its bytes); one that does not is cut off."""
    for off in range(start, end, STREAM_IN):
        piece = bytes(src.read(off, min(STREAM_IN, end - off)))
        fed = off - start + len(piece)
        used[0] = fed
        while True:
            out = d.decompress(piece, step)
            piece = b""
            if d.eof:
                used[0] = fed - len(d.unused_data)
            if out:
                yield out
            if d.eof:
                return
            if d.needs_input:
                break
    if ends and end > start:  # (no bytes at all: nothing, as zipfile reads it)
        raise Truncated(kind)


def lzma_decompressor(head: bytes, dict_cap: int) -> tuple[lzma.LZMADecompressor, int]:
    """A raw LZMA decompressor for a ZIP member whose compressed data starts with `head`, and
    the length of ZIP's LZMA header: a version (2 bytes), the size of the properties (2),
    the properties (5: lc, lp and pb in one byte, the dictionary size). The dictionary is
    held to `dict_cap` (the member's declared size, when it says more): a member that
    reaches back beyond its own declared size is damaged, and a header claiming 4 GiB would
    make the decompressor ask for them."""
    if len(head) < 4:
        raise EOFError("the LZMA header is cut off")
    (n,) = struct.unpack_from("<H", head, 2)
    if n != 5:
        raise lzma.LZMAError(f"LZMA properties of {n} bytes, not 5")
    if len(head) < 9:
        raise EOFError("the LZMA properties are cut off")
    packed = head[4]
    (dict_size,) = struct.unpack_from("<I", head, 5)
    if packed >= 9 * 5 * 5:
        raise lzma.LZMAError(f"invalid LZMA properties byte {packed}")
    lc, lp, pb = packed % 9, packed // 9 % 5, packed // 45
    dict_size = max(LZMA_DICT_MIN, min(dict_size, dict_cap))
    lzma1 = {"id": lzma.FILTER_LZMA1, "lc": lc, "lp": lp, "pb": pb, "dict_size": dict_size}
    return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma1]), 9


def own_chunks(
    src: Source, start: int, end: int, used: list[int], method: int, flags: int, size: int
) -> Iterator[bytes]:
    """A bzip2 or LZMA member's data [start, end) inflated (`flags`: its general purpose bits,
    `size`: its declared size), as `stream_chunks`; the features zipfile refuses are refused
    in its words."""
    if flags & 0x20:
        raise NotImplementedError("compressed patched data (flag bit 5)")
    if flags & 0x40:
        raise NotImplementedError("strong encryption (flag bit 6)")
    step = min(CHUNK_OUT, size + 1)  # one byte past the declared size tells it lies
    if method == BZIP2:
        bunzip = bz2.BZ2Decompressor()
        yield from stream_chunks(src, start, end, used, bunzip, "bzip2", step=step)
        return
    if end == start:
        return
    d, n = lzma_decompressor(bytes(src.read(start, min(9, end - start))), size)
    inner = [0]
    ends = bool(flags & LZMA_EOS)
    for out in stream_chunks(src, start + n, end, inner, d, "LZMA", ends, step):
        used[0] = n + inner[0]
        yield out
    used[0] = n + inner[0]


def checked_chunks(chunks: Iterator[bytes], crc: int, size: int, name: str) -> Iterator[bytes]:
    """`chunks`, and at their end (when they hold `size` bytes) their CRC-32 checked against
    `crc`: a mismatch is said in zipfile's words, as when these members were read through it
    (the reader's own check, later, says the same in its words)."""
    got = 0
    n = 0
    for chunk in chunks:
        got = crc32(chunk, got)
        n += len(chunk)
        yield chunk
    if n == size and got != crc:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {name!r}")


def holds_nothing(src: Source, start: int, end: int, method: int, flags: int) -> bool:
    """Whether the compressed bytes [start, end) of a member are nothing at all, or exactly
    one stream that inflates to nothing (how writers store an empty file or a folder)."""
    if end == start:
        return True
    used = [0]
    try:
        if method == DEFLATED:
            stream = deflate_chunks(src, start, end, used)
        elif method in VIA_ZIPFILE:
            stream = own_chunks(src, start, end, used, method, flags, 0)
        else:
            return False  # stored bytes, or a method not inflated: they are what they are
        if any(stream):
            return False
    except READ_FAILURES:
        return False
    return used[0] == end - start


def left_over(level: Level, job: Job, used: list[int]) -> str | None:
    """What lies after the end of a member's compressed stream but inside its recorded
    compressed size (`used[0]`: the bytes its stream took, as `chunks` left it), or None:
    bytes no tool inflates, that belong to no member and would reach the requester."""
    n = job.end - job.start - used[0]
    if n <= 0:
        return None
    where = f"nested archive {level.prefix.rstrip('!')!r}" if level.prefix else "the archive"
    return (
        f"{job.name!r}: {n:,} byte{'s' if n != 1 else ''} after the end of its compressed "
        f"stream, inside its recorded compressed size (from byte {job.start + used[0]:,} of "
        f"{where}), belong to no member and would reach the requester unchecked"
    )


def chunks(level: Level, job: Job, used: list[int]) -> Iterator[bytes | memoryview]:
    """The member's inflated bytes in chunks; `used[0]` is kept at the compressed bytes read
    (fewer than the member holds when its stream ends before its data does)."""
    used[0] = job.end - job.start
    if job.method == DEFLATED:
        return deflate_chunks(level.src, job.start, job.end, used)
    if job.method == STORED:
        return stored_chunks(level.src, job.start, job.end)
    assert job.entry is not None
    flags, name = job.entry.flags, job.entry.name
    stream = own_chunks(level.src, job.start, job.end, used, job.method, flags, job.size)
    return checked_chunks(stream, job.crc, job.size, name)
