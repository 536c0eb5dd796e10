"""Craft ZIP archives byte by byte, hostile ones included, for the reader's tests.

`zipfile` refuses to write most of what an attacker writes (lying sizes, bad CRCs, encrypted
flags without encryption, unknown methods, overlapping entries), so these helpers lay out local
headers, central directory records and the end record themselves. Every field can be
overridden per entry.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

STORED, DEFLATED = 0, 8
S_IFREG, S_IFLNK = 0o100000, 0o120000


def deflate(data: bytes, level: int = 9) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class Pipe(io.RawIOBase):
    """A write-only stream that cannot seek: zipfile then writes data descriptors."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.data += b
        return len(b)


@dataclass
class Entry:
    name: str | bytes
    data: bytes = b""
    method: int = DEFLATED
    compressed: bytes | None = None  # the bytes written as member data (default: data packed)
    crc: int | None = None  # recorded CRC-32 (default: the real one)
    size: int | None = None  # declared inflated size (default: the real one)
    csize: int | None = None  # declared compressed size (default: the real one)
    flags: int = 0
    mode: int = S_IFREG | 0o644
    local_name: bytes | None = None  # a different name in the local header
    offset: int | None = None  # point the central record elsewhere (default: its local header)
    extra: bytes = b""
    central_extra: bytes = b""  # the extra field of its central record
    system: int = 3  # the system that made it ("version made by"): 3 Unix, 0 MS-DOS
    after: bytes = b""  # bytes written after the member's data (a data descriptor, or junk)
    _fields: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def raw_name(self) -> bytes:
        return self.name.encode("utf-8") if isinstance(self.name, str) else self.name

    def packed(self) -> bytes:
        if self.compressed is not None:
            return self.compressed
        return deflate(self.data) if self.method == DEFLATED else self.data


def local_header(
    name: bytes, method: int, crc: int, csize: int, size: int, flags: int = 0, extra: bytes = b""
) -> bytes:
    return (
        struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            flags,
            method,
            0,
            0x21,
            crc,
            csize,
            size,
            len(name),
            len(extra),
        )
        + name
        + extra
    )


def central_header(
    name: bytes,
    method: int,
    crc: int,
    csize: int,
    size: int,
    offset: int,
    flags: int = 0,
    mode: int = S_IFREG | 0o644,
    extra: bytes = b"",
    system: int = 3,
) -> bytes:
    return (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            (system << 8) | 20,
            20,
            flags,
            method,
            0,
            0x21,
            crc,
            csize,
            size,
            len(name),
            len(extra),
            0,
            0,
            0,
            mode << 16,
            offset,
        )
        + name
        + extra
    )


def unicode_path(name: str, stored: bytes) -> bytes:
    """A Unicode Path extra field (0x7075) naming `name`, for the stored name `stored`."""
    body = b"\x01" + struct.pack("<I", zlib.crc32(stored)) + name.encode("utf-8")
    return struct.pack("<HH", 0x7075, len(body)) + body


def end_record(count: int, cd_size: int, cd_offset: int) -> bytes:
    return struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, cd_size, cd_offset, 0)


def build(entries: list[Entry], *, prefix: bytes = b"") -> bytes:
    """An archive holding `entries` in order, with every override applied."""
    out = io.BytesIO()
    out.write(prefix)
    offsets: list[int] = []
    for e in entries:
        body = e.packed()
        crc = zlib.crc32(e.data) if e.crc is None else e.crc
        size = len(e.data) if e.size is None else e.size
        csize = len(body) if e.csize is None else e.csize
        e._fields = {"crc": crc, "size": size, "csize": csize}
        offsets.append(out.tell())
        local = e.local_name if e.local_name is not None else e.raw_name
        out.write(local_header(local, e.method, crc, csize, size, e.flags, e.extra))
        out.write(body)
        out.write(e.after)
    cd_start = out.tell()
    for e, off in zip(entries, offsets, strict=True):
        f = e._fields
        out.write(
            central_header(
                e.raw_name,
                e.method,
                f["crc"],
                f["csize"],
                f["size"],
                off if e.offset is None else e.offset,
                e.flags,
                e.mode,
                e.central_extra,
                e.system,
            )
        )
    cd_size = out.tell() - cd_start
    out.write(end_record(len(entries), cd_size, cd_start))
    return out.getvalue()


def overlapping() -> bytes:
    """Two members sharing bytes: `inner.txt`'s local header and data lie inside `outer.bin`."""
    inner_data = b"shared bytes " * 50
    inner_name = b"inner.txt"
    inner_local = (
        local_header(inner_name, STORED, zlib.crc32(inner_data), len(inner_data), len(inner_data))
        + inner_data
    )
    outer_name = b"outer.bin"
    outer_local = local_header(
        outer_name, STORED, zlib.crc32(inner_local), len(inner_local), len(inner_local)
    )
    ok = Entry("ok.csv", b"customer_id,query\nA1,lamp\n")
    ok_bytes = build([ok])
    ok_local_len = ok_bytes.index(b"PK\x01\x02")
    body = outer_local + inner_local + ok_bytes[:ok_local_len]
    inner_offset = len(outer_local)
    ok_offset = len(outer_local) + len(inner_local)
    cd = (
        central_header(
            outer_name, STORED, zlib.crc32(inner_local), len(inner_local), len(inner_local), 0
        )
        + central_header(
            inner_name,
            STORED,
            zlib.crc32(inner_data),
            len(inner_data),
            len(inner_data),
            inner_offset,
        )
        + central_header(
            b"ok.csv",
            DEFLATED,
            ok._fields["crc"],
            ok._fields["csize"],
            ok._fields["size"],
            ok_offset,
        )
    )
    return body + cd + end_record(3, len(cd), len(body))


def zip_of(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An ordinary archive written by zipfile (for nesting and for the well-formed cases)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()
