"""The index a well-formed export gives: reference layout, other layouts, nested archives, and
single members read on demand."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import zipfile
from pathlib import Path

import pytest
import wavcraft
import zipcraft
from test_checks_common import make_request
from zipcraft import STORED, Entry

from reviewer.archive import ArchiveError, Limits, read_export, read_member
from reviewer.domain.model import MemberKind, Severity

CUSTOMER = "A3KX9ZQ2M7T1LB"


def wav(seconds: float, rate: int = 16000) -> bytes:
    pcm = b"\x10\x00" * int(rate * seconds)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(pcm))
        + pcm
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def reference_files() -> dict[str, bytes]:
    files = {
        "Account/Profile.json": json.dumps(
            {
                "customer_id": CUSTOMER,
                "name": "Jonas Weber",
                "email": "jonas.weber@example.de",
                "locale": "de-DE",
            }
        ).encode(),
        "Devices/Devices.csv": f"customer_id,serial,type,registered_at\n{CUSTOMER},G070VM1A83120045,"
        "Fire TV Stick,2017-12-24\n".encode(),
        "Alexa/VoiceHistory.csv": (
            "\ufeffutterance_id,timestamp,customer_id,device_serial,device_type,audio_file,transcript\n"
            f"U1,2018-01-05T18:00:00Z,{CUSTOMER},G070VM1A83120045,Fire TV Stick,Alexa/Audio/U1.wav,"
            "play the news\n"
            f"U2,2018-01-06T08:00:00Z,{CUSTOMER},G070VM1A83120045,Fire TV Stick,,volume up\n"
        ).encode(),
        "Alexa/Audio/U1.wav": wav(1.25),
        "Retail/OrderHistory.csv": "customer_id;order_id;date;items;total;currency;ship_city\n"
        f"{CUSTOMER};302-1;2018-02-01;Kaffeemühle;39,99;EUR;Hannover\n".encode("latin-1"),
        "notes/readme.txt": b"Export generated for the data subject.",
    }
    manifest = {
        "export_id": "E1",
        "customer_id": CUSTOMER,
        "generated_at": "2018-08-02T09:00:00Z",
        "files": [
            {"path": p, "bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()}
            for p, d in files.items()
        ],
    }
    return {"manifest.json": json.dumps(manifest).encode(), **files}


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of(reference_files()))
    return archive


def test_reference_layout_index(reference: Path) -> None:
    index = read_export(reference, Limits())
    files = reference_files()
    assert index.read_findings == []
    assert index.archive_sha256 == hashlib.sha256(reference.read_bytes()).hexdigest()
    assert [m.path for m in index.members] == list(files)
    for m in index.members:
        assert m.readable and m.read_bytes == len(files[m.path])
        assert m.sha256 == hashlib.sha256(files[m.path]).hexdigest()
    assert index.manifest is not None and index.manifest_member == "manifest.json"
    assert index.manifest["customer_id"] == CUSTOMER
    assert index.profile == json.loads(files["Account/Profile.json"])
    kinds = {m.path: (m.kind, m.type_label) for m in index.members}
    assert kinds["Alexa/Audio/U1.wav"] == (MemberKind.AUDIO, "WAV audio")
    assert kinds["Retail/OrderHistory.csv"][0] is MemberKind.CSV
    assert kinds["notes/readme.txt"][0] is MemberKind.TEXT
    audio = index.member("Alexa/Audio/U1.wav").audio  # type: ignore[union-attr]
    assert audio is not None and audio.duration_s == 1.25 and audio.rate == 16000
    # voice history: BOM stripped, rows as recordings, audio member resolved
    assert [r.utterance_id for r in index.recordings] == ["U1", "U2"]
    r1, r2 = index.recordings
    assert r1.audio_member == "Alexa/Audio/U1.wav" and r2.audio_member == ""
    assert r1.device_serial == "G070VM1A83120045" and r1.customer_id == CUSTOMER
    assert r1.timestamp is not None and r1.timestamp.day == 5
    assert r1.source_member == "Alexa/VoiceHistory.csv" and r1.transcript == "play the news"
    # a latin-1 CSV with ; separators
    orders = index.tables["Retail/OrderHistory.csv"]
    assert orders.columns[:2] == ("customer_id", "order_id")
    first = next(orders.records())
    assert first["items"] == "Kaffeemühle" and first["total"] == "39,99"
    # the identity scan reads every readable member; parsed ones keep no second copy
    scanned = dict(index.scan_texts())
    assert "Kaffeemühle" in scanned["Retail/OrderHistory.csv"]
    assert "jonas.weber@example.de" in scanned["Account/Profile.json"]
    assert "Export generated" in scanned["notes/readme.txt"]
    assert "Alexa/Audio/U1.wav" not in scanned
    assert "Retail/OrderHistory.csv" not in index.texts and "notes/readme.txt" in index.texts
    assert index.texts_truncated == []


def test_other_layout_json_histories_and_nested_archive(tmp_path: Path) -> None:
    history = {
        "account": CUSTOMER,
        "interactions": [
            {
                "utteranceId": "V1",
                "time": "2018-03-01T10:00:00Z",
                "deviceSerial": "S1",
                "audioFile": "audio/V1.ogg",
                "text": "hello",
                "extra": {"k": 1},
            },
            {
                "utteranceId": "V2",
                "time": "2018-03-02T10:00:00Z",
                "deviceSerial": "S2",
                "audioFile": "",
                "text": "goodbye",
                "confidence": 0.5,
            },
        ],
    }
    inner = zipcraft.zip_of(
        {
            "history/voice.json": json.dumps(history).encode(),
            "audio/V1.ogg": wavcraft.written(0.5, 16000, 1, "OGG", "VORBIS"),
            "user_profile.json": json.dumps({"customerId": CUSTOMER, "name": "Jonas"}).encode(),
        }
    )
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        zipcraft.zip_of(
            {
                "orders.json": json.dumps(
                    [{"id": 1, "city": "Hannover"}, {"id": 2, "city": None}]
                ).encode(),
                "pipeline-b.zip": inner,
                "README": b"plain words, no extension",
            }
        )
    )
    index = read_export(archive, Limits())
    codes = [f.code for f in index.read_findings]
    assert codes == ["zip-nested"]
    voice = "pipeline-b.zip!history/voice.json"
    assert index.tables[voice].columns[:3] == ("utteranceId", "time", "deviceSerial")
    assert list(index.tables[voice].values("confidence"))[1] == "0.5"
    assert index.json_docs[voice]["account"] == CUSTOMER
    assert [(r.utterance_id, r.device_serial, r.audio_member) for r in index.recordings] == [
        ("V1", "S1", "pipeline-b.zip!audio/V1.ogg"),
        ("V2", "S2", ""),
    ]
    ogg = index.member("pipeline-b.zip!audio/V1.ogg")
    assert ogg is not None and ogg.kind is MemberKind.AUDIO and ogg.audio is not None
    assert ogg.audio.format == "ogg"
    assert index.profile == {"customerId": CUSTOMER, "name": "Jonas"}
    assert list(index.tables["orders.json"].records()) == [
        {"id": "1", "city": "Hannover"},
        {"id": "2", "city": ""},
    ]
    assert index.member("README").kind is MemberKind.TEXT  # type: ignore[union-attr]
    assert index.manifest is None
    # a table whose "id" is an order id is not a voice history
    assert all(r.source_member == voice for r in index.recordings)


def test_a_device_given_as_an_object_gives_its_serial_and_type(tmp_path: Path) -> None:
    # Another pipeline nests the device: {"serial": ..., "type": ...}. The recording keeps the
    # serial (and the type, unless the row has its own); a device given as a string stays.
    history = [
        {"id": "V1", "time": "2018-11-01T20:05:12Z", "device": {"serial": "G090", "type": "Dot"}},
        {"id": "V2", "time": "2018-11-02T20:05:12Z", "device": {"serialNumber": " G091 "}},
        {"id": "V3", "time": "2018-11-03T20:05:12Z", "device": {"type": "Show"}},
        {"id": "V4", "time": "2018-11-04T20:05:12Z", "device": "G092"},
        {"id": "V5", "time": "2018-11-05T20:05:12Z", "device": {"id": 77}, "model": "Spot"},
        {"id": "V6", "time": "2018-11-06T20:05:12Z", "device": "{not json"},
    ]
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({"alexa/voice-history.json": json.dumps(history).encode()}))
    index = read_export(archive, Limits())
    assert [(r.utterance_id, r.device_serial, r.device_type) for r in index.recordings] == [
        ("V1", "G090", "Dot"),
        ("V2", "G091", ""),
        ("V3", "", "Show"),
        ("V4", "G092", ""),
        ("V5", "77", "Spot"),
        ("V6", "{not json", ""),
    ]


def test_text_caps(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        zipcraft.zip_of(
            {
                "a.txt": b"a" * 5000,
                "b.txt": b"b" * 5000,
                "c.txt": b"c" * 5000,
                "d.json": json.dumps({"k": "v" * 6000}).encode(),
            }
        )
    )
    index = read_export(archive, Limits(max_text_bytes=4000, max_total_text_bytes=9000))
    assert len(index.texts["a.txt"]) == 4000
    assert sum(len(t) for t in index.texts.values()) <= 9000
    assert set(index.texts_truncated) >= {"a.txt", "b.txt", "c.txt"}
    assert index.json_docs["d.json"]["k"] == "v" * 6000  # parsed whole
    assert dict(index.scan_texts())["d.json"].count("v") == 6000  # and scanned whole
    # what the identity checks did not see would reach the requester unchecked: it blocks
    [unchecked] = [f for f in index.read_findings if f.code == "text-too-large"]
    assert unchecked.severity is Severity.CRITICAL
    assert set(unchecked.members) == set(index.texts_truncated) >= {"a.txt", "b.txt", "c.txt"}
    assert (
        "a.txt: the identity checks read only the first 4,000 characters of its 5,000 bytes "
        "(one member's limit)" in unchecked.detail
    )
    assert "the archive's 9,000 characters of text were used up" in unchecked.detail


def test_rows_past_the_text_limit_are_never_a_silent_pass(tmp_path: Path) -> None:
    """A table longer than the text read of one member: its first rows are the requester's,
    another customer's rows come after the limit. The export blocks, naming the table."""
    from reviewer.domain.checks import run_checks
    from reviewer.domain.report import verdict_for

    rows = "".join(f"A3KX9ZQ2M7T1LB,2018-03-{d % 28 + 1:02d},query {d}\n" for d in range(400))
    tail = "A2MZ8T4KQ9XR3P,2018-04-01,socks for lukas\n"
    table = ("customer_id,timestamp,query\n" + rows + tail).encode()
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({"Retail/SearchHistory.csv": table}))
    index = read_export(archive, Limits(max_text_bytes=len(table) - len(tail) // 2))
    assert index.texts_truncated == ["Retail/SearchHistory.csv"]
    findings = run_checks(make_request(), index)  # the reader's findings among them
    [unchecked] = [f for f in findings if f.code == "text-too-large"]
    assert unchecked.members == ("Retail/SearchHistory.csv",)
    assert verdict_for(findings).value == "block"
    # the same table within the limit: read whole, no such finding
    whole = read_export(archive, Limits(max_text_bytes=len(table)))
    assert whole.texts_truncated == [] and not [
        f for f in whole.read_findings if f.code == "text-too-large"
    ]


def test_read_member(reference: Path, tmp_path: Path) -> None:
    files = reference_files()
    assert read_member(reference, "Alexa/Audio/U1.wav", 1 << 20) == files["Alexa/Audio/U1.wav"]
    with pytest.raises(ArchiveError, match="no such member"):
        read_member(reference, "nope.txt", 1 << 20)
    with pytest.raises(ArchiveError, match="over the 100-byte limit"):
        read_member(reference, "Alexa/Audio/U1.wav", 100)
    nested = tmp_path / "nested.zip"
    inner = zipcraft.zip_of({"deep/file.csv": b"a,b\n1,2\n"})
    nested.write_bytes(zipcraft.zip_of({"outer.zip": inner, "x.txt": b"x"}))
    assert read_member(nested, "outer.zip!deep/file.csv", 1 << 20) == b"a,b\n1,2\n"
    with pytest.raises(ArchiveError, match="nested deeper"):
        read_member(nested, "outer.zip!deep/file.csv", 1 << 20, Limits(max_depth=0))


def test_read_member_sees_an_archive_changed_in_place(tmp_path: Path) -> None:
    # The reading plan of an export is kept between reads; a changed file is planned again.
    archive = tmp_path / "export.zip"
    before = zipcraft.zip_of({"a.txt": b"first", "b.txt": b"x"})
    after = zipcraft.zip_of({"a.txt": b"fir5t", "b.txt": b"x"})
    assert len(before) == len(after) and before != after
    archive.write_bytes(before)
    assert read_member(archive, "a.txt", 100) == b"first"
    assert read_member(archive, "b.txt", 100) == b"x"
    mtime = archive.stat().st_mtime_ns
    with archive.open("r+b") as fh:  # same path, same inode, same size
        fh.write(after)
    os.utime(archive, ns=(mtime + 1_000_000, mtime + 1_000_000))
    assert read_member(archive, "a.txt", 100) == b"fir5t"
    # Replaced by an archive in which the member is no longer safe to read: refused.
    archive.write_bytes(zipcraft.build([Entry("a.txt", b"abc"), Entry("a.txt", b"def")]))
    with pytest.raises(ArchiveError, match="share this name"):
        read_member(archive, "a.txt", 100)


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([Entry("m.txt", b"secret", method=STORED, flags=0x1)], "encrypted"),
        ([Entry("m.txt", b"hello", crc=1)], "CRC"),
        ([Entry("m.txt", b"hello", size=3)], "declared size"),
        ([Entry("m.txt", b"abc"), Entry("m.txt", b"def")], "share this name"),
        ([Entry("m.txt", b"\x00" * (3 << 20))], "zip bomb"),
        ([Entry("m.txt", b"x", compressed=b"\xff" * 9)], "cannot be inflated"),
    ],
    ids=["encrypted", "crc", "size", "duplicate", "bomb", "corrupt"],
)
def test_read_member_refuses_unsafe_members(
    tmp_path: Path, entries: list[Entry], message: str
) -> None:
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.build(entries))
    with pytest.raises(ArchiveError) as err:
        read_member(archive, "m.txt", 1 << 30)
    assert message.lower() in str(err.value).lower()
    assert "\n" not in str(err.value)


