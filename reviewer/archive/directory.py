"""The ZIP central directory, read into small records.

`zipfile` builds a `ZipInfo` of some 600 bytes for every member before anything can be read;
an export of 100,000 members would hold 60 MB of them. This reads the same records (end of
central directory, ZIP64 end record and locator, ZIP64 extra fields, a prefix before the
archive) into slotted `Entry` objects holding only what the reader uses. It follows
APPNOTE.TXT as `zipfile` does, and raises `DirectoryError` where `zipfile` raises BadZipFile.
A ZIP64 locator counts only when a sound ZIP64 end record stands where it points, as Info-ZIP
judges it: a member name or comment may end in the locator's signature. The locator stands
right before the end record, however long its comment. Bytes after the directory that are
no record of it (nor the end record's comment) are reported, not skipped, and so is the
ZIP64 end record's extensible data, which no tool reads;
zero bytes after the end record are no such bytes: they carry nothing, and bsdtar writing to
a pipe pads its archive with them to whole 10,240-byte blocks (a tape block, with `-b`, any
size), so the end record is also looked for before a run of zeros longer than the window
it is searched in. Zeros are read a chunk at a time, never held at once. Padding longer than
unzip and zipfile search through is a conflict all the same: they do not open the file.

Where the records let tools read different members, the conflict is reported
(`inspect_directory`): a second end record inside the first one's comment (or holding it in
its own) that leads to another directory (zipfile and unzip take the last signature in the
file, the reader the record whose comment reaches the end), or the signature alone in the
comment (zipfile refuses the archive then); a ZIP64 end record right before the locator that
is not the one the locator points to (zipfile reads the first, unzip the second); a count,
directory size or offset in the end record that is not 0xFFFF... and not the ZIP64 end
record's (unzip reads it, zipfile the ZIP64 one); an entry count in the end record that is
not the number of records in the directory.

Names are read as Info-ZIP's unzip reads them: UTF-8 when flagged; else, from a system that
writes names in its own bytes (Unix, macOS: UTF-8 in practice), UTF-8 when they are valid
UTF-8; else cp437, the code page of MS-DOS and Windows archivers. A Unicode Path extra field
(0x7075) whose CRC matches the stored name gives the name unzip writes; the stored name is
kept beside it (`Entry.stored`), since other tools write that one and both are checked.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

EOCD = struct.Struct("<4sHHHHIIH")  # end of central directory record
EOCD_SIG = b"PK\x05\x06"
ZIP64_LOCATOR = struct.Struct("<4sIQI")
ZIP64_LOCATOR_SIG = b"PK\x06\x07"
ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")
ZIP64_EOCD_SIG = b"PK\x06\x06"
CENTRAL = struct.Struct("<4sBBBBHHHHIIIHHHHHII")
CENTRAL_SIG = b"PK\x01\x02"
MAX_COMMENT = 0xFFFF
END_TAIL = EOCD.size + MAX_COMMENT  # the bytes at the end of an archive that hold its end record
ZERO_CHUNK = 1 << 20  # bytes of trailing padding read at a time
ZIP64_EXTRA = 0x0001
UNICODE_PATH_EXTRA = 0x7075  # Info-ZIP's Unicode Path: version 1, CRC-32 of the stored name, UTF-8
_UNICODE_PATH_TAG = struct.pack("<H", UNICODE_PATH_EXTRA)
# Systems ("version made by", APPNOTE 4.4.2) whose archivers store unflagged names in an OEM
# code page: MS-DOS and FAT, OS/2 HPFS, Windows NTFS, VFAT. Other systems store their own bytes.
OEM_SYSTEMS = frozenset({0, 6, 11, 14})


class DirectoryError(Exception):
    """The central directory is missing or damaged."""


@dataclass(slots=True)
class Entry:
    name: str  # the name unzip writes (`decode_name`, or the Unicode Path extra field's)
    flags: int
    method: int
    crc: int
    compress_size: int
    file_size: int
    header_offset: int  # of the local header, in the file
    external_attr: int
    system: int = 0  # the system that made it ("version made by"), which decides the encoding
    stored: str | None = None  # the stored name, when the Unicode Path field gives another
    comment: bytes = b""  # the member's comment (zipinfo and 7-Zip show it)


Reader = Callable[[int, int], "bytes | memoryview"]


class Directory(NamedTuple):
    entries: list[Entry]  # the first `limit` entries
    declared: int  # the number of entries the end record declares
    start: int  # where the central directory starts in the file
    # bytes after the central directory that are neither the ZIP64 end record, its locator,
    # the end record nor its comment: (how many, where)
    outside: list[tuple[int, str]]
    comment: bytes = b""  # the archive's comment (unzip prints it before every listing)


def find_end_record(tail: bytes) -> int | None:
    """Where the end of central directory record starts in `tail` (an archive's last
    `END_TAIL` bytes, or all of it when it is shorter), or None when it holds none.

    The record is the last one whose comment length reaches exactly to the end (a comment
    may itself hold the signature); failing that, the last whole one.
    """
    at = tail.rfind(EOCD_SIG)
    fallback = -1
    while at >= 0:
        if at + EOCD.size <= len(tail):
            (comment,) = struct.unpack_from("<H", tail, at + 20)
            if at + EOCD.size + comment == len(tail):
                return at
            if fallback < 0:
                fallback = at
        at = tail.rfind(EOCD_SIG, 0, at)
    return fallback if fallback >= 0 else None


def split_part(disk: int) -> bool:
    """Whether an end record's disk number says its archive is one part of a split (multi-disk)
    archive: the parts before it, with the members they hold, are other files. (0xFFFF stands
    for a number the ZIP64 end record gives.)"""
    return 0 < disk < 0xFFFF


def read_directory(read: Reader, size: int, limit: int) -> Directory:
    """The central directory of the archive whose bytes `read(offset, n)` returns (up to n
    bytes from offset)."""
    return inspect_directory(read, size, limit)[0]


def inspect_directory(read: Reader, size: int, limit: int) -> tuple[Directory, list[str]]:
    """The central directory (as `read_directory`), and why tools would read other members
    than it lists (see the module's docstring)."""
    if size < EOCD.size:
        raise DirectoryError("too short to be a ZIP archive")
    tail_start = max(0, size - END_TAIL)
    tail = bytes(read(tail_start, size - tail_start))
    at = find_end_record(tail)
    padded = False
    if at is None and tail.endswith(b"\x00"):  # padded with zeros past the window: look before
        stop = min(size, _zeros_start(read, size) + EOCD.size)  # (the record ends in 18 of them)
        tail_start = max(0, stop - END_TAIL)
        tail = bytes(read(tail_start, stop - tail_start))
        at = find_end_record(tail)
        padded = True
    if at is None:
        raise DirectoryError("no end of central directory record")
    found, conflicts = _directory(read, size, tail_start, tail, at, limit)
    if padded and _tools_miss(size, tail_start + at):
        end = tail_start + at + EOCD.size + struct.unpack_from("<H", tail, at + 20)[0]
        conflicts.append(
            f"the end record, at byte {tail_start + at:,}, lies behind {size - end:,} zero bytes "
            "of padding, more than unzip and zipfile search for it: neither opens the "
            "archive, though its members are listed here; the padding must be trimmed "
            "before delivery"
        )
    rival = _rival_end(read, size, tail_start, tail, at, found)
    if rival is None:
        rival = _signature_in_comment(tail_start, tail, at)
    if rival is not None:
        conflicts.append(rival)
    return found, conflicts


def _directory(
    read: Reader, size: int, tail_start: int, tail: bytes, at: int, limit: int
) -> tuple[Directory, list[str]]:
    """The directory the end record at `at` in `tail` (the archive's last bytes, from
    `tail_start`) leads to, its first `limit` entries read, and its conflicts."""
    eocd_pos = tail_start + at
    _sig, disk, _cd_disk, n_disk, count, cd_size, cd_offset, comment = EOCD.unpack_from(tail, at)
    if split_part(disk):
        raise DirectoryError(f"the last part of a split archive (part {disk + 1})")
    outside: list[tuple[int, str]] = []
    conflicts: list[str] = []
    end = eocd_pos + EOCD.size + comment
    if end < size and not zeros(read, end, size):  # (zeros are padding to a block)
        outside.append((size - end, "after the end of the archive"))
    counts = {count, n_disk}  # 16-bit counts, unless the ZIP64 end record gives them
    # a ZIP64 end record and its locator sit right before the end record, wherever a long
    # comment puts it (before the last bytes read, then); the locator's signature alone
    # proves nothing (a name or comment may end in it): the record must be there too
    loc_pos = eocd_pos - ZIP64_LOCATOR.size
    loc_at = at - ZIP64_LOCATOR.size
    if loc_at >= 0:
        locator = tail[loc_at:at]
    else:
        locator = bytes(read(loc_pos, ZIP64_LOCATOR.size)) if loc_pos >= 0 else b""
    if len(locator) == ZIP64_LOCATOR.size and locator[:4] == ZIP64_LOCATOR_SIG:
        found, conflict = _zip64_end(read, loc_pos, ZIP64_LOCATOR.unpack(locator))
        if conflict:
            conflicts.append(conflict)
        if found is not None:
            rec_at, rec_end, count64, size64, offset64 = found
            plain = _plain_fields((n_disk, count, cd_size, cd_offset), found)
            if plain:
                conflicts.append(plain)
            count, cd_size, cd_offset = count64, size64, offset64
            counts = {count}
            if rec_end > rec_at + ZIP64_EOCD.size:  # its extensible data: no tool reads it
                outside.append(
                    (
                        rec_end - rec_at - ZIP64_EOCD.size,
                        f"in the ZIP64 end record's extensible data (from byte "
                        f"{rec_at + ZIP64_EOCD.size:,})",
                    )
                )
            if rec_end < loc_pos:
                outside.append((loc_pos - rec_end, "between the ZIP64 end record and its locator"))
            eocd_pos = rec_at
        elif 0xFFFFFFFF in (cd_size, cd_offset):
            raise DirectoryError("the ZIP64 end record is missing")
    # bytes before the archive (a self-extractor stub, say) shift every offset
    concat = eocd_pos - cd_size - cd_offset
    if concat < 0:
        raise DirectoryError("the central directory lies outside the file")
    start = cd_offset + concat
    if start + cd_size > size:
        raise DirectoryError("the central directory runs past the end of the file")
    entries, whole = _entries(read, start, start + cd_size, concat, limit)
    if whole and not _counts_fit(counts, len(entries)):
        said = " and ".join(f"{n:,}" for n in sorted(counts))
        conflicts.append(
            f"the end record counts {said} members, but the central directory holds "
            f"{len(entries):,}: tools that trust the count list other members"
        )
    remark = tail[at + EOCD.size : at + EOCD.size + comment]
    return Directory(entries, count, start, outside, remark), conflicts


ZIPFILE_SEARCH = (1 << 16) + EOCD.size  # zipfile looks for the end record in these last bytes
UNZIP_SEARCH = 66_000  # unzip looks in these last bytes ...
UNZIP_BLOCK = 8_192  # ... read back from the end in blocks this long, aligned to its start


def _tools_miss(size: int, eocd_pos: int) -> bool:
    """Whether zipfile and unzip both miss the end record at `eocd_pos` of a file of `size`
    bytes, looking for it only so far back from the end (as Python 3.11's zipfile and
    Info-ZIP's unzip 6.0 do)."""
    if eocd_pos >= size - ZIPFILE_SEARCH or size <= UNZIP_BLOCK:
        return False
    last = size % UNZIP_BLOCK  # unzip reads this partial block first, then whole ones
    blocks = (min(size, UNZIP_SEARCH) - last + UNZIP_BLOCK - 1) // UNZIP_BLOCK
    return eocd_pos < size - last - blocks * UNZIP_BLOCK


def zeros(read: Reader, start: int, end: int) -> bool:
    """Whether the file's bytes [start, end) are all zero, read a chunk at a time."""
    for at in range(start, end, ZERO_CHUNK):
        chunk = bytes(read(at, min(ZERO_CHUNK, end - at)))
        if chunk.count(0) != len(chunk):
            return False
    return True


def _zeros_start(read: Reader, size: int) -> int:
    """Where the run of zero bytes that ends the file starts (`size` when its last byte is
    not zero), read back from the end a chunk at a time."""
    end = size
    while end > 0:
        at = max(0, end - ZERO_CHUNK)
        kept = len(bytes(read(at, end - at)).rstrip(b"\x00"))
        if kept:
            return at + kept
        end = at
    return 0


def _counts_fit(counts: set[int], found: int) -> bool:
    """Whether the end record's entry counts fit the records found: equal, or (a 16-bit count
    of an archive of 65,535 members or more, from a writer that writes no ZIP64 records) the
    number cut to 16 bits or held at 0xFFFF."""
    return all(
        n == found or (found >= 0xFFFF and n <= 0xFFFF and n in (found & 0xFFFF, 0xFFFF))
        for n in counts
    )


def _entries(
    read: Reader, start: int, end: int, concat: int, limit: int
) -> tuple[list[Entry], bool]:
    """The directory's records in bytes [start, end), up to `limit` of them, and whether they
    were read to its end."""
    entries: list[Entry] = []
    pos = start
    block = b""
    block_at = 0
    while pos < end and len(entries) < limit:
        if pos + CENTRAL.size > block_at + len(block):
            block_at = pos
            block = bytes(read(pos, min(end - pos, 1 << 20) + CENTRAL.size))
        rel = pos - block_at
        if rel + CENTRAL.size > len(block):
            raise DirectoryError("the central directory is cut short")
        (
            sig,
            _made_by,
            system,
            _needed,
            _needed_system,
            flags,
            method,
            _time,
            _date,
            crc,
            csize,
            usize,
            n_name,
            n_extra,
            n_comment,
            _disk,
            _internal_attr,
            ext_attr,
            offset,
        ) = CENTRAL.unpack_from(block, rel)
        if sig != CENTRAL_SIG:
            raise DirectoryError("bad central directory record")
        var = n_name + n_extra + n_comment
        if rel + CENTRAL.size + var > len(block):
            block_at = pos
            block = bytes(read(pos, CENTRAL.size + var + (1 << 20)))
            rel = 0
            if CENTRAL.size + var > len(block):
                raise DirectoryError("the central directory is cut short")
        name_at = rel + CENTRAL.size
        raw = block[name_at : name_at + n_name]
        name = raw.decode("ascii") if raw.isascii() else decode_name(raw, flags, system)
        stored = None
        if n_extra:
            extra = block[name_at + n_name : name_at + n_name + n_extra]
            if 0xFFFFFFFF in (csize, usize, offset):
                usize, csize, offset = zip64_values(extra, usize, csize, offset)
            if _UNICODE_PATH_TAG in extra:
                unicode_name = unicode_path(extra, raw)
                if unicode_name is not None and unicode_name != name:
                    name, stored = unicode_name, name
        elif 0xFFFFFFFF in (csize, usize, offset):
            raise DirectoryError("a ZIP64 size is missing its extra field")
        entry = Entry(
            name, flags, method, crc, csize, usize, offset + concat, ext_attr, system, stored
        )
        if n_comment:
            at_comment = name_at + n_name + n_extra
            entry.comment = bytes(block[at_comment : at_comment + n_comment])
        entries.append(entry)
        pos += CENTRAL.size + var
    return entries, pos >= end


RIVALS_READ = 8  # other end records whose directories are read, at most
RIVAL_ENTRIES = 16  # entries read of each


def _rival_end(
    read: Reader, size: int, tail_start: int, tail: bytes, at: int, found: Directory
) -> str | None:
    """Why tools would read another directory than `found` (that of the end record at `at`),
    or None: another whole end record lies inside its comment, or holds it in its own, and
    leads to a readable directory of other members. zipfile and unzip take the last
    signature in the file; the reader the record whose comment reaches the end."""
    comment_end = at + EOCD.size + struct.unpack_from("<H", tail, at + 20)[0]
    tried = 0
    other = tail.rfind(EOCD_SIG)
    while other >= 0 and tried < RIVALS_READ:
        here = other
        other = tail.rfind(EOCD_SIG, 0, here)
        if here == at or here + EOCD.size > len(tail):
            continue
        fields = EOCD.unpack_from(tail, here)
        # in the comment of the record read, or the record read in its comment
        nested = here < comment_end if here > at else here + EOCD.size + fields[7] > at
        if not nested or fields[1] or fields[2] or fields[3] != fields[4] or not fields[4]:
            continue  # no end record of one disk with members, or none that rivals this one
        tried += 1
        try:
            rival = _directory(read, size, tail_start, tail, here, RIVAL_ENTRIES)[0]
        except Exception:  # noqa: BLE001 - bytes that look like an end record, leading nowhere
            continue
        if not rival.entries:
            continue
        n = min(len(rival.entries), len(found.entries))  # `found` may be cut at its limit
        ours = [(e.name, e.header_offset) for e in found.entries[:n]]
        theirs = [(e.name, e.header_offset) for e in rival.entries[:n]]
        if (rival.start, rival.declared, theirs) == (found.start, found.declared, ours):
            continue  # the same directory
        where = "inside the comment of" if here > at else "whose comment holds"
        first = rival.entries[0].name
        return (
            f"another end record at byte {tail_start + here:,}, {where} the one read at byte "
            f"{tail_start + at:,}, leads to a central directory of {_members(rival.declared)} "
            f"(the first {first!r}); zipfile and unzip read the last one in the file, "
            "so tools disagree on what the archive holds"
        )
    return None


def _signature_in_comment(tail_start: int, tail: bytes, at: int) -> str | None:
    """Why tools would not read the end record at `at` when its comment holds the end
    record's signature (alone, or in bytes that read as another record), else None. zipfile
    looks for the end record from the end of the file and takes that signature, and so do
    unzip, 7-Zip or bsdtar when 18 bytes or more follow it: they refuse the archive or read
    another directory than the one checked."""
    (comment,) = struct.unpack_from("<H", tail, at + 20)
    start = at + EOCD.size
    sig = tail.rfind(EOCD_SIG, start, start + comment)
    if sig < 0:
        return None
    return (
        f"the archive's comment holds the end record's signature (PK\\x05\\x06) at byte "
        f"{tail_start + sig:,}, after the end record read at byte {tail_start + at:,}: "
        "zipfile takes the last one in the file for the end record, and unzip, 7-Zip or "
        "bsdtar do too when a record's worth of bytes follows it: they refuse the archive or "
        "read other members than the ones checked"
    )


def _plain_fields(
    plain: tuple[int, int, int, int], found: tuple[int, int, int, int, int]
) -> str | None:
    """How the end record's own counts, directory size and offset (`plain`: entries on this
    disk, entries, size, offset) disagree with the ZIP64 end record's (`found`, as
    `_zip64_end` gives it), or None. A field held at 0xFFFF or 0xFFFFFFFF defers to the
    ZIP64 record; one that is not is what unzip reads, where zipfile reads the ZIP64 one.
    (A count cut to 16 bits is no disagreement: unzip counts members modulo 65,536.)"""
    n_disk, count, cd_size, cd_offset = plain
    _rec_at, _rec_end, count64, size64, offset64 = found
    differ: list[str] = []
    counts = {n for n in (n_disk, count) if n != 0xFFFF}
    if not _counts_fit(counts, count64):
        said = " and ".join(f"{n:,}" for n in sorted(counts))
        differ.append(f"{said} members (the ZIP64 end record: {count64:,})")
    if cd_size not in (0xFFFFFFFF, size64):
        differ.append(f"a directory of {cd_size:,} bytes (the ZIP64 end record: {size64:,})")
    if cd_offset not in (0xFFFFFFFF, offset64):
        differ.append(f"the directory at byte {cd_offset:,} (the ZIP64 end record: {offset64:,})")
    if not differ:
        return None
    return (
        f"the end record gives {', '.join(differ)}: unzip reads the end record's values, "
        "zipfile the ZIP64 end record's, so tools read different directories"
    )


def _zip64_end(
    read: Reader, loc_pos: int, locator: tuple[bytes, int, int, int]
) -> tuple[tuple[int, int, int, int, int] | None, str | None]:
    """(where the ZIP64 end record starts and ends, its entry count, directory size and
    offset) when a sound one stands where the locator at `loc_pos` points (its offset field
    as written, or just before the locator when a prefix shifted the archive); None when
    none does, and the locator's signature was only bytes that look like one. Second, why
    tools disagree when both places hold sound records of different directories (zipfile
    reads the one before the locator, unzip the one it points to), else None."""
    _sig, disk, rel_offset, _disks = locator
    if disk != 0:
        return None, None
    sound = [
        found
        for rec_at in dict.fromkeys((rel_offset, loc_pos - ZIP64_EOCD.size))
        if (found := _zip64_record(read, loc_pos, rec_at)) is not None
    ]
    if not sound:
        return None, None
    if len(sound) == 2:
        # the directory each leads to ends where its record starts
        (a_at, _, a_count, a_size, _), (b_at, _, b_count, b_size, _) = sound
        if (a_at - a_size, a_size, a_count) != (b_at - b_size, b_size, b_count):
            return sound[0], (
                f"the ZIP64 locator points to a ZIP64 end record at byte {a_at:,} "
                f"({_members(a_count)}), but another one stands right before the locator, at "
                f"byte {b_at:,} ({_members(b_count)}): zipfile reads that one, unzip the "
                "other, so tools disagree on what the archive holds"
            )
    return sound[0], None


def _members(n: int) -> str:
    return f"{n:,} member" if n == 1 else f"{n:,} members"


def _zip64_record(read: Reader, loc_pos: int, rec_at: int) -> tuple[int, int, int, int, int] | None:
    """The sound ZIP64 end record at `rec_at`, before the locator at `loc_pos`, or None."""
    if rec_at < 0 or rec_at + ZIP64_EOCD.size > loc_pos:
        return None
    rec = bytes(read(rec_at, ZIP64_EOCD.size))
    if len(rec) != ZIP64_EOCD.size:
        return None
    sig, rec_size, _made, _need, this_disk, cd_disk, n_disk, count, cd_size, cd_offset = (
        ZIP64_EOCD.unpack(rec)
    )
    rec_end = rec_at + 12 + rec_size
    if (
        sig == ZIP64_EOCD_SIG
        and rec_size >= ZIP64_EOCD.size - 12
        and rec_end <= loc_pos
        and this_disk == cd_disk == 0
        and n_disk == count
        and count * CENTRAL.size <= cd_size
        and cd_offset + cd_size <= rec_at
    ):
        return rec_at, rec_end, count, cd_size, cd_offset
    return None


def decode_name(raw: bytes, flags: int, system: int = 0) -> str:
    """A member name as stored, read as unzip reads it: UTF-8 when flagged; unflagged from a
    system that is not an OEM one (`OEM_SYSTEMS`), UTF-8 when it is valid UTF-8; else cp437.
    (ASCII is alike in all three, and decoded without the cp437 codec's Python-level table.)"""
    if raw.isascii():
        return raw.decode("ascii")
    if flags & 0x800:
        return raw.decode("utf-8", "replace")
    if system not in OEM_SYSTEMS:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return raw.decode("cp437")


def comment_text(raw: bytes) -> str:
    """An archive's or a member's comment as text: UTF-8 when it is valid UTF-8, else cp437
    (what unzip shows)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp437")


def extra_fields(extra: bytes | memoryview) -> Iterator[tuple[int, bytes | memoryview]]:
    """(tag, data) of each field in a header's extra block, up to the first that is cut."""
    i = 0
    while i + 4 <= len(extra):
        tag, n = struct.unpack_from("<HH", extra, i)
        if i + 4 + n > len(extra):
            return
        yield tag, extra[i + 4 : i + 4 + n]
        i += 4 + n


def unicode_path(extra: bytes | memoryview, raw: bytes | memoryview) -> str | None:
    """The name in the Unicode Path extra field (0x7075) when it is one unzip uses (version 1,
    its CRC-32 that of the stored name `raw`), else None."""
    for tag, data in extra_fields(extra):
        if tag == UNICODE_PATH_EXTRA and len(data) >= 5 and data[0] == 1:
            (crc,) = struct.unpack_from("<I", data, 1)
            if crc == zlib.crc32(raw):
                return bytes(data[5:]).decode("utf-8", "replace")
    return None


def zip64_values(
    extra: bytes | memoryview, usize: int, csize: int, offset: int
) -> tuple[int, int, int]:
    """The sizes and offset that are 0xFFFFFFFF in a header, from its ZIP64 extra field (in
    that order, each only when it is 0xFFFFFFFF); `DirectoryError` when it has none."""
    for tag, data in extra_fields(extra):
        if tag == ZIP64_EXTRA:
            values = [struct.unpack_from("<Q", data, j)[0] for j in range(0, len(data) - 7, 8)]
            k = 0
            if usize == 0xFFFFFFFF and k < len(values):
                usize, k = values[k], k + 1
            if csize == 0xFFFFFFFF and k < len(values):
                csize, k = values[k], k + 1
            if offset == 0xFFFFFFFF and k < len(values):
                offset = values[k]
            return usize, csize, offset
    raise DirectoryError("a ZIP64 size is missing its extra field")
