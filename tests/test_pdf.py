"""Transcript PDFs: the catalogue parsed from a real PDF, corrupt or hostile PDFs that cannot
take the reader down (pypdf runs in a child process with a time budget and a memory cap), and
long honest catalogues that are not called hostile."""

from __future__ import annotations

import os
import re
import signal
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pdfcraft
import pytest
import zipcraft
from fpdf import FPDF
from test_checks_common import make_request
from zipcraft import STORED, Entry

from reviewer.archive import ArchiveError, Limits, pdfservice, read_export
from reviewer.archive.pdfservice import PdfService
from reviewer.cli.early import command_of
from reviewer.domain.archive.catalogue import parse_catalogue
from reviewer.domain.checks import run_checks
from reviewer.domain.model import ExportIndex, Severity


@pytest.fixture(autouse=True)
def cold_children() -> Iterator[None]:
    """These tests follow one child from its start to its end: none is kept warm between
    exports (`pdfservice.keep_warm`, on in the test workers), but where a test turns it on."""
    was = pdfservice.keep_warm(False)
    try:
        yield
    finally:
        pdfservice.keep_warm(was)


ENTRIES = [  # deliberately unsorted, as the pipeline writes it
    ("2018-03-02T19:04:11Z", "G070VM1A83120045", "U0002", "Alexa, play some jazz"),
    ("2017-12-24T08:30:00Z", "G090LF7LHM42T4BU", "U0001", "what is the weather in Hannover"),
    (
        "2018-05-17T07:15:42Z",
        "G070VM1A83120045",
        "U0003",
        "remind me to call Anna Weber tomorrow at nine about the tickets for the concert in the "
        "evening, and add milk to the shopping list",
    ),
]