def test_read_member_on_files_that_are_not_archives(tmp_path: Path) -> None:
    for data, message in ((b"", "empty"), (b"hello", "not a ZIP")):
        path = tmp_path / "x.zip"
        path.write_bytes(data)
        with pytest.raises(ArchiveError, match=message):
            read_member(path, "a", 10)
    with pytest.raises(ArchiveError, match="cannot open"):
        read_member(tmp_path / "missing.zip", "a", 10)


def test_bzip2_and_lzma_members(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    files = {"a.csv": b"customer_id,query\nA1,tea\n", "b.txt": b"lzma words " * 100}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.csv", files["a.csv"], compress_type=zipfile.ZIP_BZIP2)
        zf.writestr("b.txt", files["b.txt"], compress_type=zipfile.ZIP_LZMA)
    archive.write_bytes(out.getvalue())
    index = read_export(archive, Limits())
    assert index.read_findings == []
    assert list(index.tables["a.csv"].records()) == [{"customer_id": "A1", "query": "tea"}]
    assert index.texts["b.txt"] == files["b.txt"].decode()
    assert read_member(archive, "b.txt", 1 << 20) == files["b.txt"]


@pytest.mark.parametrize("variant", ["plain", "prefixed", "zip64", "comment"])
def test_directory_reader_agrees_with_zipfile(variant: str) -> None:
    from reviewer.archive.directory import read_directory

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(70_000 if variant == "zip64" else 50):
            zf.writestr(f"dir/fü{i}.txt", b"x" * (i % 7))
        if variant == "comment":
            zf.comment = b"generated by the export pipeline"
    data = (b"#!/bin/sh\nexit 0\n" if variant == "prefixed" else b"") + out.getvalue()
    entries, count, start, outside, comment = read_directory(
        lambda o, n: data[o : o + n], len(data), 1 << 30
    )
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        assert start == zf.start_dir
        assert comment == zf.comment
    assert count == len(entries) == len(infos)
    assert outside == []
    for e, info in zip(entries, infos, strict=True):
        assert (
            e.name,
            e.flags,
            e.method,
            e.crc,
            e.compress_size,
            e.file_size,
            e.header_offset,
            e.external_attr,
        ) == (
            info.filename,
            info.flag_bits,
            info.compress_type,
            info.CRC,
            info.compress_size,
            info.file_size,
            info.header_offset,
            info.external_attr,
        )


def test_end_record_signature_inside_the_comment(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.txt", b"hello")
        zf.comment = b"PK\x05\x06" + b"\x00" * 30
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as zf:
        assert zf.namelist() == []  # zipfile reads the record in the comment: an empty archive
    archive = tmp_path / "export.zip"
    archive.write_bytes(out.getvalue())
    index = read_export(archive, Limits())
    assert [f.code for f in index.read_findings] == ["zip-directory-conflict"]
    assert "comment holds the end record's signature" in index.read_findings[0].detail
    assert index.texts["a.txt"] == "hello"


def test_malformed_json_is_a_warning_and_its_text_is_still_scanned(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({"a.json": b'{"email": "x@example.org", '}))
    index = read_export(archive, Limits())
    (finding,) = index.read_findings
    assert finding.code == "json-malformed" and finding.members == ("a.json",)
    assert "x@example.org" in index.texts["a.json"]
    assert "a.json" not in index.json_docs


def test_order_is_the_directory_order_whatever_the_threads_do(tmp_path: Path) -> None:
    import os

    files: dict[str, bytes] = {}
    for i in range(8):
        files[f"big{i}.bin"] = os.urandom(40_000)  # big enough to read with two threads
        files[f"n{i}.zip"] = zipcraft.zip_of(
            {f"in{i}/a.txt": f"a{i}".encode(), f"in{i}/b.csv": f"k\n{i}\n".encode()}
        )
        files[f"t{i}.txt"] = f"text {i}".encode()
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of(files, method=zipfile.ZIP_STORED))
    expected: list[str] = []
    for name in files:
        expected.append(name)
        if name.endswith(".zip"):
            n = name[1]
            expected += [f"{name}!in{n}/a.txt", f"{name}!in{n}/b.csv"]
    for _ in range(3):
        index = read_export(archive, Limits())
        assert [m.path for m in index.members] == expected
        texts = [p for p in expected if p.endswith((".txt", ".csv"))]
        assert [p for p, _t in index.scan_texts()] == texts and len(texts) == 24
        assert list(index.texts) == [p for p in texts if p.endswith(".txt")]
        assert list(index.tables) == [p for p in expected if p.endswith(".csv")]


def test_special_files_are_refused_without_blocking(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "export.zip"
    os.mkfifo(fifo)  # opening a FIFO for reading would block until a writer comes
    with pytest.raises(ArchiveError, match="not a regular file"):
        read_export(fifo, Limits())
    with pytest.raises(ArchiveError, match="not a regular file"):
        read_member(tmp_path, "a", 10)
    with pytest.raises(ArchiveError, match="cannot open"):
        read_export(tmp_path / "missing.zip", Limits())


@pytest.mark.parametrize("marked", [True, False], ids=["with a mark", "without a mark"])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_wide_text_is_read_as_text(codec: str, marked: bool, tmp_path: Path) -> None:
    """What PowerShell and Excel's "Unicode text" write, and exporters that write UTF-16 or
    UTF-32 without a byte order mark: another customer's rows in it are read, never passed
    over as binary or as text with a NUL between its letters. The little-endian mark, FF FE,
    is also an MPEG frame sync: ``FF FE 7B 00`` (``{``) is a JSON document, not an MP3; and
    UTF-32's little-endian mark starts with UTF-16's."""
    bom = "\ufeff".encode(codec) if marked else b""
    profile = {"customer_id": CUSTOMER, "name": "Eleanor Whitfield", "locale": "en-GB"}
    table = "customer_id,email\r\nA9ZZ9ZZ9ZZ9ZZ9,mallory.other@example.com\r\n"
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        zipcraft.zip_of(
            {
                "Account/Profile.json": bom + json.dumps(profile).encode(codec),
                "Retail/Wishlist.csv": bom + table.encode(codec),
                "notes.txt": bom + "Notiz für später\n".encode(codec),
            }
        )
    )
    index = read_export(archive, Limits())
    kinds = {m.path: m.kind for m in index.members}
    assert kinds == {
        "Account/Profile.json": MemberKind.JSON,
        "Retail/Wishlist.csv": MemberKind.CSV,
        "notes.txt": MemberKind.TEXT,
    }
    assert index.read_findings == []
    assert index.profile == profile
    wishlist = index.tables["Retail/Wishlist.csv"]
    assert list(wishlist.records()) == [
        {"customer_id": "A9ZZ9ZZ9ZZ9ZZ9", "email": "mallory.other@example.com"}
    ]
    assert "Notiz für später" in index.texts["notes.txt"]


def test_raw_16_bit_samples_are_not_taken_for_utf16_text(tmp_path: Path) -> None:
    """Quiet 16-bit sound has a NUL in every high byte too; its low bytes are no text."""
    pcm = bytes(b for i in range(2048) for b in (i * 37 % 255 + 1, 0))  # no NUL low byte
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({"Alexa/raw.bin": pcm, "Alexa/raw.csv": pcm}))
    assert {m.kind for m in read_export(archive, Limits()).members} == {MemberKind.OTHER}


