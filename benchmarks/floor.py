"""The floor under any Python reader of an export: the least work one must do per member.

Lists the central directory (`zipfile`), then for every member: inflates it, takes its CRC-32
and SHA-256 (the report's digest), and parses it when it is a table or a document (`json`,
`csv`), as the checks need its content. No hazard is looked for and no check is run, so no
reader that checks anything can be faster than this in CPython; `bench_check.py` times it
beside `reviewer check` and `unzip -t` (the "floor" column).

    .venv/bin/python benchmarks/floor.py benchmarks/out/many/export.zip
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import struct
import sys
import zipfile
import zlib

LOCAL = struct.Struct("<HH")  # the local header's name and extra field lengths, at offset 26


def read_all(path: str) -> int:
    """Read every member of the archive at `path` as described above; the members read."""
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    with open(path, "rb") as fh:
        data = fh.read()
    view = memoryview(data)
    for info in infos:
        name_len, extra_len = LOCAL.unpack_from(data, info.header_offset + 26)
        start = info.header_offset + 30 + name_len + extra_len
        packed = view[start : start + info.compress_size]
        body = (
            zlib.decompressobj(-15).decompress(packed)
            if info.compress_type == zipfile.ZIP_DEFLATED
            else bytes(packed)
        )
        zlib.crc32(body)
        hashlib.sha256(body).hexdigest()
        name = info.filename
        if name.endswith(".json"):
            json.loads(body)
        elif name.endswith(".csv"):
            list(csv.reader(body.decode("utf-8", "replace").splitlines()))
    return len(infos)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[0])
        print("usage: floor.py EXPORT_ZIP")
        return 0 if args and args[0] in ("-h", "--help") else 2
    if not os.path.isfile(args[0]):
        print(f"floor.py: {args[0]}: no such file", file=sys.stderr)
        return 2
    print(read_all(args[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
