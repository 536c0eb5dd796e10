"""Archives that tools read differently: the reader finds each disagreement, so what a
requester extracts is what was checked.

Each case is the clean sample export (its manifest made to fit), with one disagreement built
in: a second archive in the end record's comment (zipfile and unzip read it, not the
export), two ZIP64 end records, a folder entry holding a bzip2 or LZMA stream, a member whose
stream inflates past its declared size or ends before its compressed bytes do, a local
header that disagrees with the central directory, an entry count that is not the
directory's, an empty recording. Archives that zipfile and Info-ZIP write get none of these.
"""

from __future__ import annotations

import bz2
import hashlib
import io
import json
import lzma
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
import zipcraft
from cleancopy import CLEAN, clean_members, clean_ticket, review_changed
from zipcraft import Entry, Pipe

from reviewer.archive import Limits, read_export
from reviewer.archive.review import review_request
from reviewer.domain.model import EXPORT_ITSELF, Finding, Severity, Verdict
from reviewer.domain.report import Report

CSV = "Retail/SearchHistory.csv"
HIDDEN_NAME = "Hidden/other-customer.csv"
HIDDEN = b"customer_id,name,email\nA2MZ8T4KQ9XR3P,Lukas Brandt,lukas.brandt@example.de\n"
ROWS = b"A2MZ8T4KQ9XR3P,2018-05-01,lukas.brandt@example.de gift for Lena\n" * 40


def members_with(changes: dict[str, bytes]) -> dict[str, bytes]:
    """The clean export's members with `changes`, the manifest made to fit them."""
    members = {**clean_members(), **changes}
    manifest = json.loads(members["manifest.json"])
    manifest["files"] = [
        {"path": p, "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest()}
        for p, b in sorted(members.items())
        if p != "manifest.json" and not p.endswith("/")
    ]
    members["manifest.json"] = json.dumps(manifest, indent=2).encode()
    return members


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def review(tmp_path: Path, data: bytes) -> Report:
    folder = tmp_path / f"DSAR-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    (folder / "export.zip").write_bytes(data)
    (folder / "request.json").write_text(json.dumps(clean_ticket()))
    return review_request(folder).report


def only(report: Report, code: str) -> Finding:
    found = [f for f in report.findings if f.code == code]
    assert len(found) == 1, [(f.code, f.detail) for f in report.findings]
    return found[0]


def zip_codes(report: Report) -> set[str]:
    return {f.code for f in report.findings if f.code.startswith("zip-")}


def test_the_clean_export_rebuilt_here_passes(tmp_path: Path) -> None:
    """The baseline every case below changes one thing in."""
    for data in (zipped(members_with({})), craft(members_with({}))):
        report = review(tmp_path, data)
        assert report.verdict is Verdict.PASS, [(f.code, f.detail) for f in report.findings]


# ------------------------------------------------------- 1. an archive in the end record's comment


def archive_in_comment(outer: bytes, name: str, data: bytes) -> bytes:
    """`outer` with a complete small archive of one member in its end record's comment, then
    one byte, so that the hidden end record's comment does not reach the end of the file but
    the outer one's does. zipfile and unzip take the last end record in the file: the
    hidden one."""
    assert outer[-22:-18] == b"PK\x05\x06" and outer[-2:] == b"\0\0"
    base = len(outer)
    buf = io.BytesIO(b"\0" * base)  # zipfile appends after bytes that are no archive ...
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr(name, data)
    hidden = buf.getvalue()[base:]  # ... with offsets counted from the start of the file
    comment = hidden + b"!"
    end = bytearray(outer[-22:])
    struct.pack_into("<H", end, 20, len(comment))
    return outer[:-22] + bytes(end) + comment


def test_a_second_archive_in_the_end_record_comment_blocks(tmp_path: Path) -> None:
    data = archive_in_comment(zipped(members_with({})), HIDDEN_NAME, HIDDEN)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == [HIDDEN_NAME]  # what a requester would extract
    report = review(tmp_path, data)
    f = only(report, "zip-directory-conflict")
    assert f.severity is Severity.CRITICAL
    assert f.members == (EXPORT_ITSELF,)
    assert repr(HIDDEN_NAME) in f.detail and "inside the comment" in f.detail
    assert report.verdict is Verdict.BLOCK


def test_a_second_archive_in_a_nested_archive_comment_blocks(tmp_path: Path) -> None:
    inner = archive_in_comment(zipcraft.zip_of({"ok.txt": b"fine"}), "../../evil.txt", b"evil")
    report = review_changed(tmp_path, {"Extra/inner.zip": inner}).report
    f = only(report, "zip-directory-conflict")
    assert f.severity is Severity.CRITICAL
    assert f.members == ("Extra/inner.zip",)
    assert "nested archive 'Extra/inner.zip'" in f.detail and "'../../evil.txt'" in f.detail
    assert report.verdict is Verdict.BLOCK


NOWHERE = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, 46, 0, 0)  # no directory there


