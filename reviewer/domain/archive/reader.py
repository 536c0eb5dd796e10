"""Safe reading of an export archive into an `ExportIndex`, and of single members.

Nothing is extracted and nothing is written. The central directory is read into small records
(`directory`); every member's local header is checked against it and every member's byte range
against the others (overlapping members are a zip bomb that Python 3.11.7's zipfile does not
refuse). Members are read with `pread` and inflated in large chunks, by two threads when the
members are big enough for it to pay (ISA-L or zlib, crc32 and hashlib release the GIL),
counting the real inflated bytes, because headers lie. Only what the checks need is kept: the
text of text members (capped), PDF bytes until the PDF child process has them, nested archives
while they are read, and the first bytes of recordings. Every hazard becomes a finding (see
`hazards`); reading goes on with the rest where it can.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import struct
import sys
import threading
import zipfile
import zlib
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.domain.archive.audio import OGG_TAIL, mp3_info, ogg_info
from reviewer.domain.archive.directory import Entry, read_directory
from reviewer.domain.archive.errors import ArchiveError, WavError
from reviewer.domain.archive.hazards import Hazards
from reviewer.domain.archive.limits import Limits
from reviewer.domain.archive.pdf import TRANSCRIPTS_PDF, PdfService, parse_catalogue
from reviewer.domain.archive.sniff import extension, sniff
from reviewer.domain.archive.tabular import (
    decode_text,
    parse_csv,
    parse_json,
    recordings_from,
    table_from_json,
)
from reviewer.domain.archive.wav import parse_wav
from reviewer.domain.model import AudioInfo, ExportIndex, Member, MemberKind

_inflate: Any
try:  # ISA-L inflates deflate streams about twice as fast as zlib, and releases the GIL too
    from isal import isal_zlib

    _inflate = isal_zlib
except ImportError:  # pragma: no cover - isal is a dependency; zlib is the fallback
    _inflate = zlib
INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error, _inflate.error)
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
SNIFF_BYTES = 4096
HASH_CHUNK = 4 << 20  # bytes per step when hashing the whole file
AUDIO_HEAD = 1 << 20  # bytes kept from the start of a recording to lay out its chunks
LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
LOCAL_SIG = b"PK\x03\x04"
S_IFMT, S_IFLNK = 0o170000, 0o120000
THREADS = 2
SALVAGE_MAX = 1 << 20  # members walked in an archive whose directory is lost
PDF_PRESTART_BYTES = 8 << 20  # exports this big start the PDF child before looking inside
EARLY_TEXT_BYTES = 1 << 20  # structured members this big are read before the small ones
THREAD_MIN_AVERAGE = 16 << 10  # compressed bytes per member for two threads to pay
MANIFEST = "manifest.json"
PROFILE = "Account/Profile.json"
_DRIVE = re.compile(r"^[A-Za-z]:")


class _Truncated(Exception):
    pass


class _Stop(Exception):
    """Reading of one member stops (a limit was hit); the hazard is already recorded."""


@dataclass(slots=True)
class _Job:
    member: Member
    name: str  # the name inside its own archive
    method: int
    crc: int
    start: int  # data range in the archive
    end: int
    size: int  # declared sizes
    csize: int
    entry: Entry | None  # kept only for methods inflated through zipfile


class _Context:
    """State shared by every level and thread while one export is read."""

    def __init__(self, limits: Limits, index: ExportIndex) -> None:
        self.limits = limits
        self.index = index
        self.hazards = Hazards()
        self.pdf = PdfService(limits.pdf_timeout_s, limits.pdf_memory_bytes)
        self.lock = threading.Lock()
        self.listed = 0
        self.total = 0
        self.stopped = False
        self.text_left = limits.max_total_text_bytes
        self.blocks: dict[str, list[Member]] = {}  # each level's members, by its path prefix
        self.threaded = False
        self.moved = False  # members read out of directory order

    def add_total(self, n: int, path: str) -> None:
        with self.lock:
            self.total += n
            over = self.total > self.limits.max_total_bytes
            if over and not self.stopped:
                self.stopped = True
                self.hazards.add(
                    "zip-bomb-size",
                    path,
                    f"the archive inflates beyond {self.limits.max_total_bytes:,} "
                    f"bytes in all; reading stopped at {path}",
                )
        if over:
            raise _Stop

    def take_text(self, n: int) -> int:
        with self.lock:
            granted = max(0, min(n, self.text_left))
            self.text_left -= granted
            return granted


# ------------------------------------------------------------------------- inflating


def _deflate_chunks(src: _Source, start: int, end: int, used: list[int]) -> Iterator[bytes]:
    """Inflate bytes [start, end) of `src` in bounded steps; `used[0]` tracks the compressed
    bytes consumed."""
    d = _inflate.decompressobj(-15)
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
            raise _Truncated
        yield out


def _stored_chunks(src: _Source, start: int, end: int) -> Iterator[bytes | memoryview]:
    for off in range(start, end, CHUNK_OUT):
        yield src.read(off, min(CHUNK_OUT, end - off))


def _zipfile_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK_OUT)
            if not chunk:
                return
            yield chunk


def _chunks(level: _Level, job: _Job, used: list[int]) -> Iterator[bytes | memoryview]:
    """The member's inflated bytes in chunks; `used[0]` is kept at the compressed bytes read."""
    used[0] = job.end - job.start
    if job.method == DEFLATED:
        return _deflate_chunks(level.src, job.start, job.end, used)
    if job.method == STORED:
        return _stored_chunks(level.src, job.start, job.end)
    assert job.entry is not None
    return _zipfile_chunks(*level.zipfile_member(job.entry))


