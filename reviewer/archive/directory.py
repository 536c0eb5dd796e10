"""The ZIP central directory, read into small records.

`zipfile` builds a `ZipInfo` of some 600 bytes for every member before anything can be read;
an export of 100,000 members would hold 60 MB of them. This reads the same records (end of
central directory, ZIP64 end record and locator, ZIP64 extra fields, a prefix before the
archive) into slotted `Entry` objects holding only what the reader uses. It follows
APPNOTE.TXT as `zipfile` does, and raises `DirectoryError` where `zipfile` raises BadZipFile.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

EOCD = struct.Struct("<4sHHHHIIH")  # end of central directory record
EOCD_SIG = b"PK\x05\x06"
ZIP64_LOCATOR = struct.Struct("<4sIQI")
ZIP64_LOCATOR_SIG = b"PK\x06\x07"
ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")
ZIP64_EOCD_SIG = b"PK\x06\x06"
CENTRAL = struct.Struct("<4sBBBBHHHHIIIHHHHHII")
CENTRAL_SIG = b"PK\x01\x02"
MAX_COMMENT = 0xFFFF
ZIP64_EXTRA = 0x0001


class DirectoryError(Exception):
    """The central directory is missing or damaged."""


@dataclass(slots=True)
class Entry:
    name: str  # as decoded (UTF-8 when flagged, else cp437)
    flags: int
    method: int
    crc: int
    compress_size: int
    file_size: int
    header_offset: int  # of the local header, in the file
    external_attr: int


Reader = Callable[[int, int], "bytes | memoryview"]


def read_directory(read: Reader, size: int, limit: int) -> tuple[list[Entry], int, int]:
    """(the first `limit` entries, the number the directory declares, where it starts).

    `read(offset, n)` returns up to n bytes of the archive from offset.
    """
    if size < EOCD.size:
        raise DirectoryError("too short to be a ZIP archive")
    tail_start = max(0, size - EOCD.size - MAX_COMMENT)
    tail = bytes(read(tail_start, size - tail_start))
    # the record is the last one whose comment length reaches exactly to the end of the file
    # (a comment may itself hold the signature); failing that, the last whole one
    at = tail.rfind(EOCD_SIG)
    fallback = -1
    while at >= 0:
        if at + EOCD.size <= len(tail):
            (comment,) = struct.unpack_from("<H", tail, at + 20)
            if at + EOCD.size + comment == len(tail):
                break
            if fallback < 0:
                fallback = at
        at = tail.rfind(EOCD_SIG, 0, at)
    if at < 0:
        at = fallback
    if at < 0:
        raise DirectoryError("no end of central directory record")
    eocd_pos = tail_start + at
    _sig, _disk, _cd_disk, _n_disk, count, cd_size, cd_offset, _comment = EOCD.unpack_from(tail, at)
    # a ZIP64 end record and its locator sit just before the end record
    loc_at = at - ZIP64_LOCATOR.size
    if loc_at >= 0 and tail[loc_at : loc_at + 4] == ZIP64_LOCATOR_SIG:
        rec_at = eocd_pos - ZIP64_LOCATOR.size - ZIP64_EOCD.size
        rec = bytes(read(rec_at, ZIP64_EOCD.size)) if rec_at >= 0 else b""
        if len(rec) != ZIP64_EOCD.size or rec[:4] != ZIP64_EOCD_SIG:
            raise DirectoryError("the ZIP64 end record is missing")
        fields = ZIP64_EOCD.unpack(rec)
        count, cd_size, cd_offset = fields[7], fields[8], fields[9]
        eocd_pos = rec_at
    # bytes before the archive (a self-extractor stub, say) shift every offset
    concat = eocd_pos - cd_size - cd_offset
    if concat < 0:
        raise DirectoryError("the central directory lies outside the file")
    start = cd_offset + concat
    if start + cd_size > size:
        raise DirectoryError("the central directory runs past the end of the file")
    entries: list[Entry] = []
    pos = start
    end = start + cd_size
    block = b""
    block_at = 0
    while pos < end and len(entries) < limit:
        if pos + CENTRAL.size > block_at + len(block):
            block_at = pos
            block = bytes(read(pos, min(end - pos, 1 << 20) + CENTRAL.size))
        rel = pos - block_at
        if rel + CENTRAL.size > len(block):
            raise DirectoryError("the central directory is cut short")
        f = CENTRAL.unpack_from(block, rel)
        if f[0] != CENTRAL_SIG:
            raise DirectoryError("bad central directory record")
        flags, method, crc, csize, usize = f[5], f[6], f[9], f[10], f[11]
        n_name, n_extra, n_comment, ext_attr, offset = f[12], f[13], f[14], f[17], f[18]
        var = n_name + n_extra + n_comment
        if rel + CENTRAL.size + var > len(block):
            block_at = pos
            block = bytes(read(pos, CENTRAL.size + var + (1 << 20)))
            rel = 0
            if CENTRAL.size + var > len(block):
                raise DirectoryError("the central directory is cut short")
        name_at = rel + CENTRAL.size
        raw = block[name_at : name_at + n_name]
        name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        if 0xFFFFFFFF in (csize, usize, offset):
            usize, csize, offset = _zip64(
                block[name_at + n_name : name_at + n_name + n_extra], usize, csize, offset
            )
        entries.append(Entry(name, flags, method, crc, csize, usize, offset + concat, ext_attr))
        pos += CENTRAL.size + var
    return entries, count, start


def _zip64(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    i = 0
    while i + 4 <= len(extra):
        tag, n = struct.unpack_from("<HH", extra, i)
        if tag == ZIP64_EXTRA:
            data = extra[i + 4 : i + 4 + n]
            values = [struct.unpack_from("<Q", data, j)[0] for j in range(0, len(data) - 7, 8)]
            k = 0
            if usize == 0xFFFFFFFF and k < len(values):
                usize, k = values[k], k + 1
            if csize == 0xFFFFFFFF and k < len(values):
                csize, k = values[k], k + 1
            if offset == 0xFFFFFFFF and k < len(values):
                offset = values[k]
            return usize, csize, offset
        i += 4 + n
    raise DirectoryError("a ZIP64 size is missing its extra field")
