"""The ZIP container: the file's bytes, one archive level's directory, its local headers.

`Source` gives random access to an archive's bytes (the export file read with `pread`, so
nothing is mapped and only what is being inflated sits in memory; or a nested archive's bytes).
`Level` is one archive (the export or a nested one) with its central directory read into
small records (`directory`); when the directory is lost, the members are walked from their
local headers instead (`salvage`). `local_range` checks a member's local header against the
directory and says where its data lies.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import threading
import zipfile
from pathlib import Path
from typing import Any, NamedTuple

from reviewer.archive.directory import (
    CENTRAL,
    END_TAIL,
    EOCD,
    DirectoryError,
    Entry,
    decode_name,
    find_end_record,
    inspect_directory,
    split_part,
    unicode_path,
    zip64_values,
)
from reviewer.domain.archive.errors import ArchiveError

LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
LOCAL_SIG = b"PK\x03\x04"
DESCRIPTOR_SIG = b"PK\x07\x08"
# a data descriptor: (with its optional signature, with 8-byte ZIP64 sizes) -> its length
DESCRIPTORS = {(True, False): 16, (True, True): 24, (False, False): 12, (False, True): 20}
SALVAGE_MAX = 1 << 20  # members walked in an archive whose directory is lost
PREFIX_SEARCH = 1 << 20  # bytes searched for the first local header behind a prefix ...
PREFIX_TRIES = 256  # ... and the signatures tried there
WINDOW = 1 << 20  # bytes read at once to serve small reads from
WINDOW_READ_MAX = 64 << 10  # reads up to this size are served from a window
# why a member's local header is unusable (`local_range`): no header at all where the central
# directory points (the member owns no bytes there), or a header whose data runs past the end
BEYOND_END = "its local header lies beyond the end of the archive"
NO_HEADER = "no local header where the central directory points"
DATA_PAST_END = "its data runs past the end of the archive"


class Source:
    """Random access to an archive's bytes: the export file (read with pread, so nothing is
    mapped and only what is being inflated sits in memory) or a nested archive's bytes."""

    def __init__(self, fd: int | None = None, data: bytes | None = None) -> None:
        self.fd = fd
        self.data = data
        self.view = memoryview(data) if data is not None else None
        self.size = len(data) if data is not None else os.fstat(fd).st_size  # type: ignore[arg-type]
        self._windows = threading.local()  # each thread's last window of the file
        self.windowed = False  # serve small reads from windows (for archives of small members)

    def read(self, off: int, n: int) -> bytes | memoryview:
        if self.view is not None:
            return self.view[off : off + n]
        if n > WINDOW_READ_MAX or not self.windowed:
            return self._pread(off, n)
        # Small reads (local headers, small members) are served from a window of the file
        # read in one call: members lie one after the other, so the next read is there too.
        w = self._windows
        at: int = getattr(w, "at", -1)
        if at >= 0:
            buf: memoryview = w.buf
            if at <= off and off + n <= at + len(buf):
                return buf[off - at : off - at + n]
        buf = memoryview(self._pread(off, max(n, WINDOW)))
        w.buf, w.at = buf, off
        return buf[:n]

    def _pread(self, off: int, n: int) -> bytes:
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
        self._windows = threading.local()
        if self.view is not None:
            self.view.release()


