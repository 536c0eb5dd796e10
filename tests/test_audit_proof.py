"""Every decision proven: what an insider with write access to the store, or to the outbox,
cannot talk the store around, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from conftest import (
    FAST,
    Clock,
    MakeReview,
    Statement,
    add_people,
    insider_sql,
    rule_lifted,
    signed_in,
)
from sqlalchemy import text
from sqlmodel import Session

from reviewer.cli import main
from reviewer.domain.signoff import CHECKLIST_KEYS
from reviewer.store import audit_log
from reviewer.store.errors import PermissionDenied, ReleaseError, StoreError
from reviewer.store.paths import CHECKPOINT_FILE, sqlite_file
from reviewer.store.service import ReviewService
from reviewer.store.service.release import Releases

PEOPLE = [
    ("carol", "supervisor", "carol-proof-passphrase"),
    ("alice", "reviewer", "alice-proof-passphrase"),
    ("bob", "approver", "bob-proof-passphrase"),
]
PASS = {name: passphrase for name, _role, passphrase in PEOPLE}


@pytest.fixture
def svc(store_url: str) -> Iterator[ReviewService]:
    s = ReviewService.open(store_url, hasher=FAST)
    add_people(s, PEOPLE)
    yield s
    s.close()


def approve_both(svc: ReviewService, version_id: int) -> None:
    for who in ("alice", "bob"):
        me = signed_in(svc, who)
        for item in svc.version_detail(version_id).sample.items:
            svc.record_inspection(me, version_id, "played", item.member, item.duration_s or 2.0)
            svc.record_inspection(me, version_id, "viewed_transcript", item.member)
        svc.sign_off(
            who, PASS[who], version_id, "approve", "ok", dict.fromkeys(CHECKLIST_KEYS, True), {}
        )


def events(svc: ReviewService) -> list[dict[str, Any]]:
    with Session(svc.engine) as s:
        return [e.to_dict() for e in audit_log.iter_events(s)]


# ---------------------------------------------------------------------------------------------
# Every decision is signed when it is made


def test_every_decision_ends_with_its_own_checkpoint(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-P-0001")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    approve_both(svc, vid)
    svc.set_policy(signed_in(svc, "carol"), unlock_lapse_days=3)
    svc.release(signed_in(svc, "bob"), "DSAR-P-0001", tmp_path / "out")
    with Session(svc.engine) as s:
        signed = {cp.size for cp in audit_log.db_checkpoints(s)}
    decisions = [e for e in events(svc) if e["action"] in audit_log.DECISION_ACTIONS]
    assert {e["action"] for e in decisions} >= {
        "audit-decisions-signed",
        "user-add",
        "sign-off",
        "policy-change",
        "release",
        "delivery",
    }
    assert all(e["seq"] in signed for e in decisions)
    assert svc.audit_status().ok


def test_a_forged_decision_in_the_tail_does_not_verify(
    svc: ReviewService, make_review: MakeReview
) -> None:
    """A sign-off event computed by hand and appended with its chain hash right, as an
    insider with write access can: it has no signed checkpoint, so verify names it."""
    from reviewer.domain.audit import make_event

    with Session(svc.engine) as s:
        last = list(audit_log.iter_events(s))[-1]
        forged = make_event(
            last.seq, last.hash, "bob", "sign-off", "request:DSAR-X", {"stage": "second"}, last.at
        )
        s.execute(
            text(
                f"INSERT INTO {audit_log.EVENT_TABLE} (seq, at, actor, action, subject, payload, "
                "prev_hash, hash) VALUES (:seq, :at, :actor, :action, :subject, :payload, "
                ":prev_hash, :hash)"
            ),
            dataclasses.asdict(forged),
        )
        s.commit()
    status = svc.audit_status()
    assert not status.ok and f"event {forged.seq}" in status.message
    assert "no signed checkpoint" in status.message


# ---------------------------------------------------------------------------------------------
# The release is the approved bytes


def test_a_staged_copy_changed_before_the_rename_is_never_delivered(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = tmp_path / "out"
    original = Releases._record_release
    for n in range(3):
        rid = f"DSAR-P-01{n:02d}"
        review, folder = make_review(rid, seed=n)
        vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
        approve_both(svc, vid)

        def tamper(self: Releases, *args: Any, _n: int = n, **kwargs: Any) -> dict[str, Any]:
            receipt = original(self, *args, **kwargs)
            [staged] = (outbox / ".partial").glob("*/export.zip")
            data = bytearray(staged.read_bytes())
            data[(_n * 97) % len(data)] ^= 0x01  # one bit of one byte, after it was hashed
            staged.write_bytes(bytes(data))
            return receipt

        monkeypatch.setattr(Releases, "_record_release", tamper)
        with pytest.raises(ReleaseError, match="staged copy in the outbox changed"):
            svc.release(signed_in(svc, "bob"), rid, outbox)
        assert not (outbox / rid).exists()
        monkeypatch.setattr(Releases, "_record_release", original)
        # The recorded release is finished with the signed bytes, and only those.
        receipt = svc.release(signed_in(svc, "bob"), rid, outbox)
        assert (outbox / rid / "export.zip").read_bytes() == (folder / "export.zip").read_bytes()
        assert receipt.archive_sha256 == review.report.archive_sha256


# ---------------------------------------------------------------------------------------------
# A team store has witnesses


def cut_back(url: str, keep: int) -> None:
    """What an insider with the database's own client does to hide the latest decisions (here
    policy changes): put the rows back as they were, and delete every event after `keep` and
    every checkpoint row past it, triggers bypassed, so the store agrees with itself."""
    statements = [
        "UPDATE policy SET unlock_lapse_days = 7",
        f"DELETE FROM {audit_log.EVENT_TABLE} WHERE seq > {keep}",
        f"DELETE FROM {audit_log.CHECKPOINT_TABLE} WHERE size > {keep}",
    ]
    insider_sql(url, statements, bypass=True)


def test_a_store_cut_back_fails_at_the_auditor_with_a_terminals_witness(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = tmp_path / "desk1"
    monkeypatch.setenv("REVIEWER_HOME", str(terminal))
    with ReviewService.open(store_url, hasher=FAST) as s:
        add_people(s, PEOPLE)
        keep = len(events(s))
        for days in (3, 4, 5):  # decisions to hide: policy changes, each signed at once
            s.set_policy(signed_in(s, "carol"), unlock_lapse_days=days)
        desk = s.key_dir
    witness = desk / CHECKPOINT_FILE
    assert witness.is_file()
    auditor = tmp_path / "auditor"
    auditor.mkdir()
    shutil.copy(desk / "audit-signing.pub", auditor / "audit-signing-desk1.pub")

    cut_back(store_url, keep)
    runner = CliRunner()
    verify = ["--db", store_url, "audit", "verify", "--key-dir", str(auditor)]
    alone = runner.invoke(main, verify)
    assert alone.exit_code == 0, alone.output  # the store agrees with itself
    witnessed = runner.invoke(main, [*verify, "--witness", str(witness)])
    assert witnessed.exit_code == 1
    assert f"the log ends at event {keep}" in witnessed.output
    assert "cut off" in witnessed.output
    other = tmp_path / "elsewhere.jsonl"
    other.write_text('{"store": "another-store", "size": 1}\n')
    unrelated = runner.invoke(main, [*verify, "--witness", str(other)])
    assert unrelated.exit_code == 1 and "holds no checkpoint of this store" in unrelated.output
    missing = runner.invoke(main, [*verify, "--witness", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 1 and "no witness file" in missing.output


def test_verify_fails_on_times_that_go_backwards(svc: ReviewService) -> None:
    url = svc.url
    file = sqlite_file(url)
    if file is None:
        pytest.skip("the chain is rewritten through SQLite's own client here")
    with Session(svc.engine) as s:
        rows = list(audit_log.iter_events(s))
    # Swap the times of two events and recompute the chain from there, as a forger would.
    from reviewer.domain.audit import make_event

    conn = sqlite3.connect(file)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        conn.execute(f'DROP TRIGGER "{name}"')
    prev_seq, prev_hash = rows[1].seq, rows[1].hash
    earlier = "2001-01-01T00:00:00.000000Z"
    for row in rows[2:]:
        ev = make_event(
            prev_seq,
            prev_hash,
            row.actor,
            row.action,
            row.subject,
            json.loads(row.payload),
            earlier if row.seq == 3 else row.at,
        )
        conn.execute(
            f"UPDATE {audit_log.EVENT_TABLE} SET at = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            (ev.at, ev.prev_hash, ev.hash, ev.seq),
        )
        prev_seq, prev_hash = ev.seq, ev.hash
    conn.execute(f"DELETE FROM {audit_log.CHECKPOINT_TABLE}")
    conn.commit()
    conn.close()
    (svc.key_dir / CHECKPOINT_FILE).unlink()
    status = svc.audit_status()
    assert not status.ok
    assert "event 3" in status.message and "earlier than the event before it" in status.message


def test_a_clock_set_back_records_nothing(store_url: str, clock: Clock) -> None:
    from reviewer.domain.audit import AuditError

    s = ReviewService.open(store_url, clock=clock, hasher=FAST)
    try:
        add_people(s, PEOPLE)
        carol = signed_in(s, "carol")
        before = len(events(s))
        clock.advance(hours=-1)
        if store_url.startswith("postgresql"):
            # The server's clock stamps changes there: the terminal's, set back, is not asked.
            s.set_policy(carol, unlock_lapse_days=3)
            stamped = [e["at"] for e in events(s)]
            assert len(stamped) == before + 1 and stamped == sorted(stamped)
            return
        with pytest.raises(AuditError, match="earlier than the last audit event"):
            s.set_policy(carol, unlock_lapse_days=3)
        assert len(events(s)) == before and s.policy().unlock_lapse_days == 7
    finally:
        s.close()


# ---------------------------------------------------------------------------------------------
# Evidence only from a signed-in session, and only what could have been heard


def test_played_time_is_bounded_by_the_clip_and_the_time_since_sign_in(
    svc: ReviewService, make_review: MakeReview
) -> None:
    review, folder = make_review("DSAR-P-0020", recordings=6)
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    items = svc.version_detail(vid).sample.items
    clip = items[0].duration_s
    assert clip is not None and clip < 2.0
    just_now = signed_in(svc, "alice", fresh=True, opened_ago=None)
    before = len(events(svc))
    # A million seconds of one short recording, or any of it straight after sign-in.
    with pytest.raises(StoreError, match="no more than the recording holds"):
        svc.record_inspection(just_now, vid, "played", items[0].member, 1_000_000)
    for bogus in (float("nan"), float("inf"), -1.0):
        with pytest.raises(StoreError, match="number of seconds"):
            svc.record_inspection(just_now, vid, "played", items[0].member, bogus)
    with pytest.raises(StoreError, match="not a recording of this export"):
        svc.record_inspection(just_now, vid, "played", "Alexa/Audio/nobody.wav", 0.5)
    # Straight after sign-in a second of playing fits; the sample heard a hundred times over
    # (15 minutes of sound, claimed in moments) does not.
    svc.record_inspection(just_now, vid, "played", items[0].member, min(clip, 0.9))
    with pytest.raises(StoreError, match="more than the time that passed"):
        for _ in range(100):
            for item in items:
                assert item.duration_s is not None
                svc.record_inspection(just_now, vid, "played", item.member, item.duration_s)
    # A session opened an hour ago has had the time: the whole sample is accepted.
    earlier = signed_in(svc, "bob", fresh=True, opened_ago=timedelta(hours=1))
    for item in items:
        assert item.duration_s is not None
        svc.record_inspection(earlier, vid, "played", item.member, item.duration_s)
    inspections = [e for e in events(svc)[before:] if e["action"] == "inspection"]
    assert [e["actor"] for e in inspections].count("bob") == len(items)
    # A disabled account's session plays nothing.
    svc.disable_user(signed_in(svc, "carol"), "bob")
    with pytest.raises(PermissionDenied):
        svc.record_inspection(earlier, vid, "played", items[0].member, 0.5)


# ---------------------------------------------------------------------------------------------
# Release re-evaluates the gate from the chain


CHECKLIST_JSON = json.dumps(dict.fromkeys(CHECKLIST_KEYS, True))


def forge_approvals(svc: ReviewService, version_id: int) -> list[tuple[str, dict[str, Any]]]:
    """The rows two sign-offs leave, written in SQL: inspections of the whole sample by alice
    and bob, then their sign-offs, with no event in the chain."""
    d = svc.version_detail(version_id)
    ids = {u.name: i for i, u in enumerate(sorted(svc.list_users(), key=lambda u: u.created_at), 1)}
    at = "2026-12-04 10:00:00"
    out: list[tuple[str, dict[str, Any]]] = []
    for who in ("alice", "bob"):
        for item in d.sample.items:
            for kind, seconds in (("played", 30.0), ("viewed_transcript", 0.0)):
                out.append(
                    (
                        "INSERT INTO inspections (version_id, reviewer_id, kind, target, seconds, at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        {
                            "v": version_id,
                            "r": ids[who],
                            "k": kind,
                            "t": item.member,
                            "s": seconds,
                            "a": at,
                        },
                    )
                )
    common = (
        "(version_id, round, stage, reviewer_id, reviewer_role, decision, archive_sha256, "
        "version_blocked, first_signoff_id, first_stage, first_decision, note, checklist, "
        "acknowledged, sampling_statement, at)"
    )
    out.append(
        (
            f"INSERT INTO signoffs {common} VALUES (?, 1, 1, ?, 'reviewer', 'approve', ?, false, "
            "NULL, NULL, NULL, 'ok', ?, '{}', 'x', ?)",
            {
                "v": version_id,
                "r": ids["alice"],
                "sha": d.archive_sha256,
                "c": CHECKLIST_JSON,
                "a": at,
            },
        )
    )
    out.append(
        (
            f"INSERT INTO signoffs {common} VALUES (?, 1, 2, ?, 'approver', 'approve', ?, false, "
            "(SELECT max(id) FROM signoffs), 1, 'approve', 'ok', ?, '{}', 'x', ?)",
            {
                "v": version_id,
                "r": ids["bob"],
                "sha": d.archive_sha256,
                "c": CHECKLIST_JSON,
                "a": at,
            },
        )
    )
    return out


@pytest.mark.parametrize("blocked", [False, True], ids=["clean", "wrong-customer"])
def test_sign_offs_inserted_in_sql_release_nothing(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path, clock: Clock, blocked: bool
) -> None:
    from reviewer.domain.model import Finding, Severity

    crit = Finding(
        "wrong-customer",
        Severity.CRITICAL,
        "Another customer's archive",
        "No.",
        ("Alexa/Audio/u0001.wav",),
    )
    review, folder = make_review("DSAR-P-0200", findings=[crit] if blocked else [])
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    insider_sql(svc.url, forge_approvals(svc, vid), bypass=blocked)
    assert svc.version_detail(vid).state.value == "approved"  # the rows say so
    with pytest.raises(ReleaseError) as refused:
        svc.release(signed_in(svc, "bob"), "DSAR-P-0200", tmp_path / "out")
    assert ("critical finding" if blocked else "has no sign-off event") in str(refused.value)
    assert not (tmp_path / "out" / "DSAR-P-0200").exists()


def test_an_emptied_sample_is_caught_at_release(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-P-0300", recordings=8)
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    empty = (
        "UPDATE export_versions SET sample = json_set(sample, '$.items', json('[]')) WHERE id = ?"
        if sqlite_file(svc.url) is not None
        else "UPDATE export_versions SET sample = jsonb_set(sample::jsonb, '{items}', '[]')::json "
        "WHERE id = ?"
    )
    # with the terminals' access the database refuses it (trigger export_versions_purged_only)
    with pytest.raises(Exception, match="change only when its request is purged"):
        insider_sql(svc.url, [(empty, {"v": vid})])
    # whoever owns the database can switch the rule off: the release still catches it
    with svc.engine.begin() as conn, rule_lifted(conn, "export_versions_purged_only"):
        conn.execute(sa.text(empty.replace("?", ":v")), {"v": vid})
    for who in ("alice", "bob"):  # two approvals on "0 of 8 inspected"
        svc.sign_off(who, PASS[who], vid, "approve", "ok", dict.fromkeys(CHECKLIST_KEYS, True), {})
    with pytest.raises(ReleaseError, match="stored sample is not the one drawn at ingest"):
        svc.release(signed_in(svc, "bob"), "DSAR-P-0300", tmp_path / "out")
    assert not (tmp_path / "out" / "DSAR-P-0300").exists()


# ---------------------------------------------------------------------------------------------
# The store's decisions against the chain (audit verify's cross-check)


def _verify_cli(url: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", url, "audit", "verify"])
    return result.exit_code, result.output


TAMPER: dict[str, tuple[Sequence[Statement] | None, str]] = {
    "sign-offs inserted in SQL": (None, "has no sign-off or rejection event"),
    "an account disabled in SQL": (
        [("UPDATE reviewers SET disabled = true WHERE name = 'alice'", {})],
        "account alice is disabled in the store",
    ),
    "the policy changed in SQL": (
        [("UPDATE policy SET sample_confidence = 0.9", {})],
        "the policy in the store is not the one the audit trail says",
    ),
    "an inspection row removed": (
        [("DELETE FROM inspections WHERE id = (SELECT max(id) FROM inspections)", {})],
        "has no inspection row that agrees with it",
    ),
    "a release row removed": (
        [("DELETE FROM deliveries", {}), ("DELETE FROM releases", {})],
        "has no release row that agrees with it",
    ),
}


@pytest.mark.parametrize("attack", list(TAMPER))
def test_audit_verify_names_a_decision_row_that_disagrees_with_the_chain(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path, attack: str
) -> None:
    review, folder = make_review("DSAR-P-0400")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    other, folder2 = make_review("DSAR-P-0401", seed=1)
    vid2 = svc.ingest(other, folder2 / "export.zip", actor="test").version_id
    approve_both(svc, vid)
    svc.release(signed_in(svc, "bob"), "DSAR-P-0400", tmp_path / "out")
    assert _verify_cli(svc.url)[0] == 0
    statements, said = TAMPER[attack]
    if statements is None:
        statements = forge_approvals(svc, vid2)
    insider_sql(svc.url, statements, bypass=True)
    code, output = _verify_cli(svc.url)
    assert code == 1 and said in output, output
    assert not svc.audit_status().ok  # the supervisor's screen says so too


def test_verify_warns_when_the_terminal_connects_as_a_superuser(store_url: str) -> None:
    with ReviewService.open(store_url, hasher=FAST) as s:
        add_people(s, PEOPLE)
        warning = s.privilege_warning()
    result = CliRunner().invoke(main, ["--db", store_url, "audit", "verify"])
    assert result.exit_code == 0
    if sqlite_file(store_url) is not None:
        assert warning is None and "warning" not in result.stderr
    else:  # the test server's postgres role is a superuser
        assert warning is not None and "superuser" in warning
        assert f"reviewer: warning: {warning}" in result.stderr


KILL_AT = {
    # inside the decision's transaction, as its checkpoint is being signed: nothing commits
    "before-the-checkpoint": "reviewer.store.audit_log.appending.sign_checkpoint",
    # after the decision and its checkpoint row committed, before the checkpoint file's line
    "before-the-checkpoint-file": "reviewer.store.audit_log.checkpoint_lines._write_pending",
}
KILLED = """
import importlib, os, signal, sys
from argon2 import PasswordHasher, profiles
from reviewer.store.service import ReviewService