@pytest.mark.parametrize(
    "comment",
    [
        b"exported PK\x05\x06 by the pipeline",
        b"PK\x05\x06" + b"\x07" * 18,
        b"see " + NOWHERE + b" for the record",
        b"x" * 60 + b"PK\x05\x06",
    ],
    ids=["signature-in-text", "record-of-other-disks", "record-leading-nowhere", "at-the-end"],
)
def test_a_comment_holding_the_signature_alone_blocks(tmp_path: Path, comment: bytes) -> None:
    # zipfile (and unzip, 7-Zip, bsdtar, by what follows the signature) take the signature
    # in the comment for the end record: the delivered archive does not open
    members = members_with({})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_BZIP2)
        zf.comment = comment
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    report = review(tmp_path, buf.getvalue())
    f = only(report, "zip-directory-conflict")
    assert f.members == (EXPORT_ITSELF,)
    assert "comment holds the end record's signature" in f.detail
    assert zip_codes(report) == {"zip-directory-conflict"}
    assert report.verdict is Verdict.BLOCK


# ------------------------------------------------------- 2. two ZIP64 end records


def two_zip64_records(clean: bytes) -> bytes:
    """The locator points to a ZIP64 end record of the clean directory; that record's
    extensible data hides a member, its directory and a second ZIP64 end record right
    before the locator, which zipfile reads."""
    count, cd_size, cd_off = struct.unpack_from("<HII", clean, len(clean) - 22 + 10)
    body = clean[: cd_off + cd_size]
    x_at = len(body)
    name = HIDDEN_NAME.encode()
    h_at = x_at + 56
    local = zipcraft.local_header(name, 0, zlib.crc32(HIDDEN), len(HIDDEN), len(HIDDEN)) + HIDDEN
    cd_at = h_at + len(local)
    cd = zipcraft.central_header(name, 0, zlib.crc32(HIDDEN), len(HIDDEN), len(HIDDEN), h_at)
    rec_y = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, 1, 1, len(cd), cd_at)
    ext = local + cd + rec_y
    rec_x = struct.pack(
        "<4sQHHIIQQQQ", b"PK\x06\x06", 44 + len(ext), 45, 45, 0, 0, count, count, cd_size, cd_off
    )
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, x_at, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return body + rec_x + ext + locator + end


def test_two_zip64_end_records_that_lead_to_other_members_block(tmp_path: Path) -> None:
    data = two_zip64_records(zipped(members_with({})))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == [HIDDEN_NAME]
    report = review(tmp_path, data)
    f = only(report, "zip-directory-conflict")
    assert f.severity is Severity.CRITICAL
    assert f.members == (EXPORT_ITSELF,)
    assert "ZIP64 locator" in f.detail and "(1 member)" in f.detail
    assert report.verdict is Verdict.BLOCK


# ------------------------------------------------------- 3. folder entries holding a stream


def lzma_member(data: bytes) -> bytes:
    """`data` as a ZIP LZMA member's compressed bytes: version, properties size, properties
    (lc 3, lp 0, pb 2, a 1 MiB dictionary), a raw LZMA1 stream with its end marker."""
    lzma1 = {"id": lzma.FILTER_LZMA1, "lc": 3, "lp": 0, "pb": 2, "dict_size": 1 << 20}
    packer = lzma.LZMACompressor(lzma.FORMAT_RAW, filters=[lzma1])
    props = struct.pack("<BI", (2 * 5 + 0) * 9 + 3, 1 << 20)
    return struct.pack("<BBH", 9, 20, len(props)) + props + packer.compress(data) + packer.flush()


def craft(members: dict[str, bytes], *extra: Entry, **override: Entry) -> bytes:
    """The members laid out byte by byte (deflated), `override` by name, `extra` after them."""
    entries = [override.get(name, Entry(name, data)) for name, data in members.items()]
    return zipcraft.build(entries + list(extra))


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "lzma"])
def test_a_folder_entry_holding_a_compressed_stream_blocks(tmp_path: Path, method: int) -> None:
    packed = bz2.compress(ROWS) if method == zipfile.ZIP_BZIP2 else lzma_member(ROWS)
    folder = Entry(
        "Extra/",
        method=method,
        compressed=packed,
        crc=zlib.crc32(ROWS),
        size=0,
        flags=0x2 if method == zipfile.ZIP_LZMA else 0,
    )
    report = review(tmp_path, craft(members_with({}), folder))
    f = only(report, "zip-folder-with-data")
    assert f.severity is Severity.CRITICAL
    assert f.members == ("Extra/",)
    assert f"holds {len(packed):,} bytes of compressed data" in f.detail
    assert report.verdict is Verdict.BLOCK