def catalogue_pdf(entries: list[tuple[str, str, str, str]], per_page: int = 2) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for i, (stamp, serial, uid, text) in enumerate(entries):
        if i % per_page == 0:
            pdf.add_page()
            pdf.cell(0, 6, "Alexa voice history: transcripts", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 6, f"{stamp}  {serial}  {uid}", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_with_stream(content: bytes) -> bytes:
    """A one-page PDF whose page content is `content`, deflated (for bombs and slow pages)."""
    stream = zlib.compress(content, 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdfcraft.assemble(objs)


OK_CSV = Entry("Retail/SearchHistory.csv", b"customer_id,query\nA3KX9ZQ2M7T1LB,desk lamp\n")


def read(tmp_path: Path, entries: list[Entry], limits: Limits | None = None) -> ExportIndex:
    tmp_path.mkdir(exist_ok=True)
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.build([*entries, OK_CSV]))
    index = read_export(archive, limits or Limits())
    assert isinstance(OK_CSV.name, str)
    member = index.member(OK_CSV.name)
    assert member is not None and member.readable
    return index


def test_catalogue_entries_from_a_real_pdf(tmp_path: Path) -> None:
    index = read(tmp_path, [Entry("Alexa/Transcripts.pdf", catalogue_pdf(ENTRIES))])
    assert index.transcript_member == "Alexa/Transcripts.pdf"
    got = {e.utterance_id: e for e in index.transcripts}
    assert [e.utterance_id for e in index.transcripts] == ["U0002", "U0001", "U0003"]
    assert got["U0001"].device_serial == "G090LF7LHM42T4BU"
    assert got["U0001"].timestamp is not None and got["U0001"].timestamp.year == 2017
    assert got["U0001"].timestamp_text == "2017-12-24T08:30:00Z"
    assert got["U0001"].text == "what is the weather in Hannover"
    assert "Anna Weber" in got["U0003"].text and "shopping list" in got["U0003"].text
    assert got["U0003"].page == 2 and got["U0002"].page == 1
    assert "Anna Weber" in index.texts["Alexa/Transcripts.pdf"]
    assert not [f for f in index.read_findings if f.code.startswith("pdf-")]


def test_catalogue_in_another_layout_is_found_by_its_header_lines(tmp_path: Path) -> None:
    index = read(
        tmp_path,
        [
            Entry("docs/readme.pdf", catalogue_pdf([])),
            Entry("voice/transcript-list.pdf", catalogue_pdf(ENTRIES[:2]), method=STORED),
        ],
    )
    assert index.transcript_member == "voice/transcript-list.pdf"
    assert {e.utterance_id for e in index.transcripts} == {"U0001", "U0002"}


def test_header_line_variants() -> None:
    pages = [
        "Title\n2018-03-02 19:04:11  G070  U1\nhello\nthere\n3\n"
        "2018-03-02T19:04:11+01:00 G071 U2\nsecond\n",
        "more of second\n",
    ]
    entries = parse_catalogue(pages)
    assert [(e.device_serial, e.utterance_id, e.text) for e in entries] == [
        ("G070", "U1", "hello there"),
        ("G071", "U2", "second more of second"),
    ]
    assert entries[1].timestamp is not None and entries[1].timestamp.utcoffset() is not None


def test_lines_that_only_start_with_a_date_are_no_entries() -> None:
    """A running head or footer dated like an entry, a transcript wrapped so a line starts
    with a date: no entry, since their "ids" are words; a footer that gives the page's number
    is no transcript's text."""
    pages = [
        "2018-07-30  Eleanor Whitfield\n"
        "2018-03-02 19:04:11  G070  U1\nremind me on\n11/20/2018 at nine\n"
        "2018-07-30 06:00 UTC  Page  1/2\n",
        "2018-07-30  Eleanor Whitfield\n"
        "2018-03-02 19:05:11  G070  U2\nplay jazz\n2018-07-30 06:00 UTC  Page  2/2\n",
    ]
    entries = parse_catalogue(pages)
    assert [(e.utterance_id, e.text) for e in entries] == [
        ("U1", "remind me on 11/20/2018 at nine"),
        ("U2", "play jazz"),
    ]


def test_catalogue_times_are_read_as_the_tables_read_them() -> None:
    """One reading of export times: "UTC" with or without a space, as in the tables."""
    from datetime import UTC, datetime

    pages = ["2018-03-02 19:04:11 UTC  G070  U1\none\n2018-03-02 19:04:12UTC  G070  U2\ntwo\n"]
    assert [e.timestamp for e in parse_catalogue(pages)] == [
        datetime(2018, 3, 2, 19, 4, 11, tzinfo=UTC),
        datetime(2018, 3, 2, 19, 4, 12, tzinfo=UTC),
    ]


def test_corrupt_pdf_is_a_warning_and_reading_goes_on(tmp_path: Path) -> None:
    good = catalogue_pdf(ENTRIES)
    corrupt = good[: len(good) // 3] + b"\x00garbage" * 50  # cut, no xref, no trailer
    index = read(
        tmp_path,
        [Entry("Alexa/Transcripts.pdf", corrupt), Entry("Other/notes.pdf", b"not a pdf at all")],
    )
    findings = [f for f in index.read_findings if f.code == "pdf-unreadable"]
    assert findings and findings[0].severity is Severity.WARNING
    assert "Other/notes.pdf" in findings[0].members
    assert not [f for f in index.read_findings if f.code == "pdf-hostile"]


@pytest.mark.parametrize(
    ("fonts", "content"),
    [
        # a number where a font belongs (unused; qpdf's test files carry one)
        (b"<< /F1 5 0 R /F2 6 0 R >>", b"BT /F1 12 Tf 72 681 Td (%s) Tj ET"),
        # a number where TJ's array belongs, before the text
        (b"<< /F1 5 0 R >>", b"BT /F1 12 Tf 72 681 Td 5 TJ (%s) Tj ET"),
    ],
    ids=["number-as-font", "number-as-tj-array"],
)
def test_a_damaged_page_that_pypdf_reads_past_leaves_the_text_readable(
    fonts: bytes, content: bytes, tmp_path: Path
) -> None:
    """What the quick reading of a page's text operators does not expect, pypdf's
    extract_text reads past: the reviewer reads the text as pypdf does, rather than calling
    the PDF unreadable."""
    content %= b"Eleanor Whitfield, 27 Cranley Gardens"
    pdf = pdfcraft.assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font %s >> >>" % fonts,
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            b"19",
        ]
    )
    index = read(tmp_path, [Entry("Other/letter.pdf", pdf)])
    assert not [f for f in index.read_findings if f.code.startswith("pdf-")]
    assert "Eleanor Whitfield, 27 Cranley Gardens" in index.texts["Other/letter.pdf"]