class Level:
    """One archive (the export itself or a nested one) and its directory.

    `fileobj` None means the directory is lost: the members are walked from their local
    headers instead (see `salvage`).
    """

    def __init__(self, src: Source, fileobj: Any, prefix: str, depth: int, limit: int) -> None:
        self.src = src
        self.fileobj = fileobj
        self.prefix = prefix
        self.depth = depth
        self._zf: zipfile.ZipFile | None = None
        self._zf_lock = threading.Lock()
        # bytes after the central directory that belong to no record: (how many, where)
        self.outside: list[tuple[int, str]] = []
        self.conflicts: list[str] = []  # why tools would list other members (`inspect_directory`)
        self.comment = b""  # the archive's comment
        if fileobj is None:
            self.entries = salvage(src, limit)
            self.declared, self.start_dir = len(self.entries), src.size
        else:
            found, self.conflicts = inspect_directory(src.read, src.size, limit)
            self.entries, self.declared, self.start_dir = found.entries, found.declared, found.start
            self.outside = found.outside
            self.comment = found.comment

    @classmethod
    def planned(cls, src: Source, fileobj: Any, prefix: str, depth: int) -> Level:
        """The level of an archive whose reading plan is cached: the directory is not parsed
        again (the plan holds what `read_member` needs from it)."""
        level = cls.__new__(cls)
        level.src, level.fileobj, level.prefix, level.depth = src, fileobj, prefix, depth
        level._zf = None
        level._zf_lock = threading.Lock()
        level.entries, level.declared, level.start_dir = [], 0, src.size
        level.outside = []
        level.conflicts = []
        level.comment = b""
        return level

    def zipfile_member(self, entry: Entry) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
        """zipfile's view of one member (the reader inflates every method itself; this
        gives what zipfile would read of it, to compare with)."""
        if self.fileobj is None:
            raise NotImplementedError(
                "zipfile reads members through the archive's directory, which is lost"
            )
        # One ZipFile for every reading thread, made under a lock: its reads share the file
        # object under the ZipFile's own lock, but two ZipFiles made at once would move that
        # file's position under each other ("Bad magic number for central directory").
        with self._zf_lock:
            if self._zf is None:
                self._zf = zipfile.ZipFile(self.fileobj)
            zf = self._zf
        for info in zf.infolist():
            if info.header_offset == entry.header_offset:
                return zf, info
        raise zipfile.BadZipFile("the member is not where the directory says")

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()


def salvage(src: Source, limit: int) -> list[Entry]:
    """The members whose local headers can be walked from the start of a cut-off archive, up
    to the first one whose size is not in its header."""
    entries: list[Entry] = []
    off = archive_start(src) or 0
    while off + LOCAL_HEADER.size <= src.size and len(entries) < min(limit, SALVAGE_MAX):
        head = bytes(src.read(off, LOCAL_HEADER.size))
        sig, _v, flags, method, _t, _d, crc, csize, size, n_name, n_extra = LOCAL_HEADER.unpack(
            head
        )
        if sig != LOCAL_SIG or flags & 0x8 or 0xFFFFFFFF in (csize, size):
            break
        raw = bytes(src.read(off + LOCAL_HEADER.size, n_name))
        name = decode_name(raw, flags)
        entries.append(Entry(name, flags, method, crc, csize, size, off, 0))
        off += LOCAL_HEADER.size + n_name + n_extra + csize
    return entries


def archive_start(src: Source) -> int | None:
    """Where the first local header lies (0 for an archive that starts with one; later
    behind a prefix such as a self-extracting stub), searched in the first `PREFIX_SEARCH`
    bytes; None when none is there."""
    window = bytes(src.read(0, min(src.size, PREFIX_SEARCH)))
    at = window.find(LOCAL_SIG)
    for _ in range(PREFIX_TRIES):
        if at < 0:
            return None
        if at + LOCAL_HEADER.size <= len(window):
            fields = LOCAL_HEADER.unpack_from(window, at)
            method, n_name, n_extra = fields[3], fields[9], fields[10]
            # a header, not four bytes that happen to match: a known method and a name
            # that fits in the file
            if method <= 99 and n_name and at + LOCAL_HEADER.size + n_name + n_extra <= src.size:
                return at
        at = window.find(LOCAL_SIG, at + 1)
    return None