class _Source:
    """Random access to an archive's bytes: the export file (read with pread, so nothing is
    mapped and only what is being inflated sits in memory) or a nested archive's bytes."""

    def __init__(self, fd: int | None = None, data: bytes | None = None) -> None:
        self.fd = fd
        self.data = data
        self.view = memoryview(data) if data is not None else None
        self.size = len(data) if data is not None else os.fstat(fd).st_size  # type: ignore[arg-type]

    def read(self, off: int, n: int) -> bytes | memoryview:
        if self.view is not None:
            return self.view[off : off + n]
        assert self.fd is not None
        data = os.pread(self.fd, n, off)
        if len(data) == n or not data:
            return data
        parts = [data]
        got = len(data)
        while got < n:
            more = os.pread(self.fd, n - got, off + got)
            if not more:
                break
            parts.append(more)
            got += len(more)
        return b"".join(parts)

    def close(self) -> None:
        if self.view is not None:
            self.view.release()


# ------------------------------------------------------------------------- one archive level


class _Level:
    """One archive (the export itself or a nested one) and its directory.

    `fileobj` None means the directory is lost: the members are walked from their local
    headers instead (see `_salvage`).
    """

    def __init__(self, src: _Source, fileobj: Any, prefix: str, depth: int, limit: int) -> None:
        self.src = src
        self.fileobj = fileobj
        self.prefix = prefix
        self.depth = depth
        self._zf: zipfile.ZipFile | None = None
        if fileobj is None:
            self.entries = _salvage(src, limit)
            self.declared, self.start_dir = len(self.entries), src.size
        else:
            self.entries, self.declared, self.start_dir = read_directory(src.read, src.size, limit)

    @classmethod
    def planned(cls, src: _Source, fileobj: Any, prefix: str, depth: int) -> _Level:
        """The level of an archive whose reading plan is cached: the directory is not parsed
        again (the plan holds what `read_member` needs from it)."""
        level = cls.__new__(cls)
        level.src, level.fileobj, level.prefix, level.depth = src, fileobj, prefix, depth
        level._zf = None
        level.entries, level.declared, level.start_dir = [], 0, src.size
        return level

    def zipfile_member(self, entry: Entry) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
        """zipfile's view of one member, for the methods zipfile inflates (bzip2, LZMA)."""
        if self.fileobj is None:
            raise NotImplementedError("not read from an archive whose directory is lost")
        if self._zf is None:
            self._zf = zipfile.ZipFile(self.fileobj)
        for info in self._zf.infolist():
            if info.header_offset == entry.header_offset:
                return self._zf, info
        raise zipfile.BadZipFile("the member is not where the directory says")

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()


def _salvage(src: _Source, limit: int) -> list[Entry]:
    """The members whose local headers can be walked from the start of a cut-off archive, up
    to the first one whose size is not in its header."""
    entries: list[Entry] = []
    off = 0
    while off + LOCAL_HEADER.size <= src.size and len(entries) < min(limit, SALVAGE_MAX):
        head = bytes(src.read(off, LOCAL_HEADER.size))
        sig, _v, flags, method, _t, _d, crc, csize, size, n_name, n_extra = LOCAL_HEADER.unpack(
            head
        )
        if sig != LOCAL_SIG or flags & 0x8 or 0xFFFFFFFF in (csize, size):
            break
        raw = bytes(src.read(off + LOCAL_HEADER.size, n_name))
        name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        entries.append(Entry(name, flags, method, crc, csize, size, off, 0))
        off += LOCAL_HEADER.size + n_name + n_extra + csize
    return entries


def _open_failure(src: _Source) -> tuple[str, str]:
    head = bytes(src.read(0, 4))
    if not head:
        return "zip-unreadable", "the file is empty"
    if head in (LOCAL_SIG, b"PK\x05\x06", b"PK\x07\x08"):
        return "zip-truncated", "the archive's central directory is missing or damaged (cut off?)"
    return "zip-unreadable", "the file is not a ZIP archive"


def _name_hazards(hz: Hazards, path: str, name: str) -> None:
    parts = re.split(r"[\\/]", name)
    if ".." in parts:
        hz.add("zip-traversal", path, f"{name!r} climbs out of the folder it is unpacked into")
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        hz.add("zip-absolute-path", path, f"{name!r} would be written outside any target folder")
    if "\\" in name:
        hz.add("zip-backslash", path, f"{name!r} uses backslashes, read as folders on Windows")
    if "\x00" in name:
        hz.add("zip-traversal", path, f"{name!r} hides a NUL byte in its name")


