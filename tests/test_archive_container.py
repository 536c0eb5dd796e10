"""The ZIP container read as strictly as the most careful tool and as fairly as Info-ZIP:
bytes that only look like a ZIP64 locator, bytes that belong to no member, findings about a
whole archive, NUL bytes in names, and member read failures said in words."""

from __future__ import annotations

import io
import lzma
import shutil
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
import zipcraft
from zipcraft import STORED, Entry, Pipe

from reviewer.archive import Limits, read_export
from reviewer.archive.streams import READ_ERRORS, inflater, read_failure
from reviewer.domain.model import EXPORT_ITSELF, ExportIndex, Finding

ROOT = Path(__file__).resolve().parent.parent
TEXT = b"customer_id,query\nA3KX9ZQ2M7T1LB,desk lamp\n" * 40
STUB = b"#!/bin/sh\necho 'self-extracting archive'\nexit 0\n"
needs_unzip = pytest.mark.skipif(shutil.which("unzip") is None, reason="unzip is not installed")
needs_zip = pytest.mark.skipif(
    shutil.which("zip") is None, reason="zip (Info-ZIP) is not installed"
)


def read(tmp_path: Path, data: bytes) -> ExportIndex:
    archive = tmp_path / "export.zip"
    archive.write_bytes(data)
    return read_export(archive, Limits())


def zip_findings(index: ExportIndex) -> list[Finding]:
    return [f for f in index.read_findings if f.code.startswith("zip-") and f.code != "zip-nested"]


def unzip_accepts(data: bytes, tmp_path: Path) -> bool:
    archive = tmp_path / "check.zip"
    archive.write_bytes(data)
    return subprocess.run(["unzip", "-tqq", str(archive)], capture_output=True).returncode == 0


