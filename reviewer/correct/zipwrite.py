"""Write a ZIP archive of whole members, deterministically and fast.

Python's zipfile compresses with zlib, at some 50 MB/s on recordings; ISA-L (`isal`, already
the reader's inflater) deflates the same bytes at several hundred MB/s, and members are
compressed side by side in threads (ISA-L releases the GIL); a member left as it was is
copied as the original archive stores it (`read_member_raw`), never inflated and deflated. zipfile cannot take members
already compressed, so the archive is laid out here: local headers, data, central directory
and end record, with ZIP64 records where counts, sizes or offsets need them (APPNOTE 6.3.9,
sections 4.3 and 4.5.3). Every field is fixed by the input: the same members in the same
order give the same bytes. What is written is read back by the safe reader before it is
used (`reviewer.correct.proof`).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from isal import isal_zlib

from reviewer.archive import RawMember

DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
DOS_TIME = 0
UTF8_FLAG = 0x0800
UNIX_644 = 0o100644 << 16
MADE_BY = (3 << 8) | 45  # Unix, spec 4.5
LEVEL = 1  # ISA-L's levels are 0 to 3; recordings shrink by a tenth at any of them
MAX32 = 0xFFFFFFFF
MAX16 = 0xFFFF


class Writer(Protocol):
    def write(self, data: bytes, /) -> int: ...


def _deflate(data: bytes) -> tuple[int, int, bytes]:
    """(method, crc, stored bytes): deflated, or stored when deflate does not shrink it."""
    crc = isal_zlib.crc32(data) & MAX32
    c = isal_zlib.compressobj(LEVEL, isal_zlib.DEFLATED, -15)
    packed = c.compress(data) + c.flush()
    if len(packed) >= len(data):
        return 0, crc, data
    return 8, crc, packed


def _pack(data: bytes | RawMember) -> tuple[int, int, int, bytes]:
    """(method, crc, inflated size, stored bytes) of a member to write."""
    if isinstance(data, RawMember):
        return data.method, data.crc & MAX32, data.size, data.data
    method, crc, body = _deflate(data)
    return method, crc, len(data), body


def write_zip(out: Writer, members: Sequence[tuple[str, bytes | RawMember]]) -> None:
    """Write `members` (name, bytes or a member copied as stored), in order, as one ZIP
    archive to `out`."""
    workers = max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        packed = list(pool.map(lambda m: _pack(m[1]), members))
    central: list[bytes] = []
    offset = 0
    for (name, _data), (method, crc, size, body) in zip(members, packed, strict=True):
        raw_name = name.encode("utf-8")
        csize = len(body)
        big = size >= MAX32 or csize >= MAX32
        local_extra = struct.pack("<HHQQ", 1, 16, size, csize) if big else b""
        version = 45 if big or offset >= MAX32 else 20
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                version,
                UTF8_FLAG,
                method,
                DOS_TIME,
                DOS_DATE,
                crc,
                MAX32 if big else csize,
                MAX32 if big else size,
                len(raw_name),
                len(local_extra),
            )
        )
        out.write(raw_name + local_extra)
        out.write(body)
        z64 = b""
        if big:
            z64 += struct.pack("<QQ", size, csize)
        if offset >= MAX32:
            z64 += struct.pack("<Q", offset)
        extra = struct.pack("<HH", 1, len(z64)) + z64 if z64 else b""
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                MADE_BY,
                version,
                UTF8_FLAG,
                method,
                DOS_TIME,
                DOS_DATE,
                crc,
                MAX32 if big else csize,
                MAX32 if big else size,
                len(raw_name),
                len(extra),
                0,
                0,
                0,
                UNIX_644,
                MAX32 if offset >= MAX32 else offset,
            )
            + raw_name
            + extra
        )
        offset += 30 + len(raw_name) + len(local_extra) + csize
    cd_offset = offset
    directory = b"".join(central)
    out.write(directory)
    count, cd_size = len(central), len(directory)
    if count >= MAX16 or cd_offset >= MAX32 or cd_size >= MAX32:
        z64_end = offset + cd_size
        out.write(
            struct.pack(
                "<IQHHIIQQQQ",
                0x06064B50,
                44,
                MADE_BY,
                45,
                0,
                0,
                count,
                count,
                cd_size,
                cd_offset,
            )
        )
        out.write(struct.pack("<IIQI", 0x07064B50, 0, z64_end, 1))
    out.write(
        struct.pack(
            "<IHHHHIIH",
            0x06054B50,
            0,
            0,
            min(count, MAX16),
            min(count, MAX16),
            min(cd_size, MAX32),
            min(cd_offset, MAX32),
            0,
        )
    )