_KIND_BY_EXT = {
    ".wav": (MemberKind.AUDIO, "WAV audio"),
    ".mp3": (MemberKind.AUDIO, "MP3 audio"),
    ".ogg": (MemberKind.AUDIO, "OGG audio"),
    ".pdf": (MemberKind.PDF, "PDF document"),
    ".csv": (MemberKind.CSV, "CSV table"),
    ".tsv": (MemberKind.CSV, "CSV table"),
    ".json": (MemberKind.JSON, "JSON document"),
    ".zip": (MemberKind.ARCHIVE, "ZIP archive"),
    ".txt": (MemberKind.TEXT, "plain text"),
}


def _kind_by_name(name: str) -> tuple[MemberKind, str]:
    """What a member that is not (or not yet) read looks like from its name alone."""
    if name.endswith("/"):
        return MemberKind.DIRECTORY, "folder"
    kind, label = _KIND_BY_EXT.get(extension(name), (MemberKind.OTHER, "unknown"))
    return kind, f"{label} (not read)"


def _local_range(level: _Level, info: Entry) -> tuple[int, int, str] | str:
    """(data start, data end, local name), or why the local header is unusable."""
    off = info.header_offset
    size = level.src.size
    if off < 0 or off + LOCAL_HEADER.size > size:
        return "its local header lies beyond the end of the archive"
    head = level.src.read(off, LOCAL_HEADER.size + len(info.name) * 4 + 8)
    fields = LOCAL_HEADER.unpack_from(head, 0)
    if fields[0] != LOCAL_SIG:
        return "no local header where the central directory points"
    n_name, n_extra = fields[9], fields[10]
    start = off + LOCAL_HEADER.size + n_name + n_extra
    name = bytes(head[LOCAL_HEADER.size : LOCAL_HEADER.size + n_name])
    if len(name) < n_name:
        name = bytes(level.src.read(off + LOCAL_HEADER.size, n_name))
    end = start + info.compress_size
    if end > size:
        return "its data runs past the end of the archive"
    return start, end, name.decode("utf-8" if info.flags & 0x800 else "cp437", "replace")


def _plan(ctx: _Context, level: _Level) -> list[_Job]:
    """List the level's members in the index, record their hazards, and say what to read."""
    hz, limits = ctx.hazards, ctx.limits
    infos = level.entries
    level.entries = []  # planned once; let the records go with this function
    with ctx.lock:
        room = max(0, limits.max_members - ctx.listed)
        listed = max(len(infos), level.declared)
        if listed > room:
            holder = level.prefix.rstrip("!") or "the archive"
            hz.add(
                "zip-too-many-members",
                level.prefix.rstrip("!") or None,
                f"{holder} lists {listed:,} members; only {limits.max_members:,} are "
                "listed and read in all",
            )
            infos = infos[:room]
        ctx.listed += len(infos)
    counts = Counter(i.name for i in infos)
    dir_end = level.start_dir
    jobs: list[_Job] = []
    ranges: list[tuple[int, int, _Job]] = []
    members: list[Member] = []
    for info in infos:
        name = info.name
        path = sys.intern(level.prefix + name)
        kind, label = _kind_by_name(name)
        member = Member(
            path=path,
            declared_size=info.file_size,
            compressed_size=info.compress_size,
            kind=kind,
            type_label=label,
        )
        members.append(member)
        _name_hazards(hz, path, name)
        if counts[name] > 1:
            hz.add(
                "zip-duplicate-name",
                path,
                f"{name!r} appears {counts[name]} times; tools disagree on which one wins",
            )
        if (info.external_attr >> 16) & S_IFMT == S_IFLNK:
            member.kind, member.type_label = MemberKind.OTHER, "symbolic link"
            hz.add("zip-symlink", path, f"{name!r} is a symbolic link; it is not followed")
            continue
        if kind is MemberKind.DIRECTORY:
            continue
        if info.flags & 0x1:
            member.type_label = f"{label} (encrypted)"
            hz.add("zip-encrypted", path, f"{name!r} is encrypted and cannot be checked")
            continue
        method = info.method
        if method not in (STORED, DEFLATED, *VIA_ZIPFILE):
            hz.add(
                "zip-unsupported-compression", path, f"{name!r} uses compression method {method}"
            )
            continue
        if info.file_size > limits.max_member_bytes:
            hz.add(
                "zip-bomb-size",
                path,
                f"{name!r} declares {info.file_size:,} bytes, over "
                f"the {limits.max_member_bytes:,}-byte limit per member",
            )
            continue
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            hz.add(
                "zip-bomb-ratio",
                path,
                f"{name!r} declares {info.file_size:,} bytes from "
                f"{info.compress_size:,} compressed",
            )
            continue
        where = _local_range(level, info)
        if isinstance(where, str):
            code = "zip-truncated" if "end of the archive" in where else "zip-header-mismatch"
            hz.add(code, path, f"{name!r}: {where}")
            continue
        start, end, local_name = where
        if local_name != name:
            hz.add(
                "zip-header-mismatch",
                path,
                f"{name!r} is called {local_name!r} in its local header",
            )
        job = _Job(
            member,
            name,
            method,
            info.crc,
            start,
            end,
            info.file_size,
            info.compress_size,
            info if method in VIA_ZIPFILE else None,
        )
        jobs.append(job)
        ranges.append((info.header_offset, end, job))
    overlapping: set[int] = set()
    ranges.sort(key=lambda r: r[0])
    reach, owner = -1, None
    for off, end, job in ranges:
        if off < reach and owner is not None:
            overlapping.update((id(job), id(owner)))
            hz.add(
                "zip-overlapping",
                job.member.path,
                f"{job.name!r} starts inside the bytes of {owner.name!r}",
            )
            hz.add(
                "zip-overlapping",
                owner.member.path,
                f"{owner.name!r} shares bytes with {job.name!r}",
            )
        if end > dir_end:
            overlapping.add(id(job))
            hz.add(
                "zip-overlapping",
                job.member.path,
                f"{job.name!r} runs into the archive's central directory",
            )
        if end > reach:
            reach, owner = end, job
    jobs = [j for j in jobs if id(j) not in overlapping]
    with ctx.lock:
        ctx.blocks[level.prefix] = members
        ctx.index.members.extend(members)
    # PDFs first, so the PDF child works while the rest is inflated; then large structured
    # members (a manifest listing every member), whose text and parsed form are both held
    # for a moment, so that moment comes while the index is still small
    early = False

    def order(job: _Job) -> int:
        nonlocal early
        ext = extension(job.name)
        if ext == ".pdf":
            return 0
        if job.size >= EARLY_TEXT_BYTES and ext in (".json", ".csv"):
            early = True
            return 1
        return 2

    jobs.sort(key=order)
    ctx.moved |= early
    return jobs