def open_failure(src: Source) -> tuple[str, str]:
    """(finding code, reason) for an archive whose directory cannot be read: truncated when
    it has a local header (at the start or behind a prefix) or an end record, else not a ZIP
    archive at all."""
    head = bytes(src.read(0, 4))
    if not head:
        return "zip-unreadable", "the file is empty"
    tail = bytes(src.read(max(0, src.size - END_TAIL), END_TAIL))
    at = find_end_record(tail)
    if at is not None and at + EOCD.size <= len(tail):
        disk = EOCD.unpack_from(tail, at)[1]
        if split_part(disk):
            return "zip-truncated", (
                f"the file is the last part of a split archive (part {disk + 1}); the parts "
                "before it, with the members they hold, are not here"
            )
    damaged = "the archive's central directory is missing or damaged (cut off?)"
    if head in (LOCAL_SIG, b"PK\x05\x06", b"PK\x07\x08"):
        return "zip-truncated", damaged
    if at is not None or archive_start(src) is not None:
        return "zip-truncated", damaged
    return "zip-unreadable", "the file is not a ZIP archive"


def open_level(src: Source, fileobj: Any, prefix: str, depth: int) -> Level:
    """The level with its whole directory, or `ArchiveError` saying why it cannot be read."""
    try:
        return Level(src, fileobj, prefix, depth, 1 << 62)
    except Exception:  # noqa: BLE001 - a hostile directory may break the parser in many ways
        raise ArchiveError(
            f"{prefix.rstrip('!') or 'the export'}: {open_failure(src)[1]}"
        ) from None


class Local(NamedTuple):
    """A member's local header, as `local_range` reads it."""

    start: int  # where its data starts in the archive ...
    end: int  # ... and ends, by the central directory's compressed size
    name: str  # its name, read as the directory's is (`Entry.name`)
    stored: str | None  # its stored name, when a Unicode Path field gives `name`
    mismatch: str | None  # how it disagrees with the central directory on the data, or None
    crc: int | None  # its CRC-32, unless a data descriptor gives it (judged when it is read)


def local_range(level: Level, info: Entry) -> Local | str:
    """The member's local header (`Local`), or why it is unusable. The local name is read as
    the directory's is (`Entry.name`): a Unicode Path field's when the local header has one,
    and then its stored name is kept beside it (else None); unzip warns when the two headers
    name a member differently, and so does this. Its method and sizes are compared with the
    directory's, as unzip and streaming readers take them from the local header; its CRC-32
    is kept, to be judged once the member is read (`Local.crc`)."""
    off = info.header_offset
    size = level.src.size
    if off < 0 or off + LOCAL_HEADER.size > size:
        return BEYOND_END
    head = level.src.read(off, LOCAL_HEADER.size + len(info.name) * 4 + 8)
    fields = LOCAL_HEADER.unpack_from(head, 0)
    if fields[0] != LOCAL_SIG:
        return NO_HEADER
    n_name, n_extra = fields[9], fields[10]
    start = off + LOCAL_HEADER.size + n_name + n_extra
    name = bytes(head[LOCAL_HEADER.size : LOCAL_HEADER.size + n_name])
    if len(name) < n_name:
        name = bytes(level.src.read(off + LOCAL_HEADER.size, n_name))
    end = start + info.compress_size
    if end > size:
        return DATA_PAST_END
    local = decode_name(name, info.flags, info.system)
    extra = b""
    if n_extra:
        at = LOCAL_HEADER.size + n_name
        extra = bytes(head[at : at + n_extra])
        if len(extra) < n_extra:
            extra = bytes(level.src.read(off + at, n_extra))
    mismatch = _disagreement(fields, extra, info)
    crc = None if fields[2] & 0x8 else fields[6]
    if b"up" in extra:  # the tag of a Unicode Path field, 0x7075, which names it for unzip too
        unicode_name = unicode_path(extra, name)
        if unicode_name is not None and unicode_name != local:
            return Local(start, end, unicode_name, local, mismatch, crc)
    return Local(start, end, local, None, mismatch, crc)


# the general purpose flags that change how a member is read, and what each says when set:
# unzip, bsdtar and streaming readers take them from the local header
READING_FLAGS = {
    0x1: "encrypted",
    0x8: "a data descriptor follows the data",
    0x20: "compressed patched data",
    0x40: "strong encryption",
    0x800: "the name is UTF-8",
}
READING_MASK = sum(READING_FLAGS)