def test_decompression_bomb_pdf_is_hostile(tmp_path: Path) -> None:
    bomb = pdf_with_stream(b"q Q " * 30_000_000)  # 120 MB of page content in ~120 KB
    assert len(bomb) < 200_000
    index = read(
        tmp_path,
        [Entry("Alexa/Transcripts.pdf", bomb), Entry("Alexa/Other.pdf", catalogue_pdf(ENTRIES))],
    )
    hostile = [f for f in index.read_findings if f.code == "pdf-hostile"]
    assert hostile and hostile[0].severity is Severity.CRITICAL
    assert hostile[0].members == ("Alexa/Transcripts.pdf",)
    # the child carries on with the next PDF
    assert {e.utterance_id for e in index.transcripts} == {"U0001", "U0002", "U0003"}


def test_pdf_over_the_memory_limit_is_hostile_and_the_child_carries_on() -> None:
    service = PdfService(Limits(pdf_memory_bytes=150 << 20))
    service.submit("big.pdf", pdf_with_stream(b"q Q " * 17_000_000))  # 68 MB inflated
    service.submit("ok.pdf", catalogue_pdf(ENTRIES[:1]))
    big, ok = service.results()
    assert big.error == "memory" and big.hostile
    assert ok.error is None and "play some jazz" in ok.text


# A page that keeps the parser busy for longer than a step, standing for a parser stuck: its
# content is large, so these limits give a page no more time for its size (per_mb 0)
STUCK = Limits(pdf_step_cpu_s=1.0, pdf_cpu_per_mb_s=0.0)


def test_pdf_that_hangs_the_parser_is_killed(tmp_path: Path) -> None:
    slow = pdf_with_stream(b"BT /F1 12 Tf 72 700 Td (hello world) Tj ET\n" * 400_000)
    index = read(
        tmp_path,
        [Entry("Alexa/Transcripts.pdf", slow), Entry("Alexa/After.pdf", catalogue_pdf(ENTRIES))],
        STUCK,
    )
    hostile = [f for f in index.read_findings if f.code == "pdf-hostile"]
    assert hostile and hostile[0].members == ("Alexa/Transcripts.pdf",)
    # stopped for its processor time, or on a very busy machine by the wall-clock backstop
    # first: hostile either way, and said where
    assert "(after 0 of 1 pages)" in hostile[0].detail
    assert any(
        why in hostile[0].detail
        for why in ("one page took longer than 1 s of processor time", "no sign of progress")
    )
    assert "pdf-too-large" not in {f.code for f in index.read_findings}
    assert len(index.transcripts) == 3  # a fresh child read the next one


def test_the_time_limit_is_processor_time() -> None:
    service = PdfService(STUCK)
    service.submit("slow.pdf", pdf_with_stream(b"BT (x) Tj ET\n" * 2_000_000))
    (result,) = service.results()
    assert result.hostile and result.error == "timeout"
    # killed by the kernel for its processor time (or, on a very busy machine, by the clock)
    assert "processor time" in result.detail or "no sign of progress" in result.detail


def test_a_page_that_gets_the_parser_stuck_after_honest_pages_is_hostile(
    tmp_path: Path,
) -> None:
    pages = pdfcraft.catalogue_pages(pdfcraft.entries(60))
    stuck = b"BT /F2 10 Tf 72 700 Td (hello world) Tj ET\n" * 400_000
    pdf = pdfcraft.build([*pages, stuck])
    index = read(tmp_path, [Entry("Alexa/Transcripts.pdf", pdf)], STUCK)
    [hostile] = [f for f in index.read_findings if f.code.startswith("pdf-")]
    assert hostile.code == "pdf-hostile"
    assert f"of {len(pages) + 1} pages)" in hostile.detail
    assert any(  # the processor-time limit, or on a very busy machine the backstop first
        why in hostile.detail
        for why in ("one page took longer than 1 s of processor time", "no sign of progress")
    )


def test_a_child_that_goes_silent_is_killed_by_the_clock() -> None:
    """A child that stops computing (here: stopped by a signal) is caught by the wall clock:
    no word from it for four times the step limit and a second."""
    pdf, _ = pdfcraft.catalogue(300)
    service = PdfService(Limits(pdf_step_cpu_s=0.25))

    def stop_the_child(member: str, done: int, of: int) -> None:
        proc = service._proc
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGSTOP)

    service.on_pages = stop_the_child
    started = time.monotonic()
    service.submit("Alexa/Transcripts.pdf", pdf)
    (result,) = service.results()
    assert result.hostile and result.error == "timeout"
    # silence is WALL_FACTOR x (0.25 s + 1 s) = 5 s; the figure is the time it waited, which a
    # busy machine stretches (the clock is checked when the child's silence has run out)
    silent = re.fullmatch(
        r"the parser gave no sign of progress for (\d+) s \(after \d+ of 300 pages\)",
        result.detail,
    )
    assert silent is not None, result.detail
    assert int(silent.group(1)) >= 5
    assert time.monotonic() - started < 30


