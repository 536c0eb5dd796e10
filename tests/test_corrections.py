"""Making a flagged export right: marks, corrections, the corrected archive and its proof, and
the corrected version signed and released, on real archives from `sample_archives/`."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import wave
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FAST, add_people, insider_sql, signed_in

from reviewer.archive.review import review_request
from reviewer.cli import main
from reviewer.correct import NOTICE_MEMBER, build_corrected, prove
from reviewer.domain.corrections import (
    REDACTED,
    Correction,
    CorrectionKind,
    Reason,
    Redactor,
    correction_problem,
    plan,
    suggestions,
)
from reviewer.domain.signoff import CHECKLIST_KEYS
from reviewer.domain.states import State
from reviewer.store.errors import PermissionDenied, ReleaseError, SignOffError, UserError
from reviewer.store.service import ReviewService

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_archives"
PEOPLE = [
    ("carol", "supervisor", "carol-fix-passphrase"),
    ("alice", "reviewer", "alice-fix-passphrase"),
    ("bob", "approver", "bob-fix-passphrase"),
]
PASS = {n: p for n, _r, p in PEOPLE}
ALL = dict.fromkeys(CHECKLIST_KEYS, True)
CORRECTED_CODES = {
    "previous-owner": "previous-owner",
    "unknown-device": "unknown-device",
    "mixed-records": "foreign-records",
    "third-party": "third-party-names",
}


def case(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "inbox" / name
    shutil.copytree(SAMPLES / name, folder)
    return folder


def corrected_folder(tmp_path: Path, original: Path, archive: Path) -> Path:
    """A request folder of the original ticket and the corrected archive."""
    folder = tmp_path / "fixed" / original.name
    folder.mkdir(parents=True)
    shutil.copy(original / "request.json", folder / "request.json")
    shutil.copy(archive, folder / "export.zip")
    return folder


# ---------------------------------------------------------------------------------------------
# The rules


def test_a_text_is_found_whatever_its_case_and_accents_and_only_as_whole_words() -> None:
    r = Redactor.of(["Zoë Brennan", "Tom"])
    text = "call ZOE  brennan, then zoë Brennan's phone; Tomato for Tom."
    assert r.redact(text) == (
        f"call {REDACTED}, then {REDACTED}'s phone; Tomato for {REDACTED}.",
        3,
    )
    assert r.found("ZOË BRENNAN") == ["Zoë Brennan"] and r.found("Tomatoes") == []


def test_withholding_a_recording_takes_its_row_and_catalogue_entry(tmp_path: Path) -> None:
    review = review_request(case(tmp_path, "previous-owner"))
    rec = next(r for r in review.index.recordings if r.audio_member)
    by_member = plan(
        [Correction(CorrectionKind.WITHHOLD_MEMBER, rec.audio_member, Reason.NOT_REQUESTERS)],
        review.index,
    )
    by_utterance = plan(
        [Correction(CorrectionKind.WITHHOLD_UTTERANCE, rec.utterance_id, Reason.NOT_REQUESTERS)],
        review.index,
    )
    for p in (by_member, by_utterance):
        assert p.withheld_members == {rec.audio_member}
        assert p.withheld_utterances == {rec.utterance_id}
    bad = [
        Correction(CorrectionKind.WITHHOLD_MEMBER, "Nope/missing.csv", Reason.OTHER),
        Correction(CorrectionKind.WITHHOLD_UTTERANCE, "U-NOT-THERE", Reason.OTHER),
        Correction(CorrectionKind.REDACT_TEXT, "a", Reason.THIRD_PARTY),
        Correction(CorrectionKind.SILENCE, rec.audio_member, Reason.THIRD_PARTY, "", 3.0, 1.0),
        Correction(CorrectionKind.SILENCE, "Account/Profile.json", Reason.THIRD_PARTY),
    ]
    assert all(correction_problem(c, review.index) for c in bad)


# ---------------------------------------------------------------------------------------------
# Each sample case corrected by what its findings suggest, proven and checked again


@pytest.mark.parametrize("name", sorted(CORRECTED_CODES))
def test_each_case_corrected_by_its_suggestions_is_proven_and_passes_check(
    tmp_path: Path, name: str
) -> None:
    folder = case(tmp_path, name)
    review = review_request(folder)
    assert CORRECTED_CODES[name] in {f.code for f in review.report.findings}
    wanted = suggestions(review.report.findings, review.index)
    assert wanted, "the finding suggests its own correction"
    p = plan(wanted, review.index)
    built = build_corrected(
        folder / "export.zip", review.index, review.request, p, tmp_path / "out"
    )
    proof, index = prove(built.path, p)
    assert proof.ok, proof.failures
    # Gone from everywhere: members, voice history, catalogue.
    assert not p.withheld_members & {m.path for m in index.members}
    assert not p.withheld_utterances & {r.utterance_id for r in index.recordings}
    assert not p.withheld_utterances & {t.utterance_id for t in index.transcripts}
    # The original ticket with the corrected archive passes `reviewer check`.
    fixed = corrected_folder(tmp_path, folder, built.path)
    result = CliRunner().invoke(main, ["check", str(fixed), "--json"])
    report = json.loads(result.output)
    assert result.exit_code == 0, report["findings"]
    assert report["verdict"] == "pass" and report["findings"] == []
    # The same archive and corrections give the same bytes.
    again = build_corrected(
        folder / "export.zip", review.index, review.request, p, tmp_path / "again"
    )
    assert again.sha256 == built.sha256
    assert again.path.read_bytes() == built.path.read_bytes()
    # The requester is told what was withheld and why, without being told what it was.
    with zipfile.ZipFile(built.path) as zf:
        notice = zf.read(NOTICE_MEMBER).decode()
        manifest = json.loads(zf.read("manifest.json"))
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
        for path, sha in listed.items():
            assert hashlib.sha256(zf.read(path)).hexdigest() == sha
        assert set(listed) == set(zf.namelist()) - {"manifest.json"}
    assert "GDPR" in notice and review.request.requester.customer_id in notice
    for secret in [*p.withheld_utterances, *p.redactions, *p.withheld_values]:
        assert secret.casefold() not in notice.casefold()


def test_a_third_party_is_redacted_in_text_and_silenced_in_audio(tmp_path: Path) -> None:
    folder = case(tmp_path, "third-party")
    review = review_request(folder)
    rec = next(r for r in review.index.recordings if "Kowalski" in r.transcript)
    wanted = [
        *suggestions(review.report.findings, review.index),
        Correction(
            CorrectionKind.SILENCE,
            rec.audio_member,
            Reason.THIRD_PARTY,
            "the name is spoken here",
            0.2,
            0.9,
        ),
    ]
    p = plan(wanted, review.index)
    built = build_corrected(
        folder / "export.zip", review.index, review.request, p, tmp_path / "out"
    )
    proof, index = prove(built.path, p)
    assert proof.ok, proof.failures
    with zipfile.ZipFile(built.path) as zf, zipfile.ZipFile(folder / "export.zip") as orig:
        history = zf.read("Alexa/VoiceHistory.csv").decode()
        assert "Kowalski" not in history and REDACTED in history
        with wave.open(io.BytesIO(zf.read(rec.audio_member))) as w:
            rate, width = w.getframerate(), w.getsampwidth() * w.getnchannels()
            frames = w.readframes(w.getnframes())
        with wave.open(io.BytesIO(orig.read(rec.audio_member))) as w:
            before = w.readframes(w.getnframes())
    span = frames[int(0.2 * rate) * width : int(0.9 * rate) * width]
    silence = b"\x80" if width == 1 else b"\x00"
    assert span == silence * len(span) and before[: len(span)] != span
    assert frames[: int(0.2 * rate) * width] == before[: int(0.2 * rate) * width]
    names = [t.text for t in index.transcripts if t.utterance_id == rec.utterance_id]
    assert names and "Kowalski" not in names[0]


def _with_member(src: Path, dst: Path, path: str, data: bytes) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        zout.writestr(path, data)


def _pdf_with_title(title: str) -> bytes:
    from datetime import UTC, datetime

    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime(2020, 1, 1, tzinfo=UTC))  # the same bytes every run
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 5, "Meeting notes")
    return bytes(pdf.output())


def _nested_json(key: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(
            zipfile.ZipInfo("contacts.json", (2020, 1, 1, 0, 0, 0)),
            json.dumps({key: "A6GB9TR2LK5M3V"}),
        )
    return buf.getvalue()


# Where redaction cannot reach, by name (the test's id), and how to make that member.
UNREACHABLE: dict[str, tuple[str, Callable[[], bytes]]] = {
    "pdf-metadata": ("Extra/notes.pdf", lambda: _pdf_with_title("Notes for Declan Murphy")),
    "json-key-one-archive-down": ("Extra/more.zip", lambda: _nested_json("Declan Murphy")),
}


@pytest.mark.parametrize("case_name", sorted(UNREACHABLE))
def test_a_name_left_where_redaction_cannot_reach_fails_the_proof(
    tmp_path: Path, case_name: str
) -> None:
    where, make = UNREACHABLE[case_name]
    data = make()
    folder = case(tmp_path, "third-party")
    _with_member(SAMPLES / "third-party" / "export.zip", folder / "export.zip", where, data)
    review = review_request(folder)
    p = plan(
        [Correction(CorrectionKind.REDACT_TEXT, "Declan Murphy", Reason.THIRD_PARTY)], review.index
    )
    built = build_corrected(
        folder / "export.zip", review.index, review.request, p, tmp_path / "out"
    )
    proof, _index = prove(built.path, p)
    assert not proof.ok
    assert any("Declan Murphy" in f and where in f for f in proof.failures), proof.failures


# ---------------------------------------------------------------------------------------------
# Through the store: marks, the corrected version, its sign-offs and its release


@pytest.fixture
def svc(store_url: str) -> Iterator[ReviewService]:
    s = ReviewService.open(store_url, hasher=FAST)
    add_people(s, PEOPLE)
    yield s
    s.close()


def inspect_and_approve(svc: ReviewService, who: str, version_id: int) -> None:
    me = signed_in(svc, who)
    for item in svc.version_detail(version_id).sample.items:
        svc.record_inspection(me, version_id, "played", item.member, item.duration_s or 2.0)
        svc.record_inspection(me, version_id, "viewed_transcript", item.member)
    gate = svc.gate(who, version_id)
    acks = {w.key: "checked" for w in gate.warnings}
    ticked = {key: True for key, _text in gate.checklist}
    if "corrections_reviewed" in ticked:  # a corrected version: its signers confirm it
        assert gate.corrections and gate.proof and all(p.startswith("proven") for p in gate.proof)
        with pytest.raises(SignOffError, match="corrections and their proof"):
            svc.sign_off(who, PASS[who], version_id, "approve", "ok", ALL, acks)
    svc.sign_off(who, PASS[who], version_id, "approve", "ok", ticked, acks)


def test_a_foreign_mark_holds_the_original_and_the_corrected_version_goes_out(
    svc: ReviewService, tmp_path: Path
) -> None:
    folder = case(tmp_path, "third-party")
    review = review_request(folder)
    v1 = svc.ingest(review, folder / "export.zip", actor="test").version_id
    alice = signed_in(svc, "alice")
    rec = next(r for r in review.index.recordings if "Declan" in r.transcript)
    svc.mark(alice, v1, "recording", rec.audio_member, "foreign", "a stranger's voice")
    inspect_and_approve_refused = svc.gate("alice", v1)
    me = signed_in(svc, "alice")
    for item in svc.version_detail(v1).sample.items:
        svc.record_inspection(me, v1, "played", item.member, item.duration_s or 2.0)
        svc.record_inspection(me, v1, "viewed_transcript", item.member)
    gate = svc.gate("alice", v1)
    assert gate.marks == (
        f"not the requester's: recording {rec.audio_member} (by alice): a stranger's voice",
    )
    assert not gate.allowed and gate.can_reject
    assert any("Marked not the requester's by alice" in r for r in gate.reasons)
    assert "marked foreign" not in gate.sampling_statement
    assert inspect_and_approve_refused.allowed is False
    # The finding's suggestions, then the foreign recording withheld with them.
    for c in svc.suggested_corrections(v1):
        svc.propose_correction(alice, v1, c)
    # The names alone would leave the marked recording in: a mark is never dropped silently.
    with pytest.raises(UserError, match="foreign mark stands"):
        svc.apply_corrections(alice, v1)
    svc.propose_correction(
        alice,
        v1,
        Correction(
            CorrectionKind.WITHHOLD_UTTERANCE, rec.utterance_id, Reason.NOT_REQUESTERS, "marked"
        ),
    )
    withdrawn = svc.propose_correction(
        alice, v1, Correction(CorrectionKind.REDACT_TEXT, "weather", Reason.OTHER, "a slip")
    )
    svc.withdraw_correction(alice, withdrawn.id)
    assert [c.correction.kind.value for c in svc.version_detail(v1).corrections].count(
        "redact-text"
    ) == 3
    fixed = svc.apply_corrections(alice, v1)
    assert fixed.proof_ok and fixed.report.verdict.value == "pass"
    d2 = svc.request_detail(review.request.request_id)
    assert d2.version_id == fixed.version_id and d2.corrected_from == 1
    assert d2.archive_sha256 == fixed.archive_sha256 != review.report.archive_sha256
    assert svc.version_detail(v1).state is State.SUPERSEDED
    # A second terminal still on the original cannot correct it again, nor mark it.
    with pytest.raises(PermissionDenied, match="newer archive or ticket"):
        svc.apply_corrections(signed_in(svc, "bob"), v1)
    with pytest.raises(PermissionDenied, match="newer archive or ticket"):
        svc.mark(signed_in(svc, "bob"), v1, "recording", rec.audio_member, "doubtful")
    assert d2.correction is not None
    assert [c["target"] for c in d2.correction["corrections"]].count("weather") == 0
    # The original again from the inbox changes nothing: it never comes back.
    again = svc.ingest(review, folder / "export.zip", actor="test")
    assert again.outcome == "unchanged" and again.version_id == fixed.version_id
    # Both sign-offs and the release bind to the corrected bytes.
    inspect_and_approve(svc, "alice", fixed.version_id)
    inspect_and_approve(svc, "bob", fixed.version_id)
    receipt = svc.release(signed_in(svc, "bob"), review.request.request_id, tmp_path / "out")
    delivered = tmp_path / "out" / review.request.request_id / "export.zip"
    assert receipt.archive_sha256 == fixed.archive_sha256
    assert hashlib.sha256(delivered.read_bytes()).hexdigest() == fixed.archive_sha256
    with zipfile.ZipFile(delivered) as zf:
        assert rec.audio_member not in zf.namelist()
        assert "Declan" not in zf.read("Alexa/VoiceHistory.csv").decode()
    # The disclosure record beside it: who marked and corrected what, why, the proof, what
    # each signer heard and saw, and the release's checkpoint.
    record = json.loads((delivered.parent / "disclosure-record.json").read_text())
    assert record["export"]["archive_sha256"] == fixed.archive_sha256
    assert record["export"]["corrected_from_version"] == 1
    assert [m["kind"] for m in record["marks"]] == ["foreign"] and record["marks"][0][
        "by"
    ] == "alice"
    assert {c["by"] for c in record["corrections"]["corrections"]} == {"alice"}
    assert {c["reason"] for c in record["corrections"]["corrections"]} == {
        "third-party",
        "not-requesters",
    }
    assert record["corrections"]["proof"]["ok"] is True
    assert [(s["name"], s["decision"]) for s in record["signers"]] == [
        ("alice", "approve"),
        ("bob", "approve"),
    ]
    assert all(
        s["played_seconds"] and s["viewed"] and all(s["checklist"].values())
        for s in record["signers"]
    )
    assert record["release"]["audit_checkpoint"]["size"] >= 1
    page = (delivered.parent / "disclosure-record.html").read_text()
    assert "<html" in page.lower() and "Disclosure record" in page and "proven" in page
    status = svc.audit_status()
    assert status.ok, status.message
    from sqlmodel import Session

    from reviewer.store import audit_log

    with Session(svc.engine) as s:
        actions = [e.action for e in audit_log.iter_events(s)]
        latest = audit_log.latest_checkpoint(s)
    for action in ("mark", "correction-proposed", "correction-withdrawn", "corrections-applied"):
        assert action in actions
    assert latest is not None and latest.size == len(actions)


def test_a_mark_after_both_approvals_stops_the_release(svc: ReviewService, tmp_path: Path) -> None:
    folder = case(tmp_path, "unknown-device")
    review = review_request(folder)
    v1 = svc.ingest(review, folder / "export.zip", actor="test").version_id
    alice = signed_in(svc, "alice")
    for c in svc.suggested_corrections(v1):
        svc.propose_correction(alice, v1, c)
    fixed = svc.apply_corrections(alice, v1)
    inspect_and_approve(svc, "alice", fixed.version_id)
    inspect_and_approve(svc, "bob", fixed.version_id)
    member = next(m.path for m in svc.version_detail(fixed.version_id).index.audio_members)
    svc.mark(signed_in(svc, "bob"), fixed.version_id, "recording", member, "foreign")
    with pytest.raises(ReleaseError, match="not the requester's"):
        svc.release(signed_in(svc, "bob"), review.request.request_id, tmp_path / "out")
    assert not (tmp_path / "out" / review.request.request_id).exists()
    with pytest.raises(UserError, match="no recording"):
        svc.mark(alice, fixed.version_id, "recording", "Alexa/Audio/nobody.wav", "foreign")
    assert svc.audit_status().ok, svc.audit_status().message
    # An insider's correction, written in SQL in alice's name, has no event: verify says so.
    insider_sql(
        svc.url,
        [
            (
                "INSERT INTO corrections (version_id, reviewer_id, kind, target, reason, note, at) "
                "VALUES (?, (SELECT id FROM reviewers WHERE name = 'alice'), 'redact-text', 'Smith', "
                "'other', '', '2026-01-01 00:00:00')",
                (fixed.version_id,),
            )
        ],
    )
    status = svc.audit_status()
    assert not status.ok and "correction row" in status.message and "alice" in status.message
    # And a mark taken out of the table leaves its event without a row.
    insider_sql(svc.url, ["DELETE FROM corrections WHERE target = 'Smith'", "DELETE FROM marks"])
    status = svc.audit_status()
    assert not status.ok and "mark" in status.message and "no mark row" in status.message


def test_a_foreign_mark_withdrawn_in_sql_still_holds_the_release(
    svc: ReviewService, tmp_path: Path
) -> None:
    """An insider marks the withdrawal of a reviewer's "not the requester's" mark in the table
    only: the signers no longer see it, but the release asks the audit trail, where the mark
    stands, and refuses before anything is written."""
    folder = case(tmp_path, "clean")
    review = review_request(folder)
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    member = next(m.path for m in svc.version_detail(vid).index.audio_members)
    svc.mark(signed_in(svc, "alice"), vid, "recording", member, "foreign")
    insider_sql(svc.url, ["UPDATE marks SET withdrawn_at = '2026-01-01 00:00:00'"])
    inspect_and_approve(svc, "alice", vid)
    inspect_and_approve(svc, "bob", vid)
    with pytest.raises(ReleaseError, match="mark by alice"):
        svc.release(signed_in(svc, "bob"), review.request.request_id, tmp_path / "out")
    assert not (tmp_path / "out" / review.request.request_id).exists()


# ---------------------------------------------------------------------------------------------
# The command line


def run(url: str, *args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(main, ["--db", url, *args], input=input)
    assert "Traceback" not in result.output + (result.stderr or "")
    return result


def test_redact_from_the_command_line(store_url: str, tmp_path: Path) -> None:
    with ReviewService.open(store_url, hasher=FAST) as s:
        add_people(s, PEOPLE)
        folder = case(tmp_path, "mixed-records")
        review = review_request(folder)
        s.ingest(review, folder / "export.zip", actor="test")
        foreign = next(f for f in review.report.findings if f.code == "foreign-records")
    rid = review.request.request_id
    base = [
        "redact",
        rid,
        "--as",
        "alice",
        "--passphrase-stdin",
        "--reason",
        "not-requesters",
        "--note",
        "another customer's rows",
    ]
    unknown = run(store_url, *base, "--withhold", "No/such.csv", input="alice-fix-passphrase\n")
    assert unknown.exit_code == 2 and "no member No/such.csv" in unknown.stderr
    # Redacting the other account's id, however written, would leave its records in,
    # no longer showing whose they are: refused, here and by the service itself.
    theirs = foreign.subjects[0]
    grouped = " ".join(theirs[i : i + 4] for i in range(0, len(theirs), 4)).lower()
    for text in (theirs, f"customer {grouped}", "\u00c1" + theirs[1:]):  # Á: one accent
        hidden = run(store_url, *base, "--text", text, input="alice-fix-passphrase\n")
        assert hidden.exit_code == 2 and "withhold its records instead" in hidden.stderr
    with ReviewService.open(store_url, hasher=FAST) as s:
        vid = s.request_detail(rid).version_id
        with pytest.raises(UserError, match="withhold its records instead"):
            s.propose_correction(
                signed_in(s, "alice", "alice-fix-passphrase"),
                vid,
                Correction(CorrectionKind.REDACT_TEXT, theirs, Reason.NOT_REQUESTERS, "rows"),
            )
    wrong = run(
        store_url, *base, "--withhold-records", foreign.subjects[0], input="not-her-passphrase\n"
    )
    assert wrong.exit_code == 1
    ok = run(
        store_url,
        *base,
        "--withhold-records",
        foreign.subjects[0],
        "--json",
        input="alice-fix-passphrase\n",
    )
    assert ok.exit_code == 0, ok.stderr
    doc = json.loads(ok.output)
    assert doc["version"] == 2 and doc["proof"]["ok"] is True and doc["verdict"] == "pass"
    assert Path(doc["archive"]).is_file() and doc["findings"] == []
    assert {"request_id", "archive_sha256", "stats"} <= set(doc)
    nothing = run(
        store_url,
        "redact",
        rid,
        "--as",
        "alice",
        "--passphrase-stdin",
        "--reason",
        "other",
        "--note",
        "n",
    )
    assert nothing.exit_code == 2


def test_redact_silences_a_span_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with ReviewService.open(url, hasher=FAST) as s:
        add_people(s, PEOPLE)
        folder = case(tmp_path, "third-party")
        review = review_request(folder)
        s.ingest(review, folder / "export.zip", actor="test")
    rec = next(r for r in review.index.recordings if "Kowalski" in r.transcript)
    r = run(
        url,
        "redact",
        review.request.request_id,
        "--as",
        "alice",
        "--passphrase-stdin",
        "--text",
        "Dr. Miriam Kowalski",
        "--silence",
        f"{rec.audio_member}@0.1-0.6",
        "--reason",
        "third-party",
        "--note",
        "a doctor's name",
        "--json",
        input="alice-fix-passphrase\n",
    )
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.output)
    silenced = next(c for c in doc["proof"]["checks"] if c["what"].startswith("silenced"))
    assert silenced["ok"] and silenced["detail"].startswith("1 span,")


def test_a_supervisor_writes_the_record_of_any_request(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with ReviewService.open(url, hasher=FAST) as s:
        add_people(s, PEOPLE)
        folder = case(tmp_path, "previous-owner")
        review = review_request(folder)
        vid = s.ingest(review, folder / "export.zip", actor="test").version_id
        s.mark(signed_in(s, "alice"), vid, "member", "Devices/Devices.csv", "doubtful", "odd")
    rid = review.request.request_id
    page, doc = tmp_path / "record.html", tmp_path / "record.json"
    by_alice = run(
        url,
        "record",
        rid,
        "--out",
        str(doc),
        "--as",
        "alice",
        "--passphrase-stdin",
        input="alice-fix-passphrase\n",
    )
    assert by_alice.exit_code == 1 and not doc.exists()
    for out in (page, doc):
        r = run(
            url,
            "record",
            rid,
            "--out",
            str(out),
            "--as",
            "carol",
            "--passphrase-stdin",
            input="carol-fix-passphrase\n",
        )
        assert r.exit_code == 0, r.stderr
    record = json.loads(doc.read_text())
    assert record["request"]["request_id"] == rid and record["release"] is None
    assert record["marks"][0]["note"] == "odd" and record["signers"] == []
    assert "previous-owner" in page.read_text()
    again = run(
        url,
        "record",
        rid,
        "--out",
        str(doc),
        "--as",
        "carol",
        "--passphrase-stdin",
        input="carol-fix-passphrase\n",
    )
    assert again.exit_code == 2 and "exists" in again.stderr


def test_corrected_archives_go_to_the_shared_folder_when_one_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared" / "corrected"
    monkeypatch.setenv("REVIEWER_CORRECTED_DIR", str(shared))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with ReviewService.open(url, hasher=FAST) as s:
        add_people(s, PEOPLE)
        folder = case(tmp_path, "unknown-device")
        review = review_request(folder)
        vid = s.ingest(review, folder / "export.zip", actor="test").version_id
        alice = signed_in(s, "alice")
        for c in s.suggested_corrections(vid):
            s.propose_correction(alice, vid, c)
        fixed = s.apply_corrections(alice, vid)
    assert fixed.archive_path.parent == shared / review.request.request_id
    assert fixed.archive_path.name == f"{fixed.archive_sha256}.zip"
    assert not (tmp_path / "corrected").exists()