def _disagreement(fields: tuple[Any, ...], extra: bytes, info: Entry) -> str | None:
    """How a local header (`fields`, its `extra` field) disagrees with the member's central
    record on its data: the method; the flags that change how it is read (`READING_FLAGS`;
    the UTF-8 flag only for a name that is not ASCII, which it reads alike either way); and,
    unless a data descriptor follows the data (flag bit 3), the sizes (ZIP64 sizes from its
    extra field, unless it has none). unzip inflates by the local header's method, flags and
    compressed size."""
    flags, method, csize, size = fields[2], fields[3], fields[7], fields[8]
    if method != info.method:
        return f"compression method {method} (the central directory says {info.method})"
    bits = (flags ^ info.flags) & READING_MASK
    if bits & 0x800 and (info.stored or info.name).isascii():
        bits &= ~0x800
    if bits:
        return (
            ", ".join(
                f"flag bit {bit.bit_length() - 1} ({said}) {'set' if flags & bit else 'clear'}"
                for bit, said in READING_FLAGS.items()
                if bits & bit
            )
            + " (the central directory says the opposite)"
        )
    if flags & 0x8:
        return None  # the values follow the data, in the data descriptor
    differ: list[str] = []
    sized = True
    if 0xFFFFFFFF in (csize, size):
        try:
            size, csize, _ = zip64_values(extra, size, csize, 0)
        except DirectoryError:
            sized = False  # no ZIP64 sizes to compare
    if sized and csize != info.compress_size:
        differ.append(f"{csize:,} compressed bytes ({info.compress_size:,})")
    if sized and size != info.file_size:
        differ.append(f"{size:,} bytes ({info.file_size:,})")
    if not differ:
        return None
    return ", ".join(differ) + " (the central directory says what is in parentheses)"


def descriptor_size(src: Source, entry: Entry, at: int, room: int) -> int:
    """How many of the `room` bytes at `at`, right after the data of a member that has a data
    descriptor (flag bit 3), are that descriptor: an optional signature, the CRC-32, then
    both sizes in 4 or 8 bytes each; 0 when they do not describe this member."""
    head = bytes(src.read(at, min(room, max(DESCRIPTORS.values()))))
    fits: list[int] = []
    for (signed, wide), length in DESCRIPTORS.items():
        if len(head) < length or (signed and head[:4] != DESCRIPTOR_SIG):
            continue
        crc, csize, size = struct.unpack_from("<IQQ" if wide else "<III", head, 4 if signed else 0)
        if (crc, csize, size) == (entry.crc, entry.compress_size, entry.file_size):
            fits.append(length)
    return room if room in fits else max(fits, default=0)


def open_regular(path: Path) -> io.BufferedReader:
    """The file opened for reading, refused unless it is a regular file (a FIFO or a device
    would block or never end). What is judged is the file opened, not what the path named a
    moment before; the open itself does not wait (O_NONBLOCK) for a FIFO's writer."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot open ({exc.strerror or exc})") from None
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError as exc:
        os.close(fd)
        raise ArchiveError(f"{path}: cannot open ({exc.strerror or exc})") from None
    if not regular:
        os.close(fd)
        raise ArchiveError(f"{path}: not a regular file")
    return open(fd, "rb")  # noqa: SIM115 - the caller closes it


def members_at_most(path: Path) -> int | None:
    """How many members the archive at `path` can list, by its end record alone (its last
    bytes, read without following the directory): the larger of the count it gives and what
    a directory of the size it gives could hold, so a record that understates its count does
    not pass for a small archive. None when the file is not a regular one, cannot be read,
    has no end record, or defers to a ZIP64 one. A hint for planning work, never a finding."""
    try:
        with open_regular(path) as fh:
            size = os.fstat(fh.fileno()).st_size
            tail = os.pread(fh.fileno(), END_TAIL, max(0, size - END_TAIL))
    except (ArchiveError, OSError):
        return None
    at = find_end_record(tail)
    if at is None:
        return None
    total, cd_size = EOCD.unpack_from(tail, at)[4:6]
    if total == 0xFFFF or cd_size == 0xFFFFFFFF:
        return None
    return max(int(total), int(cd_size) // CENTRAL.size)