def zipfile_accepts(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.testzip() is None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def with_comment(name: str, comment: bytes) -> bytes:
    """A zipfile archive whose last central record (so the bytes just before the end record)
    carries `comment`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.csv", TEXT)
        info = zipfile.ZipInfo(name)
        info.comment = comment
        zf.writestr(info, b"world")
    return buf.getvalue()


# ---------------------------------------------------------------------- 1. ZIP64 locator


LOOKALIKES = {
    # the 20 bytes before the end record read as a locator (disk 0, one disk or none) that
    # points at bytes that are no ZIP64 end record
    "member comment": ("b.txt", b"note PK\x06\x07" + struct.pack("<IQI", 0, 5, 0)),
    "name and comment": ("bPK\x06\x07", struct.pack("<IQI", 0, 5, 0)),
    "name alone": ("bPK\x06\x070123456789abcdef", b""),
}


@needs_unzip
@pytest.mark.parametrize("case", list(LOOKALIKES))
def test_bytes_that_look_like_a_zip64_locator_are_no_locator(tmp_path: Path, case: str) -> None:
    name, comment = LOOKALIKES[case]
    data = with_comment(name, comment)
    locator_at = data.rindex(b"PK\x05\x06") - 20
    assert data[locator_at : locator_at + 4] == b"PK\x06\x07"
    assert unzip_accepts(data, tmp_path)
    if case != "name alone":  # zipfile 3.11 takes its disk number for a multi-disk archive
        assert zipfile_accepts(data)
    index = read(tmp_path, data)
    assert zip_findings(index) == []
    assert [m.path for m in index.members] == ["a.csv", name]
    assert all(m.readable for m in index.members)


def zip64_tail(
    entries: list[Entry],
    prefix: bytes = b"",
    *,
    record_offset: int | None = None,
    comment: bytes = b"",
    extensible: bytes = b"",
    plain: tuple[int, int, int] | None = None,
) -> bytes:
    """`entries` in an archive whose directory is found through a ZIP64 end record and its
    locator; the locator points at `record_offset` (default: where the record is, counted
    from the start of the archive proper). The end record's own count, directory size and
    offset are `plain` (default: 0xFFFF..., deferring to the ZIP64 record), its comment
    `comment`; the ZIP64 record carries `extensible` as its extensible data."""
    built = zipcraft.build(entries)
    end_at = built.rindex(b"PK\x05\x06")
    cd_offset, cd_size = built.index(b"PK\x01\x02"), end_at - built.index(b"PK\x01\x02")
    n = len(entries)
    record = struct.pack(
        "<4sQHHIIQQQQ", b"PK\x06\x06", 44 + len(extensible), 45, 45, 0, 0, n, n, cd_size, cd_offset
    )
    at = end_at if record_offset is None else record_offset
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, at, 1)
    count, size, offset = plain or (0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, size, offset, len(comment))
    return prefix + built[:end_at] + record + extensible + locator + end + comment


def test_a_real_zip64_end_record_is_still_followed(tmp_path: Path) -> None:
    entries = [Entry("a.csv", TEXT), Entry("b.txt", b"hello")]
    data = zip64_tail(entries)
    assert zipfile_accepts(data)
    index = read(tmp_path, data)
    assert zip_findings(index) == []
    assert [m.path for m in index.members] == ["a.csv", "b.txt"]


def test_a_zip64_archive_behind_a_prefix_is_found_just_before_its_locator(
    tmp_path: Path,
) -> None:
    # the locator's offset counts from the archive proper; the record stands right before it
    data = zip64_tail([Entry("a.csv", TEXT)], prefix=STUB)
    index = read(tmp_path, data)
    assert [f.code for f in zip_findings(index)] == ["zip-unlisted-bytes"]
    assert index.member("a.csv") is not None and index.member("a.csv").readable  # type: ignore[union-attr]


def test_a_zip64_archive_whose_end_record_is_gone_is_truncated(tmp_path: Path) -> None:
    data = bytearray(zip64_tail([Entry("a.csv", TEXT)]))
    record_at = data.rindex(b"PK\x06\x06")
    data[record_at : record_at + 4] = b"XXXX"
    index = read(tmp_path, bytes(data))
    assert "zip-truncated" in {f.code for f in index.read_findings}


@pytest.mark.parametrize("length", [65_515, 65_516, 65_535])
def test_a_zip64_archive_with_the_longest_comments_is_read(tmp_path: Path, length: int) -> None:
    # the locator stands right before the end record, though a comment of 65,516 bytes or
    # more puts it before the last bytes the end record is looked for in
    data = zip64_tail([Entry("a.csv", TEXT), Entry("b.txt", b"hello")], comment=b"c" * length)
    assert zipfile_accepts(data)
    if shutil.which("unzip"):
        assert unzip_accepts(data, tmp_path)
    index = read(tmp_path, data)
    assert zip_findings(index) == []
    assert [m.path for m in index.members] == ["a.csv", "b.txt"]
    assert all(m.readable for m in index.members)


def test_the_zip64_end_record_extensible_data_is_unlisted(tmp_path: Path) -> None:
    payload = b"customer_id A9ZZZZZZZZZZZZ jane.doe@example.com\n" * 5
    data = zip64_tail([Entry("a.csv", TEXT)], extensible=payload)
    if shutil.which("unzip"):  # which reads the record the locator points to
        assert unzip_accepts(data, tmp_path)
    index = read(tmp_path, data)
    f = unlisted(index)
    assert f.members == (EXPORT_ITSELF,)
    assert f.detail.startswith(f"{len(payload):,} bytes in the ZIP64 end record's extensible data")
    assert index.member("a.csv") is not None and index.member("a.csv").readable  # type: ignore[union-attr]


def test_end_record_fields_that_fit_the_zip64_record_are_no_conflict(tmp_path: Path) -> None:
    # zipfile and Info-ZIP write a field's value when it fits, 0xFFFF... when it does not
    entries = [Entry("a.csv", TEXT), Entry("b.txt", b"hello")]
    saturated = zip64_tail(entries)
    end = saturated.rindex(b"PK\x05\x06")
    size, offset = struct.unpack_from("<QQ", saturated, end - 20 - 16)
    data = zip64_tail(entries, plain=(2, size, offset))
    assert zipfile_accepts(data)
    assert zip_findings(read(tmp_path, data)) == []


def test_end_record_fields_that_disagree_with_the_zip64_record_are_a_conflict(
    tmp_path: Path,
) -> None:
    # as DotNetZip writes some archives: the end record's directory size and offset are
    # not 0xFFFFFFFF, and not the ZIP64 record's; unzip reads them, zipfile the ZIP64 ones
    entries = [Entry("a.csv", TEXT), Entry("b.txt", b"hello")]
    saturated = zip64_tail(entries)
    end = saturated.rindex(b"PK\x05\x06")
    size, offset = struct.unpack_from("<QQ", saturated, end - 20 - 16)
    data = zip64_tail(entries, plain=(0xFFFF, size + 8, offset + 8))
    assert zipfile_accepts(data)
    if shutil.which("unzip"):
        assert not unzip_accepts(data, tmp_path)
    index = read(tmp_path, data)
    found = zip_findings(index)
    assert [f.code for f in found] == ["zip-directory-conflict"]
    assert found[0].members == (EXPORT_ITSELF,)
    assert f"a directory of {size + 8:,} bytes (the ZIP64 end record: {size:,})" in found[0].detail
    assert f"the directory at byte {offset + 8:,}" in found[0].detail
    assert "unzip reads the end record's values" in found[0].detail
    assert [m.path for m in index.members] == ["a.csv", "b.txt"]  # read on all the same
    count_only = zip64_tail(entries, plain=(3, 0xFFFFFFFF, 0xFFFFFFFF))
    found = zip_findings(read(tmp_path, count_only))
    assert [f.code for f in found] == ["zip-directory-conflict"]
    assert "the end record gives 3 members (the ZIP64 end record: 2)" in found[0].detail


def zipfile_commented(comment: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.csv", TEXT)
        zf.writestr("dir/b.csv", TEXT)
        zf.comment = comment
    return buf.getvalue()


@pytest.mark.parametrize("case", ["signature alone", "copy of the end record"])
def test_an_end_record_signature_in_the_archive_comment_is_a_conflict(
    tmp_path: Path, case: str
) -> None:
    if case == "signature alone":
        comment = b"PK\x05\x06 this comment mentions the signature"
    else:
        plain = zipfile_commented(b"")
        comment = b"note: " + plain[-22:] + b" end"
    data = zipfile_commented(comment)
    assert not zipfile_accepts(data)
    index = read(tmp_path, data)
    found = zip_findings(index)
    assert [f.code for f in found] == ["zip-directory-conflict"]
    assert found[0].members == (EXPORT_ITSELF,)
    sig_at = data.rindex(b"PK\x05\x06")
    assert f"comment holds the end record's signature (PK\\x05\\x06) at byte {sig_at:,}" in (
        found[0].detail
    )
    assert [m.path for m in index.members] == ["a.csv", "dir/b.csv"]


# ---------------------------------------------------------------------- 2. unlisted bytes


def unlisted(index: ExportIndex) -> Finding:
    found = [f for f in index.read_findings if f.code == "zip-unlisted-bytes"]
    assert found, f"no zip-unlisted-bytes in {[f.code for f in index.read_findings]}"
    return found[0]


def zipfile_streamed(method: int, force_zip64: bool) -> bytes:
    out = Pipe()
    with zipfile.ZipFile(out, "w", method) as zf:
        for i in range(3):
            with zf.open(f"part{i}.csv", "w", force_zip64=force_zip64) as fh:
                fh.write(TEXT * (i + 1))
    return bytes(out.data)


def zipfile_written(method: int, force_zip64: bool) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        zf.writestr("folder/", b"")
        for i in range(3):
            with zf.open(f"folder/part{i}.csv", "w", force_zip64=force_zip64) as fh:
                fh.write(TEXT * (i + 1))
        zf.comment = b"written by the export pipeline"
    return buf.getvalue()


FAIR = {
    "zipfile": lambda: zipfile_written(zipfile.ZIP_DEFLATED, False),
    "zipfile zip64": lambda: zipfile_written(zipfile.ZIP_DEFLATED, True),
    "zipfile stored": lambda: zipfile_written(zipfile.ZIP_STORED, False),
    "zipfile bzip2": lambda: zipfile_written(zipfile.ZIP_BZIP2, False),
    "zipfile streamed": lambda: zipfile_streamed(zipfile.ZIP_DEFLATED, False),
    "zipfile streamed zip64": lambda: zipfile_streamed(zipfile.ZIP_DEFLATED, True),
    "zipfile streamed stored": lambda: zipfile_streamed(zipfile.ZIP_STORED, True),
    "zipfile streamed lzma": lambda: zipfile_streamed(zipfile.ZIP_LZMA, False),
}


@pytest.mark.parametrize("writer", list(FAIR))
def test_archives_zipfile_writes_have_no_unlisted_bytes(tmp_path: Path, writer: str) -> None:
    data = FAIR[writer]()
    if "streamed" in writer:
        assert b"PK\x07\x08" in data  # data descriptors
    index = read(tmp_path, data)
    assert zip_findings(index) == []
    assert all(m.readable for m in index.members if not m.path.endswith("/"))


INFO_ZIP = {
    # command, run in a folder holding `export/` (with sub-folders) and `rows.csv`
    "recursive": "zip -qr {out} export",
    "recursive zip64": "zip -qr -fz {out} export",
    "stored": "zip -qr -0 {out} export",
    "from a pipe": "cat rows.csv | zip -q {out} -",
    "to a pipe": "zip -qr - export | cat > {out}",
    "from and to a pipe": "cat rows.csv | zip -q - - | cat > {out}",
    "with a comment": "zip -qr -z {out} export < rows.csv",
}


@needs_zip
@pytest.mark.parametrize("how", list(INFO_ZIP))
def test_archives_info_zip_writes_have_no_unlisted_bytes(tmp_path: Path, how: str) -> None:
    work = tmp_path / "work"
    (work / "export" / "Retail").mkdir(parents=True)
    (work / "export" / "empty").mkdir()
    (work / "export" / "Retail" / "SearchHistory.csv").write_bytes(TEXT)
    (work / "export" / "notes.txt").write_bytes(b"hello\n")
    (work / "rows.csv").write_bytes(TEXT * 3)
    out = tmp_path / "out.zip"
    subprocess.run(INFO_ZIP[how].format(out=out), shell=True, cwd=work, check=True)
    index = read_export(out, Limits())
    assert zip_findings(index) == []
    assert index.members and all(m.readable for m in index.members if not m.path.endswith("/"))


def test_archives_exportkit_writes_have_no_unlisted_bytes(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "sample_archives"))
    import exportkit as kit

    inner = kit.zip_bytes([("inner.csv", TEXT)], compression=zipfile.ZIP_STORED)
    members: list[tuple[str | zipfile.ZipInfo, bytes]] = [
        ("Retail/SearchHistory.csv", TEXT),
        ("old/inner.zip", inner),
        (kit.zip_info("Alexa/link", mode=0o120777), b"../x"),
    ]
    index = read(tmp_path, kit.zip_bytes(members))
    assert [f.code for f in zip_findings(index)] == ["zip-symlink"]
    for sample in sorted((ROOT / "sample_archives").glob("*/export.zip")):
        index = read_export(sample, Limits())
        assert "zip-unlisted-bytes" not in {f.code for f in index.read_findings}, sample


@needs_unzip
def test_bytes_before_the_first_member(tmp_path: Path) -> None:
    plain = zipfile_written(zipfile.ZIP_DEFLATED, False)
    assert not unzip_accepts(STUB + plain, tmp_path)  # unzip warns about them too
    for data in (STUB + plain, zipcraft.build([Entry("a.csv", TEXT)], prefix=STUB)):
        f = unlisted(read(tmp_path, data))
        assert f.members == (EXPORT_ITSELF,)
        assert f.detail.startswith(f"{len(STUB)} bytes before the first member")
        assert "unchecked" in f.detail


def test_bytes_between_members_and_before_the_directory(tmp_path: Path) -> None:
    data = zipcraft.build(
        [
            Entry("a.txt", b"alpha", after=b"\x00" * 95 + b"\x01"),  # one byte not zero
            Entry("b.txt", b"beta"),
            Entry("c.txt", b"gamma", after=b"hidden words" * 3),
        ]
    )
    index = read(tmp_path, data)
    f = unlisted(index)
    assert f.detail.startswith(
        "96 bytes between 'a.txt' and 'b.txt', 36 bytes between 'c.txt' and the central "
        "directory (132 bytes in all)"
    )
    assert f.members == (EXPORT_ITSELF,)
    assert all(m.readable for m in index.members)  # the members themselves are sound


def test_zero_bytes_outside_the_members_are_no_finding(tmp_path: Path) -> None:
    """Zeros carry nothing, wherever they lie (some writers pad before the directory)."""
    zeros = b"\x00" * 100
    data = zipcraft.build(
        [
            Entry("a.txt", b"alpha", method=STORED, after=zeros),
            Entry("b.txt", b"beta", method=STORED, after=zeros),
        ],
        prefix=zeros,
    )
    assert zipfile_accepts(data)
    index = read(tmp_path, data)
    assert zip_findings(index) == []
    assert [m.path for m in index.members if m.readable] == ["a.txt", "b.txt"]
    # the same runs with a word in one are counted, that one alone
    marked = data.replace(b"beta" + zeros, b"beta" + zeros[:50] + b"x" + zeros[51:])
    assert unlisted(read(tmp_path, marked)).detail.startswith(
        "100 bytes between 'b.txt' and the central directory belong to no member"
    )


@pytest.mark.parametrize("mark", [b"PK\x07\x08", b"PK00"], ids=["spanning", "temporary"])
def test_a_split_archive_marker_at_the_start_is_no_unlisted_bytes(
    tmp_path: Path, mark: bytes
) -> None:
    """APPNOTE lets a writer that can split archives open one it wrote whole with a 4-byte
    marker: it belongs to the archive. Only that marker, only at the start."""
    entries = [Entry("a.csv", TEXT), Entry("b.csv", TEXT)]
    data = zipcraft.build(entries, prefix=mark)
    assert zipfile_accepts(data)
    index = read(tmp_path, data)
    assert zip_findings(index) == []
    assert [m.path for m in index.members if m.readable] == ["a.csv", "b.csv"]
    more = unlisted(read(tmp_path, zipcraft.build(entries, prefix=mark + b"#")))
    assert more.detail.startswith("1 byte before the first member belongs to no member")
    late = unlisted(read(tmp_path, zipcraft.build(entries, prefix=b"#" + mark)))
    assert late.detail.startswith("5 bytes before the first member")


def test_bytes_after_the_end_of_the_archive(tmp_path: Path) -> None:
    data = zipfile_written(zipfile.ZIP_DEFLATED, False) + b"\x00" * 29 + b"x"
    f = unlisted(read(tmp_path, data))
    assert f.detail.startswith("30 bytes after the end of the archive")


def padded(data: bytes, block: int = 10240) -> bytes:
    """`data` padded with zero bytes to whole blocks, as bsdtar writes an archive to a pipe."""
    return data + bytes(-len(data) % block)


def test_zero_padding_after_the_end_of_the_archive_is_no_finding(tmp_path: Path) -> None:
    archive = zipfile_written(zipfile.ZIP_DEFLATED, False)
    data = padded(archive)
    pad = len(data) - len(archive)
    assert pad > 5000 and zipfile_accepts(data)
    index = read(tmp_path, data)
    assert zip_findings(index) == []
    assert [m.path for m in index.members if m.path.endswith(".csv")] == [
        f"folder/part{i}.csv" for i in range(3)
    ]
    # one byte that is not zero, anywhere in the padding, is still unlisted (all of it)
    at = len(archive) + pad // 2
    marked = data[:at] + b"\x01" + data[at + 1 :]
    f = unlisted(read(tmp_path, marked))
    assert f.detail.startswith(f"{pad:,} bytes after the end of the archive")


def test_zeros_past_the_end_record_window_are_read_in_chunks(tmp_path: Path) -> None:
    from reviewer.archive.directory import END_TAIL, ZERO_CHUNK, read_directory

    archive = zipfile_written(zipfile.ZIP_DEFLATED, False)
    data = padded(archive, 4 << 20)  # 4 MB blocks: the end record far before the last byte
    assert len(data) - len(archive) > 3 * ZERO_CHUNK
    reads: list[int] = []

    def at(offset: int, n: int) -> bytes:
        reads.append(n)
        return data[offset : offset + n]

    found = read_directory(at, len(data), 100)
    assert [e.name for e in found.entries][-1] == "folder/part2.csv" and found.outside == []
    assert max(reads) <= max(ZERO_CHUNK, END_TAIL)  # never the zeros at once
    index = read(tmp_path, data)
    assert [m.path for m in index.members if m.path.endswith(".csv")] == [
        f"folder/part{i}.csv" for i in range(3)
    ]


@needs_unzip
@pytest.mark.parametrize("pad", [65_536, 65_600, 70_000, 73_000, 80_000, 1 << 20])
def test_padding_that_unzip_and_zipfile_see_no_end_record_behind_is_a_finding(
    tmp_path: Path, pad: int
) -> None:
    # zipfile looks for the end record in the last 65,558 bytes, unzip in the last 66,000
    # (rounded out to its 8 KiB reads): behind longer zero padding, neither opens the file
    archive = zipfile_written(zipfile.ZIP_DEFLATED, False)
    data = archive + bytes(pad)
    refused = not zipfile_accepts(data) and not unzip_accepts(data, tmp_path)
    index = read(tmp_path, data)
    assert [m.path for m in index.members if m.path.endswith(".csv")] == [
        f"folder/part{i}.csv" for i in range(3)
    ]
    found = zip_findings(index)
    if not refused:
        assert found == []
        return
    assert [f.code for f in found] == ["zip-directory-conflict"]
    assert found[0].members == (EXPORT_ITSELF,)
    assert f"behind {pad:,} zero bytes of padding" in found[0].detail
    assert "neither opens the archive" in found[0].detail


@pytest.mark.skipif(shutil.which("bsdtar") is None, reason="bsdtar is not installed")
def test_an_archive_bsdtar_wrote_to_a_pipe(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "Alexa").mkdir(parents=True)
    (src / "Alexa" / "history.csv").write_bytes(TEXT)
    (src / "manifest.json").write_text('{"files": ["Alexa/history.csv"]}')
    piped = subprocess.run(
        "bsdtar --format zip -cf - manifest.json Alexa | cat",
        shell=True,
        cwd=src,
        capture_output=True,
        check=True,
    ).stdout
    assert len(piped) % 10240 == 0 and piped.endswith(bytes(100))
    index = read(tmp_path, piped)
    assert zip_findings(index) == []
    assert {m.path for m in index.members} >= {"manifest.json", "Alexa/history.csv"}


def descriptor(data: bytes, packed: bytes, *, signed: bool = True, wide: bool = False) -> bytes:
    sizes = struct.pack("<QQ" if wide else "<II", len(packed), len(data))
    return (b"PK\x07\x08" if signed else b"") + struct.pack("<I", zlib.crc32(data)) + sizes


@pytest.mark.parametrize(
    ("signed", "wide"), [(True, False), (True, True), (False, False), (False, True)]
)
def test_a_data_descriptor_belongs_to_its_member(tmp_path: Path, signed: bool, wide: bool) -> None:
    packed = zipcraft.deflate(TEXT)
    after = descriptor(TEXT, packed, signed=signed, wide=wide)
    entries = [Entry("a.csv", TEXT, flags=0x8, after=after), Entry("b.txt", b"beta")]
    assert zip_findings(read(tmp_path, zipcraft.build(entries))) == []
    # a descriptor is only its own bytes: what follows it is still unlisted
    entries[0].after = after + b"junk"
    assert unlisted(read(tmp_path, zipcraft.build(entries))).detail.startswith(
        "4 bytes between 'a.csv' and 'b.txt'"
    )


def test_a_descriptor_that_does_not_describe_its_member_is_unlisted(tmp_path: Path) -> None:
    packed = zipcraft.deflate(TEXT)
    wrong = descriptor(TEXT + b"x", packed)
    entries = [Entry("a.csv", TEXT, flags=0x8, after=wrong), Entry("b.txt", b"beta")]
    assert unlisted(read(tmp_path, zipcraft.build(entries))).detail.startswith(
        "16 bytes between 'a.csv' and 'b.txt'"
    )


def test_a_descriptor_without_flag_bit_3_is_unlisted(tmp_path: Path) -> None:
    after = descriptor(TEXT, zipcraft.deflate(TEXT))
    entries = [Entry("a.csv", TEXT, after=after), Entry("b.txt", b"beta")]
    assert unlisted(read(tmp_path, zipcraft.build(entries))).detail.startswith("16 bytes between")


def test_unlisted_bytes_in_a_nested_archive_name_it(tmp_path: Path) -> None:
    inner = zipcraft.build([Entry("x.csv", TEXT, after=b"?" * 12), Entry("y.csv", TEXT)])
    data = zipcraft.build([Entry("old/inner.zip", inner, method=STORED), Entry("a.csv", TEXT)])
    f = unlisted(read(tmp_path, data))
    assert f.members == ("old/inner.zip",)
    assert f.detail.startswith("nested archive 'old/inner.zip': 12 bytes between 'x.csv' and")


def test_bytes_a_misplaced_local_header_leaves_are_unlisted(tmp_path: Path) -> None:
    # a member whose local header is not where the directory says: its hazard, and the bytes
    # where its header really is belong to no member (nothing reads them)
    entries = [Entry("a.txt", b"alpha", offset=3), Entry("b.txt", b"beta")]
    index = read(tmp_path, zipcraft.build(entries))
    (mismatch,) = [f for f in index.read_findings if f.code == "zip-header-mismatch"]
    assert mismatch.members == ("a.txt",)
    assert "no local header where the central directory points" in mismatch.detail
    header = len(zipcraft.local_header(b"a.txt", 8, 0, 0, 0))
    assert unlisted(index).detail.startswith(
        f"{header + len(zipcraft.deflate(b'alpha'))} bytes before the first member"
    )


def test_members_past_a_local_header_cut_off_are_not_called_unlisted(tmp_path: Path) -> None:
    # a member whose data runs past the end of the archive: nobody knows where its bytes
    # end, so no run after it is counted (the runs before it still are)
    entries = [
        Entry("a.txt", b"alpha", after=b"hidden words" * 3),
        Entry("b.txt", b"beta", csize=1 << 20),
        Entry("c.txt", b"gamma", after=b"x" * 40),
    ]
    index = read(tmp_path, zipcraft.build(entries))
    (cut,) = [f for f in index.read_findings if f.code == "zip-truncated"]
    assert cut.members == ("b.txt",) and "runs past the end" in cut.detail
    assert unlisted(index).detail.startswith(
        "36 bytes between 'a.txt' and 'b.txt' belong to no member"
    )


HIDDEN = b"HIDDEN: other customer jane.doe@example.com A9ZZZZZZZZZZZZ\n" * 3


def hidden_between(*more: Entry) -> bytes:
    """Another customer's words between two members and before the directory, then `more`."""
    return zipcraft.build(
        [
            Entry("a.txt", TEXT, method=STORED, after=HIDDEN),
            Entry("b.txt", TEXT, method=STORED, after=HIDDEN),
            *more,
        ]
    )


@pytest.mark.parametrize("where", ["junk", "past the end"])
def test_a_folder_with_no_local_header_does_not_hide_unlisted_bytes(
    tmp_path: Path, where: str
) -> None:
    """A folder entry that points at no local header (unzip: "bad zipfile offset") is a
    finding of its own, and the bytes outside the members are still counted."""
    plain = hidden_between()
    junk = plain.index(HIDDEN)  # another customer's words, where no header is
    offset = junk if where == "junk" else len(plain) + 1000
    data = hidden_between(Entry("x/", b"", method=STORED, offset=offset))
    index = read(tmp_path, data)
    code, why = (
        ("zip-header-mismatch", "no local header where the central directory points")
        if where == "junk"
        else ("zip-truncated", "its local header lies beyond the end of the archive")
    )
    (folder,) = [f for f in index.read_findings if f.code == code]
    assert folder.members == ("x/",) and why in folder.detail
    f = unlisted(index)
    assert f.detail.startswith(f"{len(HIDDEN)} bytes between 'a.txt' and 'b.txt'")
    assert "between 'b.txt' and the central directory" in f.detail
    assert f.members == (EXPORT_ITSELF,)
    if shutil.which("unzip"):
        assert not unzip_accepts(data, tmp_path)


# ---------------------------------------------------------------------- 3. whole archive


def test_a_truncated_export_names_the_export(tmp_path: Path) -> None:
    data = zipcraft.build([Entry("a.csv", TEXT), Entry("b.bin", bytes(range(256)) * 20)])
    index = read(tmp_path, data[: data.index(b"PK\x01\x02") - 10])
    f = next(f for f in index.read_findings if f.code == "zip-truncated")
    assert f.members[0] == EXPORT_ITSELF  # then the member cut short


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4 not a zip"], ids=["empty", "pdf"])
def test_an_unreadable_export_names_the_export(tmp_path: Path, data: bytes) -> None:
    f = next(f for f in read(tmp_path, data).read_findings if f.code == "zip-unreadable")
    assert f.members == (EXPORT_ITSELF,)


def test_a_truncated_nested_archive_names_the_nested_archive(tmp_path: Path) -> None:
    inner = zipcraft.build([Entry("x.csv", TEXT), Entry("y.csv", TEXT)])
    cut = inner[: inner.index(b"PK\x01\x02") - 4]
    data = zipcraft.build([Entry("old/inner.zip", cut, method=STORED), Entry("a.csv", TEXT)])
    f = next(f for f in read(tmp_path, data).read_findings if f.code == "zip-truncated")
    assert f.members[0] == "old/inner.zip"  # then the member cut short


# ---------------------------------------------------------------------- 4. NUL in a name


def test_a_nul_byte_in_a_name_has_its_own_code(tmp_path: Path) -> None:
    index = read(tmp_path, zipcraft.build([Entry(b"a.csv\x00.txt", TEXT), Entry("b.csv", TEXT)]))
    codes = {f.code for f in index.read_findings}
    assert "zip-nul-in-name" in codes and "zip-traversal" not in codes
    f = next(f for f in index.read_findings if f.code == "zip-nul-in-name")
    assert f.members == ("a.csv\x00.txt",)


# ---------------------------------------------------------------------- 5. read failures


def zipfile_member(method: int, data: bytes = TEXT) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("bbb", data, compress_type=method)
        zf.writestr("ok.csv", TEXT)
    return buf.getvalue()


def spoil(data: bytes, start: int, garbage: bytes) -> bytes:
    out = bytearray(data)
    out[start : start + len(garbage)] = garbage
    return bytes(out)


def directory_flag(data: bytes, flag: int) -> bytes:
    """`flag` set in the first central record's general purpose bits."""
    out = bytearray(data)
    at = data.index(b"PK\x01\x02") + 8
    struct.pack_into("<H", out, at, struct.unpack_from("<H", out, at)[0] | flag)
    return bytes(out)


DATA_AT = 30 + len("bbb")
CRC_IN_DIRECTORY = zipfile_member(zipfile.ZIP_BZIP2).index(b"PK\x01\x02") + 16
FAILURES = {
    # case: (archive, code, the words the detail starts with after the name, the reason)
    "deflate": (
        zipcraft.build([Entry("bbb", TEXT, compressed=b"\x07" * 40), Entry("ok.csv", TEXT)]),
        "zip-corrupt",
        "has damaged compressed data that cannot be inflated",
        "(inflate: ",
    ),
    "deflate cut off": (
        zipcraft.build(
            [Entry("bbb", TEXT, compressed=zipcraft.deflate(TEXT)[:20]), Entry("ok.csv", TEXT)]
        ),
        "zip-truncated",
        "is cut off",
        "deflate stream",
    ),
    "bzip2": (
        spoil(zipfile_member(zipfile.ZIP_BZIP2), DATA_AT + 4, b"\xff" * 8),
        "zip-corrupt",
        "has damaged compressed data that cannot be inflated",
        "(OSError: Invalid data stream)",
    ),
    "lzma": (
        spoil(zipfile_member(zipfile.ZIP_LZMA), DATA_AT + 12, b"\xff" * 8),
        "zip-corrupt",
        "has damaged LZMA data that cannot be inflated",
        "(LZMAError: ",
    ),
    "bzip2 crc": (
        spoil(zipfile_member(zipfile.ZIP_BZIP2), CRC_IN_DIRECTORY, b"\x00\x00\x00\x00"),
        "zip-bad-crc",
        "inflates to bytes that fail their CRC check",
        "(BadZipFile: Bad CRC-32 for file 'bbb')",
    ),
    "patched data": (
        directory_flag(zipfile_member(zipfile.ZIP_BZIP2), 0x20),
        "zip-unsupported-compression",
        "holds compressed patched data",
        "(flag bit 5): only the changes against another file",
    ),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_member_that_cannot_be_read_says_why_in_words(tmp_path: Path, case: str) -> None:
    data, code, words, reason = FAILURES[case]
    index = read(tmp_path, data)
    f = next((f for f in index.read_findings if "bbb" in f.members), None)
    assert f is not None, [(g.code, g.detail) for g in index.read_findings]
    assert (f.code, f.detail.split(" (")[0].split(":")[0]) == (code, f"'bbb' {words}")
    assert reason in f.detail
    ok = index.member("ok.csv")
    assert ok is not None and ok.readable


def test_every_read_error_is_said_in_words_before_its_reason() -> None:
    samples: list[BaseException] = [
        zlib.error("Error -3 while decompressing data: invalid stored block lengths"),
        EOFError("Compressed file ended before the end-of-stream marker was reached"),
        OSError(5, "Input/output error"),
        OSError("Invalid data stream"),
        ValueError("negative seek value -1"),
        NotImplementedError("strong encryption (flag bit 6)"),
        RuntimeError("File 'bbb' is encrypted, password required for extraction"),
        RuntimeError("something else"),
    ]
    samples += [
        inflater.error("Error -3 while decompressing data: invalid block type"),
        lzma.LZMAError("Corrupt input data"),
        zipfile.BadZipFile("Bad magic number for file header"),
    ]
    covered = {t for t in READ_ERRORS if any(isinstance(e, t) for e in samples)}
    assert covered == set(READ_ERRORS)
    for exc in samples:
        code, words = read_failure(exc)
        assert code.startswith("zip-")
        sentence, _, reason = words.partition(" (")
        assert sentence and sentence[0].islower() and len(sentence.split()) >= 4, words
        assert str(exc) in reason and reason.endswith(")"), words


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Alexa/VoiceHistory.csv", set()),
        ("a..b/c..d.txt", set()),
        ("ab:c.txt", set()),
        ("x:y.txt", {"zip-absolute-path"}),
        ("../x", {"zip-traversal"}),
        ("a/../../x", {"zip-traversal"}),
        ("a\\..\\x", {"zip-traversal", "zip-backslash"}),
        ("/etc/passwd", {"zip-absolute-path"}),
        ("\\x", {"zip-absolute-path", "zip-backslash"}),
        ("C:/Windows/x", {"zip-absolute-path"}),
        ("c:x", {"zip-absolute-path"}),
        ("a\\b", {"zip-backslash"}),
        ("a\x00b.csv", {"zip-nul-in-name"}),
        ("\x00", {"zip-nul-in-name"}),
        ("/a\x00/../b", {"zip-nul-in-name", "zip-traversal", "zip-absolute-path"}),
    ],
)
def test_name_hazards_common_case_filter_passes_every_hazard(name: str, expected: set[str]) -> None:
    """name_hazards returns early for ordinary names: the filter must let every name through
    that any of its rules would flag (a NUL, a drive, a leading slash, a backslash, ..)."""
    from reviewer.archive.hazards import Hazards
    from reviewer.archive.planner import name_hazards

    hz = Hazards()
    name_hazards(hz, name, name)
    assert hz.codes() == expected