url, where = sys.argv[1], sys.argv[2]
svc = ReviewService.open(url, hasher=PasswordHasher.from_parameters(profiles.CHEAPEST))
carol = svc.sign_in("carol", "carol-proof-passphrase")
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
module, name = where.rsplit(".", 1)
setattr(importlib.import_module(module), name, die)
svc.set_policy(carol, unlock_lapse_days=3)
"""


@pytest.mark.parametrize("where", list(KILL_AT))
def test_a_kill_between_a_decision_and_its_checkpoint_loses_nothing_it_said(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    import os
    import subprocess
    import sys

    monkeypatch.setenv("REVIEWER_HOME", str(tmp_path / "home"))
    with ReviewService.open(store_url, hasher=FAST) as s:
        add_people(s, PEOPLE)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED, store_url, KILL_AT[where]],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    with ReviewService.open(store_url, hasher=FAST) as s:
        committed = s.policy().unlock_lapse_days == 3
        assert committed is (where == "before-the-checkpoint-file")
        assert s.audit_status().ok, s.audit_status().message
        s.set_policy(signed_in(s, "carol", fresh=True), unlock_lapse_days=5)  # the next one
        assert s.audit_status().ok and s.policy().unlock_lapse_days == 5
    verify = CliRunner().invoke(main, ["--db", store_url, "audit", "verify"])
    assert verify.exit_code == 0, verify.output