def _read_level(
    ctx: _Context, src: _Source, fileobj: Any, prefix: str, depth: int, container: str | None
) -> None:
    room = max(0, ctx.limits.max_members - ctx.listed) + 1
    try:
        level = _Level(src, fileobj, prefix, depth, room)
    except Exception:  # noqa: BLE001 - a hostile directory may break the parser in many ways
        code, why = _open_failure(src)
        what = f"nested archive {container!r}: " if container else ""
        if code == "zip-truncated":
            level = _Level(src, None, prefix, depth, room)
            why += (
                f"; the {len(level.entries)} members before the damage are listed from "
                "their own headers"
            )
        ctx.hazards.add(code, container, f"{what}{why}")
        if code != "zip-truncated":
            return
    try:
        try:
            jobs = _plan(ctx, level)
        except Exception as exc:  # noqa: BLE001 - a directory zipfile accepted but we cannot use
            where = f"nested archive {container!r}" if container else "the archive"
            ctx.hazards.add(
                "zip-unreadable",
                container,
                f"{where}: its directory cannot be used ({type(exc).__name__})",
            )
            return
        # Threads pay only when zlib (which releases the GIL) does most of the work: with
        # many tiny members two threads just queue for the GIL.
        packed = sum(j.end - j.start for j in jobs)
        big = depth == 0 and len(jobs) > 4 and packed >= THREAD_MIN_AVERAGE * len(jobs)
        threads = THREADS if big else 1
        ctx.threaded |= threads > 1
        queue = deque(jobs)  # each job is let go as soon as it is taken
        jobs.clear()
        workers = [
            threading.Thread(target=_work, args=(ctx, level, queue), daemon=True)
            for _ in range(threads - 1)
        ]
        for w in workers:
            w.start()
        _work(ctx, level, queue)
        for w in workers:
            w.join()
    finally:
        level.close()


def _work(ctx: _Context, level: _Level, queue: deque[_Job]) -> None:
    while not ctx.stopped:
        try:
            job = queue.popleft()  # atomic: the threads share the queue without a lock
        except IndexError:
            return
        try:
            _read_job(ctx, level, job)
        except _Stop:
            pass
        except Exception as exc:  # noqa: BLE001 - one member's surprise never stops the rest
            ctx.hazards.add(
                "zip-corrupt",
                job.member.path,
                f"{job.name!r} cannot be read: {type(exc).__name__}: {exc}",
            )