# ------------------------------------------------------------------ names as unzip reads them


def unzip_names(data: bytes, tmp_path: Path) -> list[str]:
    """The names Info-ZIP's unzip lists (and would write), as UTF-8."""
    archive = tmp_path / "names.zip"
    archive.write_bytes(data)
    out = subprocess.run(["unzip", "-Z1", str(archive)], capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace").splitlines()


def test_an_unflagged_utf8_name_from_unix_is_utf8_and_from_dos_cp437(tmp_path: Path) -> None:
    """Info-ZIP's zip on Linux stores UTF-8 names without the UTF-8 flag; unzip reads them as
    they are. A name from MS-DOS or Windows without the flag is in its OEM code page."""
    name = "Retail/Wunschliste-Sofía.txt"
    unix = zipcraft.build([Entry(name.encode("utf-8"), b"notes\n", system=3)])
    assert zipfile_accepts(unix) and unzip_accepts(unix, tmp_path)
    assert unzip_names(unix, tmp_path) == [name]
    index = read(tmp_path, unix)
    assert [m.path for m in index.members] == [name]
    assert zip_findings(index) == []

    dos = zipcraft.build([Entry("Retail/Café.txt".encode("cp437"), b"notes\n", system=0)])
    assert [m.path for m in read(tmp_path, dos).members] == ["Retail/Café.txt"]
    # bytes that are no UTF-8 from a Unix system: cp437, as before
    latin = zipcraft.build([Entry("Retail/Café.txt".encode("latin-1"), b"notes\n", system=3)])
    assert [m.path for m in read(tmp_path, latin).members] == ["Retail/CafΘ.txt"]


def with_unicode_path(stored: bytes, name: str, system: int = 3) -> Entry:
    """A member whose headers both carry a Unicode Path field naming `name` (as Info-ZIP's
    zip and 7-Zip write it)."""
    field_ = zipcraft.unicode_path(name, stored)
    return Entry(stored, b"x\n", extra=field_, central_extra=field_, system=system)


def test_a_unicode_path_field_names_the_member_and_both_names_are_judged(
    tmp_path: Path,
) -> None:
    """unzip writes the name in a Unicode Path extra field whose CRC matches the stored name;
    zipfile writes the stored one. A traversal behind either is found; a field whose CRC does
    not match is ignored, as unzip ignores it."""
    hidden = zipcraft.build([with_unicode_path(b"Retail/evil.txt", "../../../tmp/evil.txt")])
    assert zipfile_accepts(hidden) and unzip_accepts(hidden, tmp_path)
    assert unzip_names(hidden, tmp_path) == ["../../../tmp/evil.txt"]
    index = read(tmp_path, hidden)
    assert [f.code for f in zip_findings(index)] == ["zip-traversal"]
    assert zip_findings(index)[0].members == ("../../../tmp/evil.txt",)

    disguised = zipcraft.build([with_unicode_path(b"../escape.txt", "Retail/ok.txt")])
    (traversal,) = zip_findings(read(tmp_path, disguised))
    assert traversal.code == "zip-traversal" and "'../escape.txt' climbs out" in traversal.detail

    # the field's usual use: the stored name in the writer's code page, the real one in UTF-8
    legacy = "Retail/Sofía.txt".encode("cp437")
    fair = zipcraft.build([with_unicode_path(legacy, "Retail/Sofía.txt", system=0)])
    assert unzip_accepts(fair, tmp_path)
    index = read(tmp_path, fair)
    assert [m.path for m in index.members] == ["Retail/Sofía.txt"]
    assert zip_findings(index) == []

    stale = zipcraft.build(
        [Entry(b"Retail/a.txt", b"x\n", central_extra=zipcraft.unicode_path("../x", b"other"))]
    )
    assert unzip_accepts(stale, tmp_path) and unzip_names(stale, tmp_path) == ["Retail/a.txt"]
    index = read(tmp_path, stale)
    assert [m.path for m in index.members] == ["Retail/a.txt"]
    assert zip_findings(index) == []


def test_a_unicode_path_in_the_directory_alone_is_a_header_mismatch(tmp_path: Path) -> None:
    """Where only the central directory carries the field, the two headers name the member
    differently: unzip warns (and exits 1), and the reviewer says so too."""
    stored = b"Retail/evil.txt"
    data = zipcraft.build(
        [
            Entry(
                stored, b"x\n", central_extra=zipcraft.unicode_path("../../../tmp/evil.txt", stored)
            )
        ]
    )
    assert not unzip_accepts(data, tmp_path)
    codes = {f.code for f in zip_findings(read(tmp_path, data))}
    assert codes == {"zip-traversal", "zip-header-mismatch"}


@pytest.mark.parametrize(
    "twin", ["./Account/Profile.json", "Account//Profile.json", "Account/./Profile.json"]
)
def test_names_that_land_on_one_file_are_duplicates(twin: str, tmp_path: Path) -> None:
    """unzip writes both members to one file, and the last one wins: the reviewer cannot tell
    which profile is delivered."""
    data = zipcraft.build(
        [
            Entry("Account/Profile.json", b'{"locale": "en-GB"}'),
            Entry(twin, b'{"locale": "en-US"}'),
        ]
    )
    assert zipfile_accepts(data) and unzip_accepts(data, tmp_path)
    (dup,) = [f for f in read(tmp_path, data).read_findings if f.code == "zip-duplicate-name"]
    assert set(dup.members) == {"Account/Profile.json", twin}
    assert "unpack to the same file" in dup.detail


def test_a_folder_entry_that_holds_data_is_a_finding(tmp_path: Path) -> None:
    """unzip makes a folder of it; zipfile reads its bytes; nothing would check them."""
    payload = b"Mallory Other A9ZZ9ZZ9ZZ9ZZ9 mallory@example.com\n" * 20
    data = zipcraft.build([Entry("Alexa/", payload), Entry("Alexa/a.txt", b"x\n")])
    assert zipfile_accepts(data) and unzip_accepts(data, tmp_path)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.read("Alexa/") == payload
    (found,) = [f for f in read(tmp_path, data).read_findings if f.code == "zip-folder-with-data"]
    assert found.members == ("Alexa/",)
    assert f"holds {len(payload):,} bytes" in found.detail


@pytest.mark.parametrize(
    "method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
)
def test_empty_folder_entries_are_fine_whatever_their_method(method: int, tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as zf:
        zf.writestr(zipfile.ZipInfo("Alexa/"), b"", compress_type=method)
        zf.writestr("Alexa/a.txt", b"x\n")
    assert zip_findings(read(tmp_path, out.getvalue())) == []


def test_a_dotdot_that_comes_back_down_is_named_for_what_it_does(tmp_path: Path) -> None:
    data = zipcraft.build([Entry("Retail/../Retail/Notes.txt", b"x\n")])
    (found,) = [f for f in read(tmp_path, data).read_findings if f.code == "zip-traversal"]
    assert "back down: tools disagree on where it lands" in found.detail


def test_a_name_in_the_local_header_alone_is_judged_too(tmp_path: Path) -> None:
    """Tools that stream an archive read its local headers: a traversal there, behind a
    Unicode Path field or in its stored name, is found, and the headers disagree."""
    central = b"p.json"
    local = b"../../evil.json"
    both = Entry(
        central,
        b"{}",
        local_name=local,
        extra=zipcraft.unicode_path("Account/Profile.json", local),
        central_extra=zipcraft.unicode_path("Account/Profile.json", central),
    )
    codes = {f.code for f in zip_findings(read(tmp_path, zipcraft.build([both])))}
    assert codes == {"zip-header-mismatch", "zip-traversal"}

    local_only = Entry(b"x.json", b"{}", extra=zipcraft.unicode_path("../y.json", b"x.json"))
    codes = {f.code for f in zip_findings(read(tmp_path, zipcraft.build([local_only])))}
    assert codes == {"zip-header-mismatch", "zip-traversal"}


def test_stored_names_behind_a_unicode_path_are_duplicates_too(tmp_path: Path) -> None:
    """zipfile and Java list the stored names: two members stored as one name are duplicates
    whatever their Unicode Path fields say."""
    stored = b"Account/Profile.json"
    data = zipcraft.build(
        [Entry(stored, b"{}"), with_unicode_path(stored, "Account/Profile2.json")]
    )
    (dup,) = [f for f in read(tmp_path, data).read_findings if f.code == "zip-duplicate-name"]
    assert set(dup.members) == {"Account/Profile.json", "Account/Profile2.json"}


@pytest.mark.parametrize(
    "twin",
    [
        "account/profile.json",
        "Account/Profile.json.",
        "Account/Profile.json ",
        "Account/Cafe\u0301",
    ],
    ids=["case", "trailing-dot", "trailing-space", "nfd"],
)
def test_names_windows_or_macos_unpack_to_one_file_are_duplicates(
    twin: str, tmp_path: Path
) -> None:
    first = "Account/Caf\u00e9" if twin.endswith("\u0301") else "Account/Profile.json"
    data = zipcraft.build([Entry(first, b"{}"), Entry(twin, b"{}")])
    (dup,) = [f for f in read(tmp_path, data).read_findings if f.code == "zip-duplicate-name"]
    assert set(dup.members) == {first, twin}


def test_bzip2_and_lzma_members_share_one_zipfile_across_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bzip2 and LZMA members are inflated through zipfile. Two reading threads once made a
    ZipFile each on the same file at the same time, and each moved the file under the other:
    about 1 check in 7 of such an archive said "Bad magic number for central directory"
    (zip-corrupt) on a sound member. One ZipFile serves every thread now."""
    import threading

    from reviewer.archive import container

    made: list[object] = []
    real = zipfile.ZipFile

    class SlowZipFile(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            made.append(self)
            time.sleep(0.2)  # every thread arrives while the first one is still making it
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(zipfile, "ZipFile", SlowZipFile)
    archive = tmp_path / "export.zip"
    with real(archive, "w") as zf:
        for i in range(4):
            zf.writestr(f"a{i}.txt", b"x" * 100, compress_type=zipfile.ZIP_BZIP2)
    with archive.open("rb") as fh:
        level = container.Level(container.Source(fh.fileno()), fh, "", 0, 1 << 20)
        barrier = threading.Barrier(4)
        got: list[object] = []

        def member(entry: object) -> None:
            barrier.wait()
            got.append(level.zipfile_member(entry)[0])  # type: ignore[arg-type]

        threads = [threading.Thread(target=member, args=(e,)) for e in level.entries]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(made) == 1 and len(got) == 4 and all(z is made[0] for z in got)
    index = read(tmp_path, archive.read_bytes())
    assert zip_findings(index) == []


def test_empty_folder_entries_that_differ_in_case_are_no_duplicates(tmp_path: Path) -> None:
    """Two empty folders landing on one lose nothing; two files would."""
    data = zipcraft.build([Entry("alexa/", b""), Entry("Alexa/", b""), Entry("Alexa/a.txt", b"x")])
    assert zip_findings(read(tmp_path, data)) == []


# ------------------------------------------------- local headers against the central directory


def patch_header(data: bytes, sig: bytes, name: bytes, at: int, value: int, fmt: str) -> bytes:
    """`value` packed as `fmt` at byte `at` of the header with signature `sig` (local header
    b"PK\\x03\\x04", name at 30; central record b"PK\\x01\\x02", name at 46) of member `name`."""
    start = 30 if sig == b"PK\x03\x04" else 46
    off = data.index(sig)
    while data[off + start : off + start + len(name)] != name:
        off = data.index(sig, off + 1)
    out = bytearray(data)
    struct.pack_into(fmt, out, off + at, value)
    return bytes(out)


def local_crc(data: bytes, name: bytes, crc: int) -> bytes:
    return patch_header(data, b"PK\x03\x04", name, 14, crc, "<I")


def central_crc(data: bytes, name: bytes, crc: int) -> bytes:
    return patch_header(data, b"PK\x01\x02", name, 16, crc, "<I")


def with_folder() -> bytes:
    return zipcraft.build([Entry("a.txt", TEXT, method=STORED), Entry("x/", b"", method=STORED)])


def test_a_folder_whose_local_header_gives_another_crc_is_a_header_mismatch(
    tmp_path: Path,
) -> None:
    data = local_crc(with_folder(), b"x/", 0x1234)
    if shutil.which("unzip"):
        assert not unzip_accepts(data, tmp_path)  # "bad CRC 00000000 (should be 00001234)"
    (f,) = [f for f in read(tmp_path, data).read_findings if f.code == "zip-header-mismatch"]
    assert f.members == ("x/",)
    assert "local header says CRC-32 00001234, the central directory 00000000" in f.detail


def test_an_empty_folder_with_a_crc_recorded_fails_its_crc_check(tmp_path: Path) -> None:
    data = central_crc(with_folder(), b"x/", 0x1234)
    assert not zipfile_accepts(data)  # zipfile: "Bad CRC-32 for file 'x/'"
    index = read(tmp_path, data)
    (f,) = [f for f in index.read_findings if f.code == "zip-bad-crc"]
    assert f.members == ("x/",)
    assert "empty folder" in f.detail and "not the recorded 00001234" in f.detail
    # both headers saying the same wrong CRC-32 is no header mismatch, but still a bad one
    both = central_crc(local_crc(with_folder(), b"x/", 0x1234), b"x/", 0x1234)
    codes = {f.code for f in zip_findings(read(tmp_path, both))}
    assert codes == {"zip-bad-crc"}


def test_a_folder_whose_local_header_gives_another_name_is_a_header_mismatch(
    tmp_path: Path,
) -> None:
    data = zipcraft.build(
        [Entry("a.txt", TEXT), Entry("x/", b"", method=STORED, local_name=b"../../etc/")]
    )
    codes = {f.code: f for f in zip_findings(read(tmp_path, data))}
    assert set(codes) == {"zip-header-mismatch", "zip-traversal"}
    assert "'x/' is called '../../etc/' in its local header" in codes["zip-header-mismatch"].detail
    assert codes["zip-traversal"].members == ("x/",)


def test_sound_folders_and_unread_members_keep_no_header_finding(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.mkdir("Alexa")
        zf.writestr("Alexa/a.txt", TEXT)
        zf.writestr(zipfile.ZipInfo("Alexa/Audio/"), b"")
    assert zip_findings(read(tmp_path, out.getvalue())) == []


def local_flags(data: bytes, name: bytes, flags: int) -> bytes:
    return patch_header(data, b"PK\x03\x04", name, 6, flags, "<H")


@pytest.mark.parametrize(
    ("flag", "said"),
    [
        (0x1, "flag bit 0 (encrypted) set"),
        (0x8, "flag bit 3 (a data descriptor follows the data) set"),
        (0x20, "flag bit 5 (compressed patched data) set"),
        (0x40, "flag bit 6 (strong encryption) set"),
    ],
)
def test_a_local_header_whose_reading_flags_differ_is_a_header_mismatch(
    tmp_path: Path, flag: int, said: str
) -> None:
    """unzip and streaming readers take the flags from the local header: one that says the
    member is encrypted, or that a descriptor follows it, reads other data than the directory
    describes (unzip fails, bsdtar asks for a passphrase)."""
    plain = zipcraft.build([Entry("a.txt", TEXT), Entry("b.txt", TEXT)])
    data = local_flags(plain, b"b.txt", flag)
    (f,) = [f for f in read(tmp_path, data).read_findings if f.code == "zip-header-mismatch"]
    assert f.members == ("b.txt",)
    assert said in f.detail and "central directory says the opposite" in f.detail
    # and the other way round: the central directory alone sets it
    bare = zipcraft.build([Entry("a.txt", TEXT), Entry("b.txt", TEXT, flags=flag)])
    index = read(tmp_path, local_flags(bare, b"b.txt", 0))
    (f,) = [f for f in index.read_findings if f.code == "zip-header-mismatch"]
    assert f.members == ("b.txt",) and said.replace(" set", " clear") in f.detail


def test_the_utf8_flag_differs_only_for_a_name_it_reads_otherwise(tmp_path: Path) -> None:
    """Flag bit 11 says the name is UTF-8: for an ASCII name it changes nothing, so the
    headers may disagree on it; for another name they read it differently."""
    for name, mismatch in (("Retail/a.txt", False), ("Retail/Größe.txt", True)):
        plain = zipcraft.build([Entry(name, TEXT, flags=0x800)])
        data = local_flags(plain, name.encode(), 0)
        codes = {f.code for f in zip_findings(read(tmp_path, data))}
        assert ("zip-header-mismatch" in codes) is mismatch, name
        if mismatch and shutil.which("unzip"):
            assert not unzip_accepts(data, tmp_path) or unzip_names(data, tmp_path) != [name]