# ------------------------------------------------------- 4. streams longer or shorter than the data


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=["bzip2", "lzma"])
def test_a_stream_that_inflates_past_its_declared_size_blocks(tmp_path: Path, method: int) -> None:
    """The declared size and CRC are those of the member's first part: zipfile stops there,
    unzip extracts the rest too."""
    members = members_with({})
    real = members[CSV]
    both = real + ROWS
    packed = bz2.compress(both) if method == zipfile.ZIP_BZIP2 else lzma_member(both)
    flags = 0x2 if method == zipfile.ZIP_LZMA else 0
    member = Entry(CSV, real, method=method, compressed=packed, flags=flags)
    data = craft(members, **{CSV: member})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.read(CSV) == real  # zipfile is content with the first part
    report = review(tmp_path, data)
    f = only(report, "zip-size-mismatch")
    assert f.severity is Severity.CRITICAL
    assert f.members == (CSV,)
    assert f"declares {len(real):,} bytes but inflates to more" in f.detail
    assert report.verdict is Verdict.BLOCK


def packed_with_tail(method: int, data: bytes, tail: bytes) -> bytes:
    if method == zipfile.ZIP_BZIP2:
        return bz2.compress(data) + tail
    if method == zipfile.ZIP_LZMA:
        return lzma_member(data) + tail
    return zipcraft.deflate(data) + tail


@pytest.mark.parametrize(
    ("method", "descriptor"),
    [
        (zipfile.ZIP_DEFLATED, False),
        (zipfile.ZIP_DEFLATED, True),
        (zipfile.ZIP_BZIP2, False),
        (zipfile.ZIP_LZMA, True),
    ],
    ids=["deflate", "deflate-with-descriptor", "bzip2", "lzma-with-descriptor"],
)
def test_bytes_after_a_stream_inside_its_compressed_size_block(
    tmp_path: Path, method: int, descriptor: bool
) -> None:
    members = members_with({})
    real = members[CSV]
    packed = packed_with_tail(method, real, ROWS)
    flags = (0x2 if method == zipfile.ZIP_LZMA else 0) | (0x8 if descriptor else 0)
    after = b""
    if descriptor:  # the data descriptor follows the recorded compressed bytes
        after = struct.pack("<4sIII", b"PK\x07\x08", zlib.crc32(real), len(packed), len(real))
    member = Entry(CSV, real, method=method, compressed=packed, flags=flags, after=after)
    report = review(tmp_path, craft(members, **{CSV: member}))
    f = only(report, "zip-unlisted-bytes")
    assert f.severity is Severity.CRITICAL
    assert f.members == (CSV,)
    assert f"{len(ROWS):,} bytes after the end of its compressed stream" in f.detail
    assert report.verdict is Verdict.BLOCK


# ------------------------------------------------------- 5. local headers and the entry count


def patched(data: bytes, at: int, fmt: str, *values: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, at, *values)
    return bytes(out)


LOCAL_CASES = {
    # case: (offset in the local header, format, values, words in the finding)
    "sizes": (18, "<II", (5, 9999), "5 compressed bytes"),
    "method": (8, "<H", (0,), "compression method 0 (the central directory says 8)"),
    "crc": (14, "<I", (0xDEADBEEF,), "CRC-32 deadbeef"),
}


@pytest.mark.parametrize("case", list(LOCAL_CASES))
def test_a_local_header_that_disagrees_with_the_directory_blocks(tmp_path: Path, case: str) -> None:
    clean = zipped(members_with({}))
    at, fmt, values, words = LOCAL_CASES[case]
    with zipfile.ZipFile(io.BytesIO(clean)) as zf:
        offset = zf.getinfo(CSV).header_offset
    data = patched(clean, offset + at, fmt, *values)
    report = review(tmp_path, data)
    f = only(report, "zip-header-mismatch")
    assert f.severity is Severity.CRITICAL
    assert f.members == (CSV,)
    assert words in f.detail
    assert report.verdict is Verdict.BLOCK


@pytest.mark.parametrize("count", [14, 16])
def test_an_entry_count_that_is_not_the_directory_blocks(tmp_path: Path, count: int) -> None:
    clean = zipped(members_with({}))
    held = struct.unpack_from("<H", clean, len(clean) - 22 + 10)[0]
    assert held == 15
    report = review(tmp_path, patched(clean, len(clean) - 22 + 8, "<HH", count, count))
    f = only(report, "zip-directory-conflict")
    assert f.severity is Severity.CRITICAL
    assert f.members == (EXPORT_ITSELF,)
    assert f"counts {count} members, but the central directory holds 15" in f.detail
    assert report.verdict is Verdict.BLOCK