def _read_job(ctx: _Context, level: _Level, job: _Job) -> None:
    limits, hz, member = ctx.limits, ctx.hazards, job.member
    path, name = member.path, job.name
    declared = job.size
    used = [0]
    crc = 0
    digest = hashlib.sha256()
    count = 0
    kept: list[bytes] = []
    keep_cap = 0
    kept_n = 0
    head = b""
    tail = b""  # the last bytes of an OGG stream (its last page holds the duration)
    audio: str | None = None
    complete = False
    try:
        for chunk in _chunks(level, job, used):
            n = len(chunk)
            if audio == "ogg" and count:
                tail = (tail + bytes(chunk[-OGG_TAIL:]))[-OGG_TAIL:]
            if count == 0:
                head = bytes(chunk[:SNIFF_BYTES])
                kind, label, audio = sniff(name, head)
                member.kind, member.type_label = kind, label
                if audio:
                    member.audio = AudioInfo(format=audio)
                keep_cap = _keep_cap(ctx, level, member, audio)
                if audio == "ogg":
                    tail = bytes(chunk[-OGG_TAIL:])
            count += n
            if count > declared:
                hz.add(
                    "zip-size-mismatch",
                    path,
                    f"{name!r} declares {declared:,} bytes but inflates to more; reading stopped",
                )
                raise _Stop
            if count > limits.max_member_bytes:
                hz.add(
                    "zip-bomb-size",
                    path,
                    f"{name!r} inflates beyond the {limits.max_member_bytes:,}-byte limit per member",
                )
                raise _Stop
            if count > limits.ratio_floor_bytes and count > limits.max_ratio * max(used[0], 1):
                hz.add(
                    "zip-bomb-ratio",
                    path,
                    f"{name!r} inflates to {count:,} bytes from {used[0]:,} compressed, beyond "
                    f"{limits.max_ratio:g} times",
                )
                raise _Stop
            ctx.add_total(n, path)
            crc = _inflate.crc32(chunk, crc)
            digest.update(chunk)
            if kept_n < keep_cap:
                piece = chunk if kept_n + n <= keep_cap else chunk[: keep_cap - kept_n]
                kept.append(piece if isinstance(piece, bytes) else bytes(piece))
                kept_n += len(piece)
        complete = True
    except _Truncated:
        hz.add("zip-truncated", path, f"{name!r}: its compressed data ends early")
    except INFLATE_ERRORS as exc:
        hz.add("zip-corrupt", path, f"{name!r}: the compressed data is invalid ({exc})")
    except zipfile.BadZipFile as exc:
        code = "zip-bad-crc" if "CRC" in str(exc) else "zip-corrupt"
        hz.add(code, path, f"{name!r}: {exc}")
    except (EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        hz.add("zip-corrupt", path, f"{name!r} cannot be inflated: {type(exc).__name__}")
    finally:
        member.read_bytes = declared if count == declared else count  # one int object, not two
    if not complete:
        return
    if count == 0:
        member.kind, member.type_label, _ = sniff(name, b"")
        if member.kind is MemberKind.TEXT and extension(name) not in (".txt", ""):
            member.type_label = "empty file"
    member.sha256 = sys.intern(digest.hexdigest())
    if count != declared:
        hz.add(
            "zip-size-mismatch", path, f"{name!r} declares {declared:,} bytes but holds {count:,}"
        )
        return
    if crc != job.crc:
        hz.add(
            "zip-bad-crc",
            path,
            f"{name!r} inflates to bytes whose CRC-32 is {crc:08x}, not the recorded {job.crc:08x}",
        )
        return
    member.readable = True
    box = [b"".join(kept) if len(kept) != 1 else kept[0]]
    kept.clear()
    if member.audio is not None and member.audio.format == "ogg":
        member.audio = ogg_info(box[0], tail)
    _digest(ctx, level, member, box, head, count)


def _keep_cap(ctx: _Context, level: _Level, member: Member, audio: str | None) -> int:
    limits, kind = ctx.limits, member.kind
    if kind is MemberKind.JSON:
        return max(limits.max_text_bytes, limits.max_json_bytes)
    if kind in (MemberKind.CSV, MemberKind.TEXT):
        return limits.max_text_bytes
    if kind is MemberKind.PDF:
        return limits.max_pdf_bytes + 1
    if kind is MemberKind.ARCHIVE:
        return limits.max_nested_bytes + 1 if level.depth < limits.max_depth else 0
    if audio in ("wav", "mp3", "ogg"):
        return AUDIO_HEAD
    return 0


def _digest(
    ctx: _Context, level: _Level, member: Member, box: list[bytes], head: bytes, total: int
) -> None:
    """Turn a fully read member's kept bytes into what the index holds.

    The bytes come in a one-item list that this empties, so a large member's bytes can go
    as soon as its text is decoded.
    """
    limits, hz, path, kind = ctx.limits, ctx.hazards, member.path, member.kind
    data = box.pop()
    if kind is MemberKind.AUDIO:
        if member.audio is not None and member.audio.format == "wav":
            try:
                member.audio = parse_wav(data, total).info
            except WavError as exc:
                hz.add("audio-malformed", path, f"{path}: {exc}")
        elif member.audio is not None and member.audio.format == "mp3":
            member.audio = mp3_info(data, total)
        return
    if kind is MemberKind.PDF:
        if total > limits.max_pdf_bytes:
            hz.add(
                "pdf-unreadable",
                path,
                f"{path} is larger than the "
                f"{limits.max_pdf_bytes:,}-byte limit for PDFs and was not parsed",
            )
            return
        ctx.pdf.submit(path, data)
        return
    if kind is MemberKind.ARCHIVE:
        if level.depth >= limits.max_depth:
            hz.add(
                "zip-nested-too-deep",
                path,
                f"{path} is nested {level.depth + 1} deep; "
                f"archives are opened {limits.max_depth} deep at most",
            )
            return
        if total > limits.max_nested_bytes:
            hz.add(
                "zip-bomb-size",
                path,
                f"nested archive {path} is larger than the "
                f"{limits.max_nested_bytes:,}-byte limit for nested archives",
            )
            return
        hz.add(
            "zip-nested",
            path,
            f"{path} is an archive inside the archive; its members are listed as {path}!<name>",
        )
        nested = _Source(data=data)
        try:
            _read_level(ctx, nested, io.BytesIO(data), path + "!", level.depth + 1, path)
        finally:
            nested.close()
        return
    if kind not in (MemberKind.CSV, MemberKind.JSON, MemberKind.TEXT):
        return
    cut = total > len(data)
    text = decode_text(data)
    del data
    # A member kept parsed (a table or a JSON document) keeps no text as well: the identity
    # scan renders it from the parsed form (`ExportIndex.scan_texts`).
    parsed = False
    if kind is MemberKind.CSV:
        table = parse_csv(path, text)
        if table is not None:
            ctx.index.tables[path] = table
            parsed = not cut
    elif kind is MemberKind.JSON and not cut:
        try:
            doc = parse_json(text)
        except ValueError as exc:
            hz.add("json-malformed", path, f"{path}: {exc}")
        else:
            ctx.index.json_docs[path] = doc
            parsed = True
            # the manifest's file list is read by the manifest check, not kept as a table
            if not (path == MANIFEST and isinstance(doc, dict)):
                table = table_from_json(path, doc)
                if table is not None:
                    ctx.index.tables[path] = table
    if not parsed:
        _keep_text(ctx, path, text, cut)


def _keep_text(ctx: _Context, path: str, text: str, cut: bool) -> None:
    if len(text) > ctx.limits.max_text_bytes:
        text, cut = text[: ctx.limits.max_text_bytes], True
    size = len(text)
    granted = ctx.take_text(size)
    if granted < size:
        text = text[:granted]
        cut = True
    if text:
        ctx.index.texts[path] = text
    if cut:
        ctx.index.texts_truncated.append(path)


# ------------------------------------------------------------------------- the whole export


def _open_regular(path: Path) -> io.BufferedReader:
    """The file opened for reading, refused unless it is a regular file (a FIFO or a device
    would block or never end)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ArchiveError(f"{path}: not a regular file")
        return open(path, "rb")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot open ({exc.strerror or exc})") from None


def _hash_file(src: _Source, out: list[str]) -> None:
    digest = hashlib.sha256()
    try:
        for off in range(0, src.size, HASH_CHUNK):
            digest.update(src.read(off, HASH_CHUNK))
    except OSError:
        return  # read_export reports it
    out.append(digest.hexdigest())


def read_export(path: Path, limits: Limits) -> ExportIndex:
    """Read the export at `path` safely into an index; every hazard is a finding in it.

    Raises `ArchiveError` only when the file itself cannot be opened.
    """
    fh = _open_regular(path)
    with fh:
        src = _Source(fd=fh.fileno())
        index = ExportIndex(archive_path=str(path), archive_sha256="", archive_bytes=src.size)
        ctx = _Context(limits, index)
        hashed: list[str] = []
        hasher = threading.Thread(target=_hash_file, args=(src, hashed), daemon=True)
        hasher.start()
        if src.size >= PDF_PRESTART_BYTES:
            ctx.pdf.prestart()
        try:
            if src.size == 0:
                ctx.hazards.add("zip-unreadable", None, "the file is empty")
            else:
                _read_level(ctx, src, fh, "", 0, None)
            _finish(ctx)
        finally:
            hasher.join()
            ctx.pdf.results()
        if not hashed:
            raise ArchiveError(f"{path}: the file cannot be read to its end")
        index.archive_sha256 = hashed[0]
        index.read_findings = ctx.hazards.findings()
        return index


def _in_order(ctx: _Context) -> None:
    """Members in directory order, each nested archive's right after it, and the per-member
    maps in the same order, however the threads happened to finish."""
    index = ctx.index
    if len(ctx.blocks) > 1:
        ordered: list[Member] = []

        def emit(prefix: str) -> None:
            for m in ctx.blocks.get(prefix, ()):
                ordered.append(m)
                if m.path + "!" in ctx.blocks:
                    emit(m.path + "!")

        emit("")
        index.members = ordered
    if len(ctx.blocks) > 1 or ctx.threaded:
        rank = {m.path: i for i, m in enumerate(index.members)}
        last = len(rank)

        def by_rank(item: tuple[str, Any]) -> int:
            return rank.get(item[0], last)

        index.texts = dict(sorted(index.texts.items(), key=by_rank))
        index.tables = dict(sorted(index.tables.items(), key=by_rank))
        index.json_docs = dict(sorted(index.json_docs.items(), key=by_rank))
    elif ctx.moved:  # one level, one thread: only the large members came early
        paths = [m.path for m in index.members]
        index.texts = {p: index.texts[p] for p in paths if p in index.texts}
        index.tables = {p: index.tables[p] for p in paths if p in index.tables}
        index.json_docs = {p: index.json_docs[p] for p in paths if p in index.json_docs}


def _finish(ctx: _Context) -> None:
    index, hz = ctx.index, ctx.hazards
    for result in ctx.pdf.results():
        if result.error is not None:
            code = "pdf-hostile" if result.hostile else "pdf-unreadable"
            hz.add(code, result.member, f"{result.member}: {result.detail or result.error}")
            continue
        text = result.text
        _keep_text(ctx, result.member, text, False)
        entries = parse_catalogue(result.pages)
        if entries and (
            result.member == TRANSCRIPTS_PDF
            or (
                index.transcript_member not in (TRANSCRIPTS_PDF,)
                and len(entries) > len(index.transcripts)
            )
        ):
            index.transcripts = entries
            index.transcript_member = result.member
    _in_order(ctx)
    doc = index.json_docs.get(MANIFEST)
    if isinstance(doc, dict):
        index.manifest, index.manifest_member = doc, MANIFEST
    profile = index.json_docs.get(PROFILE)
    if isinstance(profile, dict):
        index.profile = profile
    else:
        for path, doc in index.json_docs.items():
            if "profile" in path.lower() and isinstance(doc, dict):
                index.profile = doc
                break
    paths = {m.path for m in index.members}
    ordered = sorted(
        index.tables.values(), key=lambda t: not t.member.endswith("Alexa/VoiceHistory.csv")
    )
    for table in ordered:
        index.recordings.extend(recordings_from(table, paths))
    index.texts_truncated.sort()


# ------------------------------------------------------------------------- one member


def read_member(archive: Path, member: str, max_bytes: int, limits: Limits | None = None) -> bytes:
    """The inflated bytes of one member, read with the same safety rules as `read_export`.

    Members of nested archives are addressed as ``outer.zip!inner/path``. Raises
    `ArchiveError` with a one-line reason when the member cannot be read safely or is larger
    than `max_bytes`.

    The export's reading plan (its directory, which members are safe to read, and why the
    others are refused) is kept for the last few archives, keyed by the file's identity, size
    and modification time: the app reads member after member of the same export, and planning
    a 100,000-member directory takes seconds. Every read still checks the member's local
    header, sizes, inflation ratio and CRC.
    """
    limits = limits or Limits()
    fh = _open_regular(archive)
    with fh:
        src, plan = _planned(archive, fh, limits)
        level = _Level.planned(src, fh, "", 0)
        try:
            return _read_from(level, plan, member, max_bytes, limits)
        finally:
            level.close()


@dataclass(frozen=True, slots=True)
class RawMember:
    """A member as the archive stores it: its method (0 stored, 8 deflated), CRC-32 and
    inflated size, and its data as stored (not inflated, so not checked here)."""

    method: int
    crc: int
    size: int
    data: bytes


def read_member_raw(archive: Path, member: str, limits: Limits | None = None) -> RawMember | None:
    """The stored bytes of a top-level member, under the same plan and refusals as
    `read_member` (ArchiveError with the reason), for copying it into another archive without
    inflating and deflating it again; None when it is neither stored nor deflated (read it
    with `read_member`). Whoever copies it reads the copy back to check it."""
    limits = limits or Limits()
    fh = _open_regular(archive)
    with fh:
        src, plan = _planned(archive, fh, limits)
        if member not in plan.names:
            raise ArchiveError(f"{member}: no such member")
        if member in plan.duplicates:
            raise ArchiveError(f"{member}: several members share this name")
        job = plan.jobs.get(member)
        if job is None:
            raise ArchiveError(
                f"{member}: refused: {plan.refusals.get(member, 'it cannot be read')}"
            )
        if job.method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or job.entry is not None:
            return None
        if job.size > limits.max_member_bytes:
            raise ArchiveError(f"{member}: {job.size:,} bytes, over the limit")
        return RawMember(
            job.method, job.crc, job.size, bytes(src.read(job.start, job.end - job.start))
        )


def _planned(archive: Path, fh: Any, limits: Limits) -> tuple[_Source, _ReadingPlan]:
    """The archive's source and its reading plan (from the cache when the file is unchanged)."""
    src = _Source(fd=fh.fileno())
    if src.size == 0:
        raise ArchiveError(f"{archive}: the file is empty")
    st = os.fstat(fh.fileno())
    key = (str(archive), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, limits)
    plan = _PLANS.get(key)
    if plan is None:
        level = _open_level(src, fh, "", 0)
        try:
            plan = _reading_plan(level, limits)
        finally:
            level.close()
        _PLANS.put(key, plan)
    return src, plan


