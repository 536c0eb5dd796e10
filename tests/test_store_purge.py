"""Storage limitation on SQLite and PostgreSQL: the retention policy, the purge of released and
rejected requests past it, nothing of theirs left in the database or the data directory, the
decisions and the audit chain intact, and a purge killed part-way carried on by the next."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FAST, Clock, MakeReview, add_people, insider_sql, signed_in
from test_store_service import PASS, WARN, approve, events

from reviewer.cli import main
from reviewer.domain.corrections import Correction, CorrectionKind, Reason
from reviewer.domain.request import request_from_dict
from reviewer.domain.review import Review
from reviewer.store.errors import PermissionDenied, UserError
from reviewer.store.paths import corrected_dir, key_dir, resolve_url, sqlite_file
from reviewer.store.service import ReviewService

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def svc(store_url: str, clock: Clock) -> Iterator[ReviewService]:
    with ReviewService.open(store_url, clock=clock, hasher=FAST) as s:
        people = (("carol", "supervisor"), ("alice", "reviewer"), ("bob", "approver"))
        add_people(s, [(name, role, PASS[name]) for name, role in people])
        yield s


def person(review: Review, n: int) -> tuple[Review, dict[str, str]]:
    """The review with a requester of its own: name, customer id, e-mail, phone and household,
    each a string found nowhere else; returns them too."""
    who = {
        "name": f"Philippa Quenby{n}",
        "customer_id": f"QZ{n:02d}XK7PLW3M9",
        "email": f"philippa{n}.quenby@example.org",
        "phone": f"+44 20 7946 0{n:03d}",
        "household": f"Barnaby Quenby{n}",
    }
    ticket = dict(review.request.raw)
    ticket["requester"] = {
        **ticket["requester"],
        "name": who["name"],
        "customer_id": who["customer_id"],
        "email": who["email"],
        "phone": who["phone"],
        "household": [{"name": who["household"], "relation": "partner"}],
        "addresses": [{"country": "GB", "street": f"{n} Quenby Lane", "city": "London"}],
    }
    index = review.index
    recordings = [
        dataclasses.replace(r, customer_id=who["customer_id"], transcript=f"call {who['name']}")
        for r in index.recordings
    ]
    transcripts = [
        dataclasses.replace(t, text=f"call {who['name']} now") for t in index.transcripts
    ]
    sha = _as_theirs(Path(index.archive_path), ticket, who)
    index = dataclasses.replace(
        index,
        archive_sha256=sha,
        archive_bytes=Path(index.archive_path).stat().st_size,  # as the reader gives it
        recordings=recordings,
        transcripts=transcripts,
        profile={"customer_id": who["customer_id"], "name": who["name"], "email": who["email"]},
    )
    report = dataclasses.replace(review.report, archive_sha256=sha)
    request = request_from_dict(ticket)
    return dataclasses.replace(review, request=request, index=index, report=report), who


def _as_theirs(archive: Path, ticket: dict[str, Any], who: dict[str, str]) -> str:
    """The request folder made the new requester's, as the pipeline would have written it:
    its ticket, and the export's profile and voice history under their name and id (the
    release reads both again). The archive's new SHA-256."""
    (archive.parent / "request.json").write_text(json.dumps(ticket))
    with zipfile.ZipFile(archive) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    for path in ("Account/Profile.json", "Alexa/VoiceHistory.csv"):
        members[path] = (
            members[path]
            .replace(b"A1B2C3D4E5F6G7", who["customer_id"].encode())
            .replace(b"Jonas Weber", who["name"].encode())
            .replace(b"jonas@example.de", who["email"].encode())
        )
    with zipfile.ZipFile(archive, "w") as z:
        for path, data in members.items():
            z.writestr(path, data)
    return hashlib.sha256(archive.read_bytes()).hexdigest()