# ------------------------------------------------------------- long honest catalogues


def test_a_catalogue_longer_than_its_time_allows_is_too_large_not_hostile(tmp_path: Path) -> None:
    pdf, n = pdfcraft.catalogue(120)
    # a budget so small that the child stops after its first page, whatever the machine
    tiny = Limits(pdf_cpu_base_s=0.0, pdf_cpu_per_page_s=1e-9, pdf_cpu_per_mb_s=0.0)
    index = read(tmp_path, [Entry("Alexa/Transcripts.pdf", pdf)], tiny)
    [finding] = [f for f in index.read_findings if f.code.startswith("pdf-")]
    assert (finding.code, finding.severity) == ("pdf-too-large", Severity.CRITICAL)
    assert finding.title == "PDF too large to check in the time allowed"
    assert finding.members == ("Alexa/Transcripts.pdf",)
    assert finding.detail.startswith("Alexa/Transcripts.pdf: 1 of 120 pages read in ")
    assert "s of processor time" in finding.detail
    assert "the transcript catalogue could not be checked in the time allowed" in finding.detail
    words = f"{finding.title} {finding.detail}".lower()
    assert not any(w in words for w in ("hostile", "harm", "attack", "stuck"))
    # no catalogue from part of one; the pages read are kept for the identity scan
    assert index.transcripts == [] and index.transcript_member is None
    assert "Alexa/Transcripts.pdf" in index.texts_truncated
    assert pdfcraft.TITLE in index.texts["Alexa/Transcripts.pdf"]
    assert n > 2_000


def test_an_honest_2340_page_catalogue_is_read_under_the_default_limits(tmp_path: Path) -> None:
    pdf, n = pdfcraft.catalogue(2340)
    index = read(tmp_path, [Entry("Alexa/Transcripts.pdf", pdf)])
    assert not [f for f in index.read_findings if f.code.startswith("pdf-")]
    assert index.transcript_member == "Alexa/Transcripts.pdf"
    assert len(index.transcripts) == n and index.transcripts[-1].page == 2340