@dataclass(slots=True)
class _ReadingPlan:
    """What `read_member` needs from one archive's directory."""

    names: frozenset[str]  # every name the directory lists
    duplicates: frozenset[str]  # names listed more than once
    jobs: dict[str, _Job]  # the members that are safe to read, by name
    refusals: dict[str, str]  # member path -> why it is refused (the first hazard naming it)


class _PlanCache:
    """The reading plans of the last few archives (thread-safe; the app reads in workers)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._plans: dict[tuple[object, ...], _ReadingPlan] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> _ReadingPlan | None:
        with self._lock:
            plan = self._plans.pop(key, None)
            if plan is not None:
                self._plans[key] = plan  # most recently used last
            return plan

    def put(self, key: tuple[object, ...], plan: _ReadingPlan) -> None:
        with self._lock:
            self._plans.pop(key, None)
            self._plans[key] = plan
            while len(self._plans) > self._size:
                del self._plans[next(iter(self._plans))]

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()


_PLANS = _PlanCache(size=2)


def _open_level(src: _Source, fileobj: Any, prefix: str, depth: int) -> _Level:
    try:
        return _Level(src, fileobj, prefix, depth, 1 << 62)
    except Exception:  # noqa: BLE001 - a hostile directory may break the parser in many ways
        raise ArchiveError(
            f"{prefix.rstrip('!') or 'the export'}: {_open_failure(src)[1]}"
        ) from None


def _reading_plan(level: _Level, limits: Limits) -> _ReadingPlan:
    """Plan the level as `read_export` would, keeping only what reading one member needs."""
    counts = Counter(e.name for e in level.entries)
    ctx = _Context(limits, ExportIndex(archive_path="", archive_sha256="", archive_bytes=0))
    ctx.listed = -(1 << 62)  # the member count is judged by read_export, not here
    duplicates = frozenset(n for n, c in counts.items() if c > 1)
    jobs = {j.name: j for j in _plan(ctx, level) if j.name not in duplicates}
    refusals: dict[str, str] = {}
    for finding in ctx.hazards.findings():
        for path in finding.members:
            refusals.setdefault(path, finding.title.lower())
    return _ReadingPlan(frozenset(counts), duplicates, jobs, refusals)


def _read_from(
    level: _Level, plan: _ReadingPlan, wanted: str, max_bytes: int, limits: Limits
) -> bytes:
    if wanted not in plan.names:
        parts = wanted.split("!")
        for cut in range(1, len(parts)):
            outer = "!".join(parts[:cut])
            if outer not in plan.names:
                continue
            if level.depth + 1 > limits.max_depth:
                raise ArchiveError(
                    f"{level.prefix}{outer}: nested deeper than {limits.max_depth} archives"
                )
            inner = _read_one(level, plan, outer, limits.max_nested_bytes, limits)
            nested = _Source(data=inner)
            try:
                inner_level = _open_level(
                    nested, io.BytesIO(inner), f"{level.prefix}{outer}!", level.depth + 1
                )
                try:
                    inner_plan = _reading_plan(inner_level, limits)
                    rest = "!".join(parts[cut:])
                    return _read_from(inner_level, inner_plan, rest, max_bytes, limits)
                finally:
                    inner_level.close()
            finally:
                nested.close()
    return _read_one(level, plan, wanted, max_bytes, limits)


def _read_one(
    level: _Level, plan: _ReadingPlan, name: str, max_bytes: int, limits: Limits
) -> bytes:
    """One member of one level, refused with a one-line reason when it is not safe."""
    path = level.prefix + name
    if name not in plan.names:
        raise ArchiveError(f"{path}: no such member")
    if name in plan.duplicates:
        raise ArchiveError(f"{path}: several members share this name")
    job = plan.jobs.get(name)
    if job is None:
        why = plan.refusals.get(path, "it cannot be read")
        raise ArchiveError(f"{path}: refused: {why}")
    if job.size > max_bytes:
        raise ArchiveError(f"{path}: {job.size:,} bytes, over the {max_bytes:,}-byte limit")
    cap = min(max_bytes, limits.max_member_bytes)
    out = bytearray()
    crc = 0
    used = [0]
    try:
        for chunk in _chunks(level, job, used):
            out += chunk
            crc = _inflate.crc32(chunk, crc)
            if len(out) > job.size:
                raise ArchiveError(f"{path}: inflates to more than its declared size")
            if len(out) > cap:
                raise ArchiveError(f"{path}: inflates beyond {cap:,} bytes")
            if len(out) > limits.ratio_floor_bytes and len(out) > limits.max_ratio * max(
                used[0], 1
            ):
                raise ArchiveError(
                    f"{path}: inflates beyond {limits.max_ratio:g} times its "
                    "compressed size (zip bomb)"
                )
    except _Truncated:
        raise ArchiveError(f"{path}: the member is truncated") from None
    except READ_ERRORS as exc:
        raise ArchiveError(f"{path}: cannot be inflated ({type(exc).__name__})") from None
    if len(out) != job.size:
        raise ArchiveError(f"{path}: holds {len(out):,} bytes, not the declared {job.size:,}")
    if crc != job.crc:
        raise ArchiveError(f"{path}: fails its CRC check")
    return bytes(out)