def released_and_rejected(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> tuple[dict[str, str], dict[str, str]]:
    """DSAR-P-1 released (claimed and handed over, its clock paused and resumed, a recording
    marked), DSAR-P-2 corrected (a recording withheld, the requester's name redacted) and
    rejected; each with a requester of its own. Every text people typed names the requester or
    the household, as reviewers' notes do."""
    review, folder = make_review("DSAR-P-1", findings=[WARN])
    review, one = person(review, 1)
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    svc.claim(signed_in(svc, "alice"), "DSAR-P-1", f"calling {one['name']} first")
    svc.hand_over(signed_in(svc, "alice"), "DSAR-P-1", "bob", f"{one['phone']} rang back")
    svc.unclaim(signed_in(svc, "bob"), "DSAR-P-1")
    svc.pause(signed_in(svc, "alice"), "DSAR-P-1", f"asked {one['email']} for a copy of ID")
    svc.resume(signed_in(svc, "alice"), "DSAR-P-1", f"ID of {one['name']} arrived")
    svc.mark(
        signed_in(svc, "alice"),
        vid,
        "recording",
        "Alexa/Audio/u0002.wav",
        "third-party",
        f"the voice of {one['household']}",
    )
    acks = {f"{i}:{w.code}": f"checked {one['customer_id']}" for i, w in enumerate([WARN])}
    approve(svc, "alice", vid, acks)
    approve(svc, "bob", vid, acks)
    svc.release(signed_in(svc, "bob"), "DSAR-P-1", tmp_path / "out")

    review, folder = make_review("DSAR-P-2", seed=2)
    review, two = person(review, 2)
    vid2 = svc.ingest(review, folder / "export.zip", actor="test").version_id
    svc.propose_correction(
        signed_in(svc, "alice"),
        vid2,
        Correction(
            CorrectionKind.WITHHOLD_MEMBER,
            "Alexa/Audio/u0001.wav",
            Reason.THIRD_PARTY,
            f"{two['household']} speaking",
        ),
    )
    svc.propose_correction(
        signed_in(svc, "alice"),
        vid2,
        Correction(CorrectionKind.REDACT_TEXT, two["name"], Reason.THIRD_PARTY),
    )
    corrected = svc.apply_corrections(signed_in(svc, "alice"), vid2)
    assert corrected.archive_path.exists()
    svc.reject("alice", PASS["alice"], corrected.version_id, f"not {two['email']}'s: a stranger's")
    return one, two


def stored_text(svc: ReviewService) -> bytes:
    """Every byte the store keeps: on SQLite the database file and its -wal after a checkpoint;
    on PostgreSQL every text, character and JSON column of every table of its schema."""
    url = resolve_url(svc.url)
    file = sqlite_file(url)
    if file is not None:
        return b"".join(p.read_bytes() for p in file.parent.glob(file.name + "*") if p.is_file())
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    out = []
    with psycopg.connect(plain, autocommit=True) as pg:
        schema = pg.execute("SELECT current_schema()").fetchone()
        assert schema is not None
        columns = pg.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND data_type IN "
            "('text', 'character varying', 'json', 'jsonb', 'character')",
            (schema[0],),
        ).fetchall()
        assert len(columns) > 20
        for table, column in columns:
            for (value,) in pg.execute(f'SELECT "{column}"::text FROM "{table}"'):
                out.append(str(value or ""))
    return "\n".join(out).encode()


def data_dir_bytes(svc: ReviewService) -> bytes:
    out = []
    for base in {key_dir(svc.url), corrected_dir(svc.url)}:
        for p in base.rglob("*") if base.exists() else ():
            if p.is_file():
                out.append(p.read_bytes())
    return b"\n".join(out)


def traces(blob: bytes, who: dict[str, str]) -> list[str]:
    found = [f"{k}: {v}" for k, v in who.items() if v.encode() in blob]
    found += [f"json {k}" for k, v in who.items() if json.dumps(v)[1:-1].encode() in blob]
    return found