def test_an_ordinary_document_where_the_catalogue_should_be_is_critical(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Terms of use. " * 40)
    history = (
        "utterance_id,timestamp,customer_id,device_serial,device_type,audio_file,transcript\n"
        "U0001,2017-12-24T08:30:00Z,A3KX9ZQ2M7T1LB,G070VM1A83120045,Echo,,play some jazz\n"
    )
    index = read(
        tmp_path,
        [
            Entry("Alexa/Transcripts.pdf", bytes(pdf.output())),
            Entry("Alexa/VoiceHistory.csv", history.encode()),
        ],
    )
    assert "Terms of use" in index.texts["Alexa/Transcripts.pdf"] and not index.transcripts
    found = [
        f for f in run_checks(make_request(), index) if f.code.startswith(("catalogue", "pdf"))
    ]
    assert [(f.code, f.severity, f.members) for f in found] == [
        (
            "catalogue-empty",
            Severity.CRITICAL,
            ("Alexa/Transcripts.pdf", "Alexa/VoiceHistory.csv"),
        )
    ]


def encrypted(pdf: bytes, algorithm: str, user_password: str = "") -> bytes:
    """`pdf` encrypted as Acrobat's "restrict editing" does: an owner password, and a user
    password every viewer opens the document with (empty, unless given)."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-256-R5", "AES-128", "RC4-128"])
def test_a_catalogue_encrypted_with_an_empty_password_is_read(
    tmp_path: Path, algorithm: str
) -> None:
    """Decrypted with the empty user password as every viewer opens it, AES as RC4; a child
    kept warm reads a plain PDF after it, and the next export, as before."""
    pdf = encrypted(catalogue_pdf(ENTRIES), algorithm)
    assert b"/Encrypt" in pdf and b"Anna Weber" not in pdf
    plain = catalogue_pdf([("2019-01-01T10:00:00Z", "G070VM1A83120045", "U9", "good night")])
    was = pdfservice.keep_warm(True)
    try:
        for _ in range(2):
            entries = [Entry("Alexa/Transcripts.pdf", pdf), Entry("Other/plain.pdf", plain)]
            index = read(tmp_path, entries)
            assert not [f.code for f in index.read_findings if f.code.startswith("pdf-")]
            assert [e.utterance_id for e in index.transcripts] == ["U0002", "U0001", "U0003"]
            assert "Anna Weber" in index.texts["Alexa/Transcripts.pdf"]
            assert "good night" in index.texts["Other/plain.pdf"]
    finally:
        pdfservice.keep_warm(was)


def test_a_pdf_that_needs_a_password_is_still_unreadable(tmp_path: Path) -> None:
    pdf = encrypted(catalogue_pdf(ENTRIES), "AES-256", user_password="secret")
    index = read(tmp_path, [Entry("Alexa/Transcripts.pdf", pdf)])
    (finding,) = [f for f in index.read_findings if f.code.startswith("pdf-")]
    assert finding.code == "pdf-unreadable" and finding.members == ("Alexa/Transcripts.pdf",)
    assert "Anna Weber" not in index.texts.get("Alexa/Transcripts.pdf", "")
    # said in words, not as the parser's exception
    assert "protected by a password" in finding.detail
    assert "text cannot be read or checked" in finding.detail
    assert "Error" not in finding.detail


@pytest.mark.parametrize("size", [0, 1])
def test_empty_and_tiny_pdfs(tmp_path: Path, size: int) -> None:
    index = read(tmp_path, [Entry("x.pdf", b"%" * size)])
    assert [f.code for f in index.read_findings if f.code.startswith("pdf-")] == ["pdf-unreadable"]


UMLAUT_ENTRIES = [
    ("2018-01-05T10:00:00Z", "G090LF7LHM42T4BU", "U0101", "spiel Musik von Jürgen Drews"),
    (
        "2018-01-06T11:30:00Z",
        "G090LF7LHM42T4BU",
        "U0102",
        "was kostet ein Döner, 5 Euro oder mehr? ½ Preis",
    ),
    ("2018-01-07T12:45:00Z", "G070VM1A83120045", "U0103", "erinnere mich an Größe und Maß"),
]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def unicode_font_catalogue_pdf(entries: list[tuple[str, str, str, str]]) -> bytes:
    """The same catalogue set in an embedded Unicode font (Type0, /ToUnicode)."""
    pdf = FPDF()
    pdf.add_font("DejaVu", fname=str(DEJAVU))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()
    pdf.cell(0, 6, "Alexa voice history: transcripts", new_x="LMARGIN", new_y="NEXT")
    for stamp, serial, uid, text in entries:
        pdf.cell(0, 6, f"{stamp}  {serial}  {uid}", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _entries(index: ExportIndex) -> list[tuple[str, str, str, str]]:
    return [(e.timestamp_text, e.device_serial, e.utterance_id, e.text) for e in index.transcripts]


def test_catalogue_text_with_accents_and_symbols_in_a_core_font(tmp_path: Path) -> None:
    index = read(tmp_path, [Entry("Alexa/Transcripts.pdf", catalogue_pdf(UMLAUT_ENTRIES))])
    assert _entries(index) == UMLAUT_ENTRIES


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs the DejaVu fonts")
def test_catalogue_in_an_embedded_unicode_font_reads_the_same(tmp_path: Path) -> None:
    pdf = unicode_font_catalogue_pdf(UMLAUT_ENTRIES)
    assert b"/ToUnicode" in pdf
    index = read(tmp_path, [Entry("Alexa/Transcripts.pdf", pdf)])
    assert _entries(index) == UMLAUT_ENTRIES


# ------------------------------------------------------------- the child's start and stop


def _children() -> set[int]:
    """Processes whose parent is this test process."""
    me, found = os.getpid(), set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == me:
                found.add(int(entry.name))
    return found


def _no_new_children(before: set[int]) -> bool:
    """Killed children are reaped by the reader; give the kernel a moment to drop them."""
    for _ in range(50):
        if not _children() - before:
            return True
        time.sleep(0.02)
    return False


def test_a_spare_child_reads_the_catalogue_and_is_gone_afterwards(tmp_path: Path) -> None:
    before = _children()
    pdfservice.start_spare(Limits())
    spare = pdfservice._spare
    assert spare is not None and spare.pid in _children()
    index = read(tmp_path, [Entry("Alexa/Transcripts.pdf", catalogue_pdf(ENTRIES))])
    assert len(index.transcripts) == 3
    assert pdfservice._spare is None and spare.poll() is not None
    assert _no_new_children(before)


def test_a_spare_child_is_stopped_when_the_export_holds_no_pdf(tmp_path: Path) -> None:
    before = _children()
    pdfservice.start_spare(Limits())
    spare = pdfservice._spare
    assert spare is not None
    index = read(tmp_path, [Entry("Retail/OrderHistory.csv", b"order_id\n1\n")])
    assert not index.transcripts
    assert spare.poll() is not None and _no_new_children(before)


def test_no_child_outlives_an_export_that_cannot_be_read(tmp_path: Path) -> None:
    before = _children()
    pdfservice.start_spare(Limits())
    with pytest.raises(ArchiveError):
        read_export(tmp_path / "missing.zip", Limits())
    assert pdfservice._spare is None and _no_new_children(before)
    # a big archive starts the child before looking inside; a broken one stops it again
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(9 << 20))
    index = read_export(broken, Limits())
    assert "zip-unreadable" in {f.code for f in index.read_findings}
    assert _no_new_children(before)


def test_a_spare_started_for_other_limits_is_stopped_not_used(tmp_path: Path) -> None:
    before = _children()
    pdfservice.start_spare(Limits(pdf_step_cpu_s=3.0))
    spare = pdfservice._spare
    assert spare is not None
    index = read(tmp_path, [Entry("Alexa/Transcripts.pdf", catalogue_pdf(ENTRIES))])
    assert len(index.transcripts) == 3 and spare.poll() is not None
    assert _no_new_children(before)


def test_the_cli_starts_the_pdf_child_only_for_commands_that_read_exports() -> None:
    assert command_of(["reviewer", "check", "dir"]) == "check"
    assert command_of(["reviewer", "--db", "x.db", "ingest", "inbox"]) == "ingest"
    assert command_of(["reviewer", "--db", "check", "status"]) == "status"
    assert command_of(["reviewer", "check", "--help"]) is None
    assert command_of(["reviewer", "--version"]) is None


def _wait_for(done: object) -> bool:
    """Wait (up to about 30 s, not a timing assertion) for `done()` to hold."""
    for _ in range(1500):
        if done():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


def test_a_released_service_ends_its_child_once_the_pdfs_are_answered() -> None:
    """Once the export's PDFs are with the child (`release`), it ends after answering them,
    so it holds no memory while the rest is read; a PDF that comes later gets a new child."""
    pdf = PdfService(Limits())
    try:
        pdf.submit("Alexa/Transcripts.pdf", catalogue_pdf(ENTRIES))
        pdf.release()
        assert _wait_for(lambda: len(pdf._results) == 1 and pdf._proc is None)
        pdf.submit("Other/Transcripts.pdf", catalogue_pdf(ENTRIES[:1]))
    finally:
        results = pdf.results()
    assert [len(parse_catalogue(r.pages)) for r in results] == [3, 1]


def test_a_child_started_early_for_pdfs_that_never_come_ends_on_release() -> None:
    before = _children()
    pdf = PdfService(Limits())
    pdf.prestart()
    proc = pdf._proc
    assert proc is not None
    pdf.release()
    assert proc.poll() is not None and pdf._proc is None
    assert pdf.results() == [] and _no_new_children(before)


def test_the_reader_releases_the_child_once_the_catalogue_is_read(tmp_path: Path) -> None:
    released: list[int] = []
    real = PdfService.release

    def spy(self: PdfService) -> None:
        released.append(1)
        real(self)

    PdfService.release = spy  # type: ignore[method-assign]
    try:
        entries = [Entry("Alexa/Transcripts.pdf", catalogue_pdf(ENTRIES))]
        entries += [Entry(f"Retail/Orders/{i}.csv", b"order_id\n%d\n" % i) for i in range(20)]
        index = read(tmp_path, entries)
    finally:
        PdfService.release = real  # type: ignore[method-assign]
    assert len(index.transcripts) == 3 and len(released) == 1


def test_a_warm_child_reads_one_export_after_another_and_none_is_left_over(
    tmp_path: Path,
) -> None:
    """A process that reads many exports keeps one child between them: the second export's
    catalogue is read by the child that read the first, and turning it off ends that child."""
    before = _children()
    pdfservice.keep_warm()
    first = read(tmp_path / "a", [Entry("Alexa/Transcripts.pdf", catalogue_pdf(ENTRIES))])
    spare = pdfservice._spare
    assert spare is not None and spare.poll() is None and spare.pid in _children()
    second = read(tmp_path / "b", [Entry("Alexa/Transcripts.pdf", catalogue_pdf(ENTRIES[:1]))])
    assert pdfservice._spare is spare and spare.poll() is None  # the same child, back again
    assert [len(first.transcripts), len(second.transcripts)] == [3, 1]
    pdfservice.keep_warm(False)
    assert pdfservice._spare is None and spare.poll() is not None
    assert _no_new_children(before)


def test_a_child_that_read_a_hostile_pdf_is_not_kept_warm(tmp_path: Path) -> None:
    """Only a child that answered every PDF of an export without an error waits for the next
    export: after a PDF the parser refused, the next export gets a fresh child."""
    pdfservice.keep_warm()
    read(tmp_path / "a", [Entry("Alexa/Transcripts.pdf", catalogue_pdf(ENTRIES))])
    honest = pdfservice._spare
    assert honest is not None
    index = read(tmp_path / "b", [Entry("Alexa/Transcripts.pdf", b"%PDF-1.7\n" + bytes(2000))])
    assert "pdf-unreadable" in {f.code for f in index.read_findings}
    assert honest.poll() is not None and pdfservice._spare is None
    after = read(tmp_path / "c", [Entry("Alexa/Transcripts.pdf", catalogue_pdf(ENTRIES))])
    assert len(after.transcripts) == 3 and pdfservice._spare not in (None, honest)


def test_a_warm_child_started_for_other_limits_is_not_used(tmp_path: Path) -> None:
    pdfservice.keep_warm()
    read(tmp_path / "a", [Entry("Alexa/Transcripts.pdf", catalogue_pdf(ENTRIES))])
    warm = pdfservice._spare
    assert warm is not None
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({"Alexa/Transcripts.pdf": catalogue_pdf(ENTRIES)}))
    index = read_export(archive, Limits(pdf_step_cpu_s=3.0))
    assert len(index.transcripts) == 3 and warm.poll() is not None
    fresh = pdfservice._spare
    assert fresh is not None and fresh.args == pdfservice._argv(Limits(pdf_step_cpu_s=3.0))


def test_a_pdfs_title_and_embedded_files_are_read_with_its_pages(tmp_path: Path) -> None:
    """A catalogue can carry another account's voice history as an embedded file, or name a
    stranger in its title: both are delivered with it, and are scanned with its text."""
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(io.BytesIO(catalogue_pdf([]))))
    writer.add_metadata({"/Title": "Alexa voice history of Lukas Brandt"})
    writer.add_attachment(
        "voicehistory.csv", b"customer_id,email\nA2MZ8T4KQ9XR3P,lukas.brandt@example.de\n"
    )
    out = io.BytesIO()
    writer.write(out)
    archive = tmp_path / "export.zip"
    archive.write_bytes(zipcraft.zip_of({"Docs/History.pdf": out.getvalue()}))
    index = read_export(archive, Limits())
    text = index.attached["Docs/History.pdf"]  # beside its pages, scanned with them
    assert "Title: Alexa voice history of Lukas Brandt" in text
    assert "Embedded file: voicehistory.csv" in text
    assert "A2MZ8T4KQ9XR3P,lukas.brandt@example.de" in text


def test_a_pdf_whose_text_the_archive_had_no_room_for_blocks(tmp_path: Path) -> None:
    """PDFs are read last: when the other members used up the archive's text, a PDF's text
    is read in part or not at all, and what was not read would go out unchecked."""
    notes = catalogue_pdf([("2018-03-02T19:04:11Z", "G070", "U1", "lukas.brandt@example.de")])
    index = read(
        tmp_path,
        [Entry("Notes/big.txt", b"hello world " * 500), Entry("Alexa/Lists/Notes.pdf", notes)],
        Limits(max_text_bytes=6000, max_total_text_bytes=6050),
    )
    assert "Alexa/Lists/Notes.pdf" in index.texts_truncated
    [unchecked] = [f for f in index.read_findings if f.code == "text-too-large"]
    assert unchecked.severity is Severity.CRITICAL
    assert unchecked.members == ("Alexa/Lists/Notes.pdf",)
    assert "text were used up" in unchecked.detail


def test_a_pdf_over_the_size_limit_is_not_checked_and_blocks(tmp_path: Path) -> None:
    pdf = catalogue_pdf(ENTRIES)
    index = read(tmp_path, [Entry("Alexa/Lists/Notes.pdf", pdf)], Limits(max_pdf_bytes=100))
    [unchecked] = [f for f in index.read_findings if f.code == "text-too-large"]
    assert (unchecked.severity, unchecked.members) == (
        Severity.CRITICAL,
        ("Alexa/Lists/Notes.pdf",),
    )
    assert "was not parsed: its text could not be checked" in unchecked.detail


def test_a_catalogue_laid_out_as_a_table_of_cells_is_read(tmp_path: Path) -> None:
    """fpdf2's table idiom: each header field in a cell of its own on the line (a text object
    each, in a core font). Its entries are read as pypdf reads them, not lost."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=13)
    pdf.cell(0, 8, "Alexa voice history: transcripts", new_x="LMARGIN", new_y="NEXT")
    for stamp, serial, uid, text in ENTRIES:
        pdf.set_font("Courier", size=8)
        pdf.cell(45, 6, stamp)
        pdf.cell(40, 6, serial)
        pdf.cell(30, 6, uid, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    history = "utterance_id,timestamp,customer_id,device_serial,device_type,audio_file,transcript\n"
    for stamp, serial, uid, text in ENTRIES:
        history += f'{uid},{stamp},A3KX9ZQ2M7T1LB,{serial},Echo,,"{text}"\n'
    index = read(
        tmp_path,
        [
            Entry("Alexa/Transcripts.pdf", bytes(pdf.output())),
            Entry("Alexa/VoiceHistory.csv", history.encode()),
        ],
    )
    assert [(e.timestamp_text, e.device_serial, e.utterance_id) for e in index.transcripts] == [
        entry[:3] for entry in ENTRIES
    ]
    assert "Anna Weber" in index.transcripts[2].text
    codes = {f.code for f in run_checks(make_request(), index)}
    assert not {c for c in codes if c.startswith(("catalogue", "pdf"))}


# 300,000 line segments on one page and its title, as a CAD export draws a site plan: 2.1
# million tokens, beyond pypdf's 2 million for one content stream
DRAWING = b"BT /F1 8 Tf 45 800 Td (Site plan) Tj ET\n" + b"10 10 m 20 20 l S\n" * 300_000


@pytest.mark.parametrize("fonts", ["core", "other"])
def test_a_drawing_beyond_pypdfs_limits_is_too_complex_not_hostile(
    tmp_path: Path, fonts: str
) -> None:
    """pypdf stops at its limit on the tokens of one page: the PDF is too complex to read in
    full, which blocks (its text could not be checked) but is no attack. pypdf takes seconds
    of processor time to get there (11 s on the slowest machine seen), so the test gives the
    page and the document time enough for any machine: what is judged is the limit pypdf
    reports, never how fast it got there."""
    pdf = pdfcraft.build([DRAWING]) if fonts == "core" else pdf_with_stream(DRAWING)
    roomy = Limits(pdf_step_cpu_s=120.0, pdf_cpu_base_s=240.0, pdf_cpu_max_s=600.0)
    index = read(
        tmp_path,
        [Entry("Documents/site-plan.pdf", pdf), Entry("Alexa/Other.pdf", catalogue_pdf(ENTRIES))],
        roomy,
    )
    [finding] = [f for f in index.read_findings if f.code.startswith("pdf-")]
    assert finding.code == "pdf-too-complex" and finding.severity is Severity.CRITICAL
    assert finding.members == ("Documents/site-plan.pdf",)
    assert "too complex to read in full" in finding.detail and "tokens" in finding.detail
    assert "could not be checked" in finding.detail
    assert "hostile" not in f"{finding.title} {finding.detail}".lower()
    assert {e.utterance_id for e in index.transcripts} == {"U0001", "U0002", "U0003"}


def test_a_catalogue_beyond_pypdfs_limits_blocks_as_too_complex(tmp_path: Path) -> None:
    """An array longer than pypdf reads (100,000 elements) where the catalogue should be:
    too complex, and the catalogue could not be checked."""
    page = b"BT /F1 8 Tf 45 700 Td [" + b"(a) 1 " * 60_000 + b"] TJ ET"
    index = read(tmp_path, [Entry("Alexa/Transcripts.pdf", pdfcraft.build([page]))])
    [finding] = [f for f in index.read_findings if f.code.startswith("pdf-")]
    assert finding.code == "pdf-too-complex" and finding.severity is Severity.CRITICAL
    assert "the transcript catalogue could not be checked" in finding.detail