def test_an_mp3_that_starts_like_a_utf16_mark_is_still_audio(tmp_path: Path) -> None:
    """FF FE then bytes that are no text (a Layer I frame of sound): audio, as before."""
    frame = b"\xff\xfe\x90\x00" + bytes(range(256)) * 2
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({"Alexa/clip.mp3": frame}))
    (member,) = read_export(archive, Limits()).members
    assert member.kind is MemberKind.AUDIO


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("1541106000000", "2018-11-01T21:00:00+00:00"),  # epoch milliseconds
        ("1541106000", "2018-11-01T21:00:00+00:00"),  # epoch seconds
        ("1541106000.250", "2018-11-01T21:00:00.250000+00:00"),
        ("2018-11-01T21:00:00Z", "2018-11-01T21:00:00+00:00"),
        ("2018-11-01 21:00:00 UTC", "2018-11-01T21:00:00+00:00"),
        ("20181101", "2018-11-01T00:00:00"),  # ISO 8601's basic date
    ],
)
def test_export_times_in_epoch_seconds_or_milliseconds_are_read(value: str, iso: str) -> None:
    """ISO 8601's basic form would take a run of digits for a date ("1541106000000" as a day
    in the 16th century): a previous owner's recordings were then missed, and the requester's
    own called a previous owner's."""
    from reviewer.domain.archive.tabular import recordings_from
    from reviewer.domain.archive.times import parse_export_time
    from reviewer.domain.model import Table

    stamp = parse_export_time(value)
    assert stamp is not None and stamp.isoformat() == iso
    table = Table(
        "Alexa/VoiceHistory.csv",
        ("utterance_id", "timestamp", "device_serial", "transcript"),
        [("U1", value, "G090LF1150260D9K", "what time is it")],
    )
    (recording,) = recordings_from(table, set())
    assert recording.timestamp == stamp


@pytest.mark.parametrize("value", ["12345", "123456789012345", "not a time", ""])
def test_digits_that_are_no_epoch_time_are_no_time(value: str) -> None:
    from reviewer.domain.archive.times import parse_export_time

    assert parse_export_time(value) is None