def test_purge_leaves_no_trace_keeps_every_decision_and_the_chain_verifies(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    one, two = released_and_rejected(svc, make_review, tmp_path)
    assert traces(stored_text(svc), one) and traces(stored_text(svc), two)
    history_before = [(r.request_id, r.stage, r.decision, r.reviewer, r.at) for r in svc.history()]
    svc.set_policy(signed_in(svc, "carol"), retention_days=0)

    run = svc.purge(signed_in(svc, "carol"))

    assert sorted(p.request_id for p in run.purged) == ["DSAR-P-1", "DSAR-P-2"]
    assert svc.audit_status().ok, svc.audit_status().message
    history_after = [(r.request_id, r.stage, r.decision, r.reviewer, r.at) for r in svc.history()]
    assert history_after == history_before
    assert all(r.note == "" for r in svc.history())
    for who in (one, two):
        assert traces(stored_text(svc), who) == []
        assert traces(data_dir_bytes(svc), who) == []
    assert not (corrected_dir(svc.url) / "DSAR-P-2").exists()
    # What proves the decision stays: hashes, verdicts, finding codes, the record's digest.
    detail = svc.request_detail("DSAR-P-1")
    assert detail.state.value == "released" and len(detail.archive_sha256) == 64
    assert [f.code for f in detail.report.findings] == [WARN.code]
    assert detail.index.members == [] and detail.index.transcripts == []
    purged = [e for e in events(svc) if e["action"] == "purge"]
    assert [e["subject"] for e in purged] == ["request:DSAR-P-1", "request:DSAR-P-2"]
    first = purged[0]["payload"]
    assert first["removed"]["transcripts"] == 6
    assert purged[1]["payload"]["removed"]["files"] >= 1
    assert len(first["disclosure_record_sha256"]) == 64
    clock = svc.clock("DSAR-P-1")
    assert clock is not None and [c.reason for c in clock.history] == ["", ""]
    # The events keep their seals; the texts read as purged, and no other field changed.
    signed = svc.audit_events(signed_in(svc, "carol"), about="DSAR-P-1", action="sign-off")
    assert len(signed) == 2
    assert all(e.data["note"] == e.data["acknowledged"] == "(purged)" for e in signed)
    assert {e.data["stage"] for e in signed} == {"first", "second"}

    # A purged request is closed: a new export under its id is refused, the store unchanged.
    review, folder = make_review("DSAR-P-1", seed=9)
    with pytest.raises(UserError, match="DSAR-P-1 was purged on .*: it is closed"):
        svc.ingest(review, folder / "export.zip", actor="test")

    # Idempotent: nothing is due any more, nothing changes.
    count = len(events(svc))
    again = svc.purge(signed_in(svc, "carol"))
    assert again.purged == [] and again.due == [] and len(events(svc)) == count


def test_only_decided_requests_past_the_period_are_purged(
    svc: ReviewService, make_review: MakeReview, clock: Clock, store_url: str
) -> None:
    review, folder = make_review("DSAR-P-3")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    review, folder = make_review("DSAR-P-4", seed=4)
    svc.ingest(review, folder / "export.zip", actor="test")
    svc.reject("alice", PASS["alice"], vid, "wrong account")
    with pytest.raises(PermissionDenied):
        svc.purge(signed_in(svc, "bob"))
    # Within the default 30 days nothing is due; a request named is refused with the reason.
    run = svc.purge(signed_in(svc, "carol"), request_ids=["DSAR-P-3", "DSAR-P-4"])
    assert run.purged == []
    assert "kept until" in run.refused["DSAR-P-3"]
    assert "DSAR-P-4 is pending: only released or rejected" in run.refused["DSAR-P-4"]
    if store_url.startswith("sqlite"):  # the service's clock decides on SQLite
        clock.advance(days=30, seconds=1)
    else:  # the server's clock decides on PostgreSQL
        svc.set_policy(signed_in(svc, "carol"), retention_days=0)
    dry = svc.purge(signed_in(svc, "carol"), dry_run=True)
    assert [r.request_id for r in dry.due] == ["DSAR-P-3"] and dry.purged == []
    assert svc.retention(["DSAR-P-3"])[0].purged_at is None
    run = svc.purge(signed_in(svc, "carol"), request_ids=["DSAR-P-3", "DSAR-P-4"])
    assert [p.request_id for p in run.purged] == ["DSAR-P-3"]
    assert list(run.refused) == ["DSAR-P-4"]
    assert svc.request_detail("DSAR-P-4").request.requester.name == "Jonas Weber"
    assert svc.audit_status().ok


def test_retention_policy_bounds_audited_and_held_by_the_database(
    svc: ReviewService, store_url: str
) -> None:
    assert svc.policy().retention_days == 30
    for bad in (-1, 5000):
        with pytest.raises(UserError, match="retention period must be 0 to"):
            svc.set_policy(signed_in(svc, "carol"), retention_days=bad)
    assert svc.set_policy(signed_in(svc, "carol"), retention_days=90).retention_days == 90
    change = [e for e in events(svc) if e["action"] == "policy-change"][-1]["payload"]
    assert change["before"]["retention_days"] == 30 and change["after"]["retention_days"] == 90
    assert svc.audit_status().ok
    with pytest.raises(Exception, match="bounds|ck_policy_bounds"):
        insider_sql(store_url, ["UPDATE policy SET retention_days = -5"])
    insider_sql(store_url, ["UPDATE policy SET retention_days = 7"])
    status = svc.audit_status()
    assert not status.ok and "policy in the store is not the one" in status.message


def test_a_signoff_is_fixed_and_its_texts_are_emptied_only_by_a_purge(
    svc: ReviewService, make_review: MakeReview, store_url: str
) -> None:
    review, folder = make_review("DSAR-P-5")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    svc.reject("alice", PASS["alice"], vid, "wrong account")
    for sql in (
        "UPDATE signoffs SET decision = 'approve'",
        "UPDATE signoffs SET note = ''",
        "DELETE FROM signoffs",
    ):
        with pytest.raises(Exception, match="a sign-off never changes"):
            insider_sql(store_url, [sql])
    svc.set_policy(signed_in(svc, "carol"), retention_days=0)
    assert [p.request_id for p in svc.purge(signed_in(svc, "carol")).purged] == ["DSAR-P-5"]
    (row,) = svc.history()
    assert row.note == "" and row.decision.value == "reject"
    with pytest.raises(Exception, match="a sign-off never changes"):
        insider_sql(store_url, ["UPDATE signoffs SET note = 'rewritten'"])


def test_what_people_typed_is_sealed_beside_the_chain_and_only_a_purge_removes_it(
    svc: ReviewService, make_review: MakeReview, store_url: str, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-P-6")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    svc.reject("alice", PASS["alice"], vid, "the voice is Barnaby Quenby's")
    (recorded,) = [e for e in events(svc) if e["action"] == "rejection"]
    # The chain holds the seal, not the note; the supervisor reads the note as written.
    assert "note" not in recorded["recorded"] and "Barnaby" not in json.dumps(recorded["recorded"])
    assert "note" in recorded["recorded"]["sealed"]["fields"]
    assert recorded["payload"]["note"] == "the voice is Barnaby Quenby's"
    (shown,) = svc.audit_events(signed_in(svc, "carol"), about="Barnaby")
    assert shown.data["note"] == "the voice is Barnaby Quenby's" and shown.seq == recorded["seq"]
    rows = svc.export_audit_csv(signed_in(svc, "carol"), tmp_path / "audit.csv")
    with (tmp_path / "audit.csv").open() as f:
        exported = [r for r in csv.DictReader(f) if r["action"] == "rejection"]
    assert rows >= 3 and "Barnaby Quenby" in exported[0]["sealed_texts"]

    # The database refuses changing, deleting or adding texts while the request is kept.
    for sql in (
        'UPDATE audit_text SET texts = \'{"note":"fine"}\'',
        "DELETE FROM audit_text",
        f"INSERT INTO audit_text (seq, request_id, salt, texts) VALUES (1, 'DSAR-P-6', "
        f"'{'00' * 32}', '{{}}')",
    ):
        with pytest.raises(Exception, match="audit_text: "):
            insider_sql(store_url, [sql])
    assert svc.audit_status().ok

    # With the triggers out of the way, the audit names what was done.
    insider_sql(store_url, ['UPDATE audit_text SET texts = \'{"note":"fine"}\''], bypass=True)
    status = svc.audit_status()
    assert not status.ok and "not the ones it sealed" in status.message, status.message


@pytest.mark.parametrize("forgery", ["deleted", "added"])
def test_sealed_texts_removed_or_added_around_the_reviewer_fail_the_audit(
    svc: ReviewService, make_review: MakeReview, store_url: str, forgery: str
) -> None:
    review, folder = make_review("DSAR-P-7")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    svc.reject("alice", PASS["alice"], vid, "a stranger's recordings")
    if forgery == "deleted":
        insider_sql(store_url, ["DELETE FROM audit_text"], bypass=True)
        expected = "no longer kept, but request DSAR-P-7 was not purged"
    else:
        (ingest,) = [e for e in events(svc) if e["action"] == "ingest"]
        insider_sql(
            store_url,
            [
                (
                    "INSERT INTO audit_text (seq, request_id, salt, texts) VALUES (?, ?, ?, ?)",
                    (ingest["seq"], "DSAR-P-7", "00" * 32, '{"note":"planted"}'),
                )
            ],
            bypass=True,
        )
        expected = "which sealed none"
    status = svc.audit_status()
    assert not status.ok and expected in status.message, status.message


def test_a_purged_request_is_closed_to_everyone_and_the_database_holds_it_closed(
    svc: ReviewService, make_review: MakeReview, store_url: str
) -> None:
    review, folder = make_review("DSAR-P-8")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    svc.claim(signed_in(svc, "alice"), "DSAR-P-8", "mine")
    svc.reject("alice", PASS["alice"], vid, "a stranger's recordings")
    svc.set_policy(signed_in(svc, "carol"), retention_days=0)
    assert [p.request_id for p in svc.purge(signed_in(svc, "carol")).purged] == ["DSAR-P-8"]
    # The purge ended the claim on the rejected request; nobody holds it.
    assert svc.hold("DSAR-P-8") is None
    closed = "DSAR-P-8 was purged on .*: it is closed"
    attempts: list[Callable[[], object]] = [
        lambda: svc.claim(signed_in(svc, "alice"), "DSAR-P-8", "Quenby again"),
        lambda: svc.assign(signed_in(svc, "carol"), "DSAR-P-8", "alice", "Quenby"),
        lambda: svc.mark(
            signed_in(svc, "alice"), vid, "recording", "Alexa/Audio/u0001.wav", "foreign", "Q"
        ),
        lambda: svc.propose_correction(
            signed_in(svc, "alice"),
            vid,
            Correction(CorrectionKind.REDACT_TEXT, "Philippa Quenby", Reason.THIRD_PARTY),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(UserError, match=closed):
            attempt()
    # Written around the service, the database refuses it too.
    with pytest.raises(Exception, match="the request is purged: it is closed"):
        insider_sql(
            store_url,
            [
                "INSERT INTO claims (request_id, holder_id, kind, by_id, note, at) "
                "SELECT 'DSAR-P-8', id, 'claim', id, 'Philippa Quenby', '2018-08-20 10:00:00' "
                "FROM reviewers WHERE name = 'alice'"
            ],
        )
    assert svc.audit_status().ok


def test_a_claim_written_while_a_purge_starts_is_emptied_by_it(
    svc: ReviewService, make_review: MakeReview, store_url: str
) -> None:
    """PostgreSQL: a second connection's claim, not yet committed when the purge starts, holds
    the request (the trigger's FOR SHARE); the purge waits for it and empties what it wrote."""
    if not store_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers: nothing is written beside a purge")
    import threading
    import time

    import psycopg

    review, folder = make_review("DSAR-P-10")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    svc.reject("alice", PASS["alice"], vid, "a stranger's")
    svc.set_policy(signed_in(svc, "carol"), retention_days=0)
    plain = resolve_url(store_url).replace("postgresql+psycopg://", "postgresql://")
    runs: list[Any] = []
    with psycopg.connect(plain) as writer, psycopg.connect(plain, autocommit=True) as watcher:
        writer.execute(
            "INSERT INTO claims (request_id, holder_id, kind, by_id, note, at) "
            "SELECT 'DSAR-P-10', id, 'claim', id, 'Philippa Quenby', now() FROM reviewers "
            "WHERE name = 'alice'"
        )
        purger = threading.Thread(target=lambda: runs.append(svc.purge(signed_in(svc, "carol"))))
        purger.start()
        deadline = time.monotonic() + 120  # a guard against a hang, not a speed test
        while not watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"
        ).fetchone()[0]:  # type: ignore[index]
            assert purger.is_alive() and time.monotonic() < deadline, "the purge did not wait"
            time.sleep(0.05)
        writer.commit()
        purger.join(timeout=120)
    assert [p.request_id for p in runs[0].purged] == ["DSAR-P-10"]
    assert svc.hold("DSAR-P-10") is None
    assert b"Philippa Quenby" not in stored_text(svc)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE marks SET note = 'rewritten'",
        "UPDATE clock_changes SET reason = ''",
        "UPDATE claims SET note = 'rewritten'",
        "UPDATE corrections SET note = 'rewritten'",
    ],
)
def test_a_typed_text_changed_in_its_table_fails_the_audit(
    svc: ReviewService, make_review: MakeReview, store_url: str, sql: str
) -> None:
    review, folder = make_review("DSAR-P-9")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    alice = signed_in(svc, "alice")
    svc.claim(alice, "DSAR-P-9", "taking it")
    svc.pause(alice, "DSAR-P-9", "asked for ID")
    svc.mark(alice, vid, "recording", "Alexa/Audio/u0002.wav", "doubtful", "a second voice")
    svc.propose_correction(
        alice,
        vid,
        Correction(CorrectionKind.WITHHOLD_MEMBER, "Alexa/Audio/u0002.wav", Reason.OTHER, "why"),
    )
    assert svc.audit_status().ok
    insider_sql(store_url, [sql])
    status = svc.audit_status()
    assert not status.ok and "has no" in status.message, status.message


def _cli(store_url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REVIEWER_DB": store_url}
    return subprocess.Popen(
        [sys.executable, "-m", "reviewer", "purge", "--as", "carol", "--passphrase-stdin", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_a_purge_killed_part_way_is_carried_on_by_the_next(
    svc: ReviewService, make_review: MakeReview, store_url: str
) -> None:
    ids = [f"DSAR-P-K{i}" for i in range(5)]
    for n, rid in enumerate(ids):
        review, folder = make_review(rid, seed=n)
        vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
        svc.reject("alice", PASS["alice"], vid, "wrong account")
    svc.set_policy(signed_in(svc, "carol"), retention_days=0)
    proc = _cli(store_url)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(PASS["carol"] + "\n")
    proc.stdin.close()
    first = proc.stdout.readline()
    assert ": purged (" in first, first + (proc.stderr.read() if proc.stderr else "")
    # Hold the store so the next request's turn waits, then kill the purge mid-way.
    with _holding(store_url):
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    done = [r.request_id for r in svc.retention(ids) if r.purged_at is not None]
    assert 1 <= len(done) < len(ids)
    assert svc.audit_status().ok

    result = CliRunner().invoke(
        main,
        ["--db", store_url, "purge", "--as", "carol", "--passphrase-stdin", "--json"],
        input=PASS["carol"] + "\n",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert sorted(p["request_id"] for p in out["purged"]) == sorted(set(ids) - set(done))
    assert all(r.purged_at is not None for r in svc.retention(ids))
    purges = [e["subject"] for e in events(svc) if e["action"] == "purge"]
    assert sorted(purges) == sorted(f"request:{rid}" for rid in ids)
    verify = CliRunner().invoke(main, ["--db", store_url, "audit", "verify"])
    assert verify.exit_code == 0, verify.output


class _holding:
    """Hold the store's write lock (SQLite) or the audit chain's head (PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.url = resolve_url(url)

    def __enter__(self) -> None:
        file = sqlite_file(self.url)
        if file is not None:
            import sqlite3

            self.conn = sqlite3.connect(file, isolation_level=None)
            self.conn.execute("BEGIN IMMEDIATE")
            return
        import psycopg

        from reviewer.store.audit_log.appending import AUDIT_LOCK_ID

        self.pg = psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://"))
        self.pg.execute("SELECT pg_advisory_lock(%s)", (AUDIT_LOCK_ID,))

    def __exit__(self, *exc: object) -> None:
        if hasattr(self, "conn"):
            self.conn.execute("ROLLBACK")
            self.conn.close()
        else:
            self.pg.close()


def test_cli_purge_refuses_an_open_request_with_the_reason(
    svc: ReviewService, make_review: MakeReview, store_url: str
) -> None:
    review, folder = make_review("DSAR-P-6")
    svc.ingest(review, folder / "export.zip", actor="test")
    result = CliRunner().invoke(
        main,
        ["--db", store_url, "purge", "DSAR-P-6", "--as", "carol", "--passphrase-stdin"],
        input=PASS["carol"] + "\n",
    )
    assert result.exit_code == 1
    assert "DSAR-P-6 refused: DSAR-P-6 is pending: only released or rejected" in result.stderr
    dry = CliRunner().invoke(
        main,
        ["--db", store_url, "purge", "--dry-run", "--as", "carol", "--passphrase-stdin"],
        input=PASS["carol"] + "\n",
    )
    assert dry.exit_code == 0 and "0 request(s) would be purged" in dry.stdout
    assert svc.request_detail("DSAR-P-6").request.requester.name == "Jonas Weber"