# ------------------------------------------------------- 6. an empty recording


def test_an_empty_recording_is_malformed_like_garbage(tmp_path: Path) -> None:
    wav = next(n for n in clean_members() if n.endswith(".wav"))
    for content in (b"", b"abc"):
        (tmp_path / str(len(content))).mkdir()
        report = review_changed(tmp_path / str(len(content)), {wav: content}).report
        f = only(report, "audio-malformed")
        assert f.severity is Severity.WARNING
        assert f.members == (wav,)
        assert report.verdict is Verdict.REVIEW


# ------------------------------------------------------- what zipfile and Info-ZIP write


def zipfile_writes(method: int, force_zip64: bool, streamed: bool) -> bytes:
    pipe, buf = Pipe(), io.BytesIO()
    out: Pipe | io.BytesIO = pipe if streamed else buf
    with zipfile.ZipFile(out, "w", method) as zf:
        if not streamed:
            zf.writestr(zipfile.ZipInfo("Alexa/"), b"", compress_type=method)
        zf.writestr("empty.txt", b"")
        for i in range(3):
            with zf.open(f"Alexa/part{i}.csv", "w", force_zip64=force_zip64) as fh:
                fh.write(b"customer_id,query\nA1,tea\n" * (i * 300 + 1))
    return bytes(pipe.data) if streamed else buf.getvalue()


NEW_CODES = {"zip-directory-conflict", "zip-header-mismatch", "zip-folder-with-data"}


@pytest.mark.parametrize("streamed", [False, True], ids=["seekable", "streamed"])
@pytest.mark.parametrize("force_zip64", [False, True], ids=["zip32", "zip64"])
@pytest.mark.parametrize("method", [0, 8, 12, 14], ids=["stored", "deflate", "bzip2", "lzma"])
def test_what_zipfile_writes_has_none_of_these(
    tmp_path: Path, method: int, force_zip64: bool, streamed: bool
) -> None:
    data = zipfile_writes(method, force_zip64, streamed)
    for archive in (data, b"#!/bin/sh\nexit 0\n" + data):  # behind a self-extractor's stub too
        (tmp_path / "export.zip").write_bytes(archive)
        index = read_export(tmp_path / "export.zip", Limits())
        codes = {f.code for f in index.read_findings}
        assert not codes & (NEW_CODES | {"zip-size-mismatch", "zip-corrupt"}), index.read_findings
        assert all("compressed stream" not in f.detail for f in index.read_findings)
        assert all(m.readable for m in index.members if not m.path.endswith("/"))


INFO_ZIP = {
    "plain": "zip -qr {out} export",
    "zip64": "zip -qr -fz {out} export",
    "descriptors": "zip -qr -fd {out} export",
    "bzip2": "zip -qr -Z bzip2 {out} export",
    "from a pipe": "cat rows.csv | zip -q {out} -",
    "to a pipe": "zip -qr - export | cat > {out}",
    "bzip2 to a pipe": "zip -qr -Z bzip2 - export | cat > {out}",
    "from and to a pipe": "cat rows.csv | zip -q - - | cat > {out}",
    "a comment with the signature": "zip -qr -z {out} export < comment.txt",
}


@pytest.mark.skipif(shutil.which("zip") is None, reason="Info-ZIP zip is not installed")
@pytest.mark.parametrize("how", list(INFO_ZIP))
def test_what_info_zip_writes_has_none_of_these(tmp_path: Path, how: str) -> None:
    work = tmp_path / "work"
    (work / "export" / "Retail").mkdir(parents=True)
    (work / "export" / "empty").mkdir()
    (work / "export" / "Retail" / "SearchHistory.csv").write_bytes(ROWS)
    (work / "export" / "empty.txt").write_bytes(b"")
    (work / "rows.csv").write_bytes(ROWS * 3)
    (work / "comment.txt").write_bytes(b"made by PK\x05\x06 the pipeline\n")
    out = tmp_path / "out.zip"
    subprocess.run(INFO_ZIP[how].format(out=out), shell=True, cwd=work, check=True)
    index = read_export(out, Limits())
    # but for the signature in its comment, which zipfile takes for the end record
    signed = how == "a comment with the signature"
    expected = ["zip-directory-conflict"] if signed else []
    assert [f.code for f in index.read_findings if f.code.startswith("zip-")] == expected
    assert all(m.readable for m in index.members if not m.path.endswith("/"))


def test_the_sample_exports_have_none_of_these() -> None:
    for sample in sorted(CLEAN.parent.glob("*/export.zip")):
        index = read_export(sample, Limits())
        assert not {f.code for f in index.read_findings} & NEW_CODES, sample
