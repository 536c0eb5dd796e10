"""Manifest integrity and the transcript catalogue against the voice history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from test_checks_common import OTHER_SERIAL, clean_export, make_request

from reviewer.domain.checks import catalogue, manifest, manifest_request
from reviewer.domain.model import ExportIndex, Finding, MemberKind, Severity


def _codes_and_members(found: Iterable[Finding]) -> list[tuple[str, Severity, tuple[str, ...]]]:
    return [(f.code, f.severity, f.members) for f in found]


def test_missing_changed_and_unlisted_members() -> None:
    index = clean_export().build()
    index.members = [m for m in index.members if m.path != "Retail/SearchHistory.csv"]
    changed = next(m for m in index.members if m.path == "Alexa/Audio/u002.wav")
    changed.sha256 = "f" * 64
    resized = next(m for m in index.members if m.path == "Retail/OrderHistory.csv")
    resized.read_bytes = (resized.read_bytes or 0) + 10
    resized.sha256 = None  # not fully read: judged by the size in its header
    resized.declared_size += 10
    from test_checks_common import _member

    index.members.append(_member("Extra/notes.txt", b"hello"))
    found = manifest.check(make_request(), index)
    assert _codes_and_members(found) == [
        ("manifest-missing-member", Severity.CRITICAL, ("Retail/SearchHistory.csv",)),
        (
            "manifest-changed-member",
            Severity.CRITICAL,
            ("Alexa/Audio/u002.wav", "Retail/OrderHistory.csv"),
        ),
        ("manifest-unlisted-member", Severity.CRITICAL, ("Extra/notes.txt",)),
    ]
    assert "SHA-256 differs" in found[1].detail


def test_a_clean_manifest_has_no_findings_and_nested_members_are_not_unlisted() -> None:
    import hashlib

    from test_checks_common import _member

    index = clean_export().build()
    archive = _member("Alexa/old.zip", b"PK archive bytes")
    archive.kind = MemberKind.ARCHIVE  # read as a nested archive: its members are written so
    index.members += [archive, _member("Alexa/old.zip!inner.txt", b"x")]
    assert index.manifest is not None
    sha = hashlib.sha256(b"PK archive bytes").hexdigest()
    index.manifest["files"].append({"path": "Alexa/old.zip", "bytes": 16, "sha256": sha})
    assert manifest.check(make_request(), index) == []


def test_no_manifest_is_an_informational_note() -> None:
    b = clean_export()
    b.with_manifest = False
    [f] = manifest.check(make_request(), b.build())
    assert (f.code, f.severity, f.members) == ("manifest-absent", Severity.INFO, ())


def test_a_manifest_without_a_file_list_is_critical() -> None:
    index = clean_export().build()
    assert index.manifest is not None
    index.manifest["files"] = "everything"
    [f] = manifest.check(make_request(), index)
    assert (f.code, f.severity, f.members) == (
        "manifest-invalid",
        Severity.CRITICAL,
        ("manifest.json",),
    )


def test_catalogue_disagreements_each_name_their_utterances() -> None:
    b = clean_export().record("u004", "2018-07-01T10:00:00Z").record("u005", "2018-07-02T10:00:00Z")
    b.catalogue = [dict(r) for r in b.recordings]
    by_id = {r["utterance_id"]: r for r in b.catalogue}
    by_id["u001"]["transcript"] = "Alexa, bestell Katzenfutter"
    by_id["u002"]["device_serial"] = OTHER_SERIAL
    by_id["u003"]["timestamp"] = "2018-06-01T07:16:00Z"
    b.catalogue.remove(by_id["u004"])
    b.catalogue.append({**by_id["u005"], "utterance_id": "z999"})
    found = catalogue.check(make_request(), b.build())
    base = ("Alexa/Transcripts.pdf", "Alexa/VoiceHistory.csv")
    assert _codes_and_members(found) == [
        ("catalogue-mismatch", Severity.CRITICAL, (*base, "Alexa/Audio/u004.wav")),
        ("catalogue-mismatch", Severity.CRITICAL, base),
        ("catalogue-mismatch", Severity.CRITICAL, (*base, "Alexa/Audio/u001.wav")),
        ("catalogue-mismatch", Severity.CRITICAL, (*base, "Alexa/Audio/u002.wav")),
        ("catalogue-mismatch", Severity.CRITICAL, (*base, "Alexa/Audio/u003.wav")),
    ]
    assert "u004" in found[0].detail and "z999" in found[1].detail
    assert "Katzenfutter" in found[2].detail
    assert OTHER_SERIAL in found[3].detail


def test_catalogue_text_is_compared_by_words() -> None:
    b = clean_export()
    b.catalogue = [dict(r) for r in b.recordings]
    b.catalogue[0]["transcript"] = "alexa  spiel Musik\nvon Herbert Grönemeyer"
    assert catalogue.check(make_request(), b.build()) == []


def test_a_recording_the_history_names_but_the_archive_lacks() -> None:
    from reviewer.domain.checks import references

    b = clean_export()
    b.with_manifest = False
    index = b.build()
    index.members = [m for m in index.members if m.path != "Alexa/Audio/u002.wav"]
    [f] = references.check(make_request(), index)
    assert (f.code, f.severity) == ("missing-recording", Severity.WARNING)
    assert f.members == ("Alexa/VoiceHistory.csv", "Alexa/Audio/u002.wav")
    assert "u002" in f.detail


def test_a_missing_recording_the_manifest_lists_is_left_to_the_manifest_check() -> None:
    from reviewer.domain.checks import references

    index = clean_export().build()
    index.members = [m for m in index.members if m.path != "Alexa/Audio/u002.wav"]
    assert references.check(make_request(), index) == []
    [f] = manifest.check(make_request(), index)
    assert f.members == ("Alexa/Audio/u002.wav",)


def _catalogue_without_entries() -> ExportIndex:
    """The clean export, its catalogue read as the reader reads an ordinary document."""
    b = clean_export()
    b.catalogue = []
    index = b.build()
    index.transcript_member = None  # the reader takes no catalogue from a PDF without entries
    return index


def test_a_catalogue_without_entries_is_critical_and_names_the_pdf() -> None:
    index = _catalogue_without_entries()
    [f] = catalogue.check(make_request(), index)
    assert (f.code, f.severity) == ("catalogue-empty", Severity.CRITICAL)
    assert f.members == ("Alexa/Transcripts.pdf", "Alexa/VoiceHistory.csv")
    assert "Alexa/Transcripts.pdf" in f.detail and "no entry in it can be read" in f.detail
    assert f"lists {len(index.recordings)} recordings" in f.detail


def test_a_catalogue_that_is_no_pdf_or_cannot_be_read_says_so() -> None:
    index = _catalogue_without_entries()
    pdf = index.member("Alexa/Transcripts.pdf")
    assert pdf is not None
    pdf.kind, pdf.type_label = MemberKind.TEXT, "plain text"
    [f] = catalogue.check(make_request(), index)
    assert f.code == "catalogue-empty" and "it is not a PDF (plain text)" in f.detail

    index = _catalogue_without_entries()
    index.read_findings = [
        Finding("pdf-unreadable", Severity.WARNING, "PDF cannot be read", "x", (pdf.path,))
    ]
    [f] = catalogue.check(make_request(), index)
    assert f.code == "catalogue-empty" and f.severity is Severity.CRITICAL
    assert "could not be read (pdf-unreadable" in f.detail


def test_a_catalogue_the_reader_blocks_on_or_no_voice_history_gives_no_second_finding() -> None:
    index = _catalogue_without_entries()
    index.read_findings = [
        Finding(
            "pdf-too-large",
            Severity.CRITICAL,
            "PDF too large to check in the time allowed",
            "x",
            ("Alexa/Transcripts.pdf",),
        )
    ]
    assert catalogue.check(make_request(), index) == []
    index = _catalogue_without_entries()
    index.recordings = []
    assert catalogue.check(make_request(), index) == []
    index = _catalogue_without_entries()  # another layout: no catalogue at all
    index.members = [m for m in index.members if m.path != "Alexa/Transcripts.pdf"]
    assert catalogue.check(make_request(), index) == []


def test_a_manifest_that_names_another_request_or_predates_this_one() -> None:
    """The incident's pattern: an archive made earlier, for someone else, attached to this
    request. Only the customer id patched, the manifest's own request id and time give it
    away; a clean manifest, and one of the same request or generated after it, say nothing."""
    request = make_request()
    index = clean_export().build()
    assert manifest_request.check(request, index) == []
    assert isinstance(index.manifest, dict) and request.received_at is not None
    index.manifest["request_id"] = request.request_id.lower()  # the same request
    index.manifest["generated_at"] = (request.received_at + timedelta(days=2)).isoformat()
    assert manifest_request.check(request, index) == []

    index.manifest["requestId"] = "DSAR-2018-0001"
    del index.manifest["request_id"]
    index.manifest["generated_at"] = (request.received_at - timedelta(days=30)).isoformat()
    found = _codes_and_members(manifest_request.check(request, index))
    assert found == [
        ("manifest-other-request", Severity.CRITICAL, ("manifest.json",)),
        ("manifest-other-request", Severity.WARNING, ("manifest.json",)),
    ]
    # within a day of the request: clocks and time zones, not another archive
    index.manifest["generated_at"] = (request.received_at - timedelta(hours=20)).isoformat()
    assert len(manifest_request.check(request, index)) == 1


def test_the_same_request_in_another_spelling_is_no_other_request() -> None:
    """Separators, case, no prefix; a pipeline's own case number beside the request id; a
    generated time in epoch milliseconds after the request arrived: nothing to say."""
    request = make_request()
    assert request.received_at is not None
    index = clean_export().build()
    assert isinstance(index.manifest, dict)
    digits = request.request_id.split("-", 1)[1]
    for named in (
        request.request_id.replace("-", "_"),
        request.request_id.replace("-", ""),
        digits,
    ):
        index.manifest["request_id"] = named
        assert manifest_request.check(request, index) == [], named
    index.manifest["case_id"] = "CASE-77"  # the pipeline's own numbering, not read
    later = int((request.received_at + timedelta(days=1)).timestamp() * 1000)
    index.manifest["generated_at"] = str(later)
    assert manifest_request.check(request, index) == []


def test_catalogue_times_agree_to_the_second() -> None:
    """A voice history that keeps milliseconds and a catalogue that prints whole seconds."""
    from datetime import UTC, datetime

    from reviewer.domain.checks.catalogue import _time_differs
    from reviewer.domain.model import Recording, TranscriptEntry

    at = datetime(2018, 3, 14, 7, 12, 40, tzinfo=UTC)
    entry = TranscriptEntry(at, "2018-03-14 07:12:40", "G0", "U1", "hi", 1)
    rec = Recording("U1", at.replace(microsecond=387_000), "", "G0", "", "", "hi", "v.csv")
    assert not _time_differs(entry, rec)
    assert _time_differs(entry, Recording("U1", at.replace(second=41), "", "G0", "", "", "", ""))
