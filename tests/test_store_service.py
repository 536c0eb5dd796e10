"""The review service on a real store (SQLite and PostgreSQL): the four-eyes flow end to end."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from conftest import FAST, Clock, MakeReview, add_people, rule_lifted, signed_in
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from reviewer.domain.model import Finding, Severity
from reviewer.domain.request import request_from_dict
from reviewer.domain.review import Review
from reviewer.domain.signoff import CHECKLIST_KEYS
from reviewer.domain.states import Decision, Stage, State
from reviewer.store import audit_log
from reviewer.store.errors import (
    NotFound,
    PermissionDenied,
    ReleaseError,
    SignInError,
    SignOffError,
    UserError,
)
from reviewer.store.service import ReviewService, SignOffRow

PASS = {
    "alice": "alice-demo-passphrase",
    "bob": "bob-demo-passphrase",
    "carol": "carol-demo-passphrase",
    "dave": "dave-demo-passphrase",
}
ALL = dict.fromkeys(CHECKLIST_KEYS, True)
WARN = Finding(
    "third-party-names",
    Severity.WARNING,
    "Names outside the household",
    "Redact them.",
    ("Alexa/Transcripts.pdf",),
)
CRIT = Finding(
    "wrong-customer",
    Severity.CRITICAL,
    "Another customer's archive",
    "Do not send.",
    ("Alexa/Audio/u0001.wav",),
)


@pytest.fixture
def svc(store_url: str, clock: Clock) -> Iterator[ReviewService]:
    s = ReviewService.open(store_url, clock=clock, hasher=FAST)
    add_people(
        s,
        [
            ("carol", "supervisor", PASS["carol"]),
            ("alice", "reviewer", PASS["alice"]),
            ("bob", "approver", PASS["bob"]),
            ("dave", "approver", PASS["dave"]),
        ],
    )
    yield s
    s.close()


def inspect_sample(svc: ReviewService, who: str, version_id: int) -> None:
    for item in svc.version_detail(version_id).sample.items:
        svc.record_inspection(
            signed_in(svc, who), version_id, "played", item.member, item.duration_s or 2.0
        )
        svc.record_inspection(signed_in(svc, who), version_id, "viewed_transcript", item.member)


def approve(
    svc: ReviewService, who: str, version_id: int, acks: dict[str, str] | None = None
) -> SignOffRow:
    inspect_sample(svc, who, version_id)
    return svc.sign_off(who, PASS[who], version_id, "approve", "checked", ALL, acks or {})


def events(svc: ReviewService) -> list[dict[str, Any]]:
    """Every audit event as people read it: ``payload`` with its sealed texts put back
    (`reviewer.domain.audit.sealed`), ``recorded`` the payload as the chain holds it."""
    with Session(svc.engine) as s:
        return [
            {**r.event.to_dict(), "payload": r.data, "recorded": r.event.data}
            for r in audit_log.readable(s, list(audit_log.iter_events(s)))
        ]


def test_four_eyes_flow_from_ingest_to_release(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-T-0001", recordings=8, findings=[WARN])
    result = svc.ingest(review, folder / "export.zip", actor="test")
    assert result.outcome == "new"
    vid = result.version_id
    [row] = svc.queue()
    assert (row.request_id, row.state, row.verdict.value, row.signers) == (
        "DSAR-T-0001",
        State.PENDING,
        "review",
        (),
    )

    gate = svc.gate("alice", vid)
    assert not gate.allowed and gate.stage is Stage.FIRST
    assert set(gate.missing) == set(svc.version_detail(vid).sample.members)
    assert [w.key for w in gate.warnings] == ["0:third-party-names"]

    with pytest.raises(SignOffError, match="warning"):
        approve(svc, "alice", vid)
    first = approve(svc, "alice", vid, {"0:third-party-names": "names redacted"})
    assert first.stage is Stage.FIRST and first.archive_sha256 == review.report.archive_sha256
    assert first.sampling_statement == svc.version_detail(vid).sample.statement(8)
    assert first.acknowledged == {"0:third-party-names": "names redacted"}

    # Alice is refused the second stage; a supervisor never signs.
    with pytest.raises(SignOffError, match="already signed"):
        svc.sign_off("alice", PASS["alice"], vid, "approve", "", ALL, {"0:third-party-names": "x"})
    with pytest.raises(SignOffError, match="supervisors do not sign"):
        svc.sign_off("carol", PASS["carol"], vid, "approve", "", ALL, {"0:third-party-names": "x"})
    with pytest.raises(ReleaseError, match="second"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0001", tmp_path / "outbox")
    assert not (tmp_path / "outbox" / "DSAR-T-0001").exists()

    approve(svc, "bob", vid, {"0:third-party-names": "checked the redaction"})
    assert svc.queue()[0].state is State.APPROVED
    receipt = svc.release(signed_in(svc, "bob"), "DSAR-T-0001", tmp_path / "outbox")

    out = tmp_path / "outbox" / "DSAR-T-0001"
    assert sorted(p.name for p in out.iterdir()) == [
        "disclosure-record.html",
        "disclosure-record.json",
        "export.zip",
        "release.json",
    ]
    assert [p.name for p in out.parent.iterdir()] == ["DSAR-T-0001"]  # no staging leftovers
    assert (
        hashlib.sha256((out / "export.zip").read_bytes()).hexdigest()
        == review.report.archive_sha256
    )
    doc = json.loads((out / "release.json").read_text())
    assert doc["archive_sha256"] == review.report.archive_sha256
    assert [a["name"] for a in doc["approvers"]] == ["alice", "bob"]
    assert doc["checklist"]["bob"] == ALL
    assert [a["sampling_statement"] for a in doc["approvers"]] == [first.sampling_statement] * 2
    assert doc["sampling_statement"] == first.sampling_statement
    assert doc["audit_head"]["hash"] == receipt.audit_head
    assert doc["audit_checkpoint"]["head"] == receipt.audit_head
    assert svc.queue()[0].state is State.RELEASED
    assert svc.audit_status().ok

    actions = [e["action"] for e in events(svc)]
    for action in ("user-add", "ingest", "inspection", "sign-off", "release"):
        assert action in actions
    with pytest.raises(ReleaseError, match="already released"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0001", tmp_path / "outbox")

    history = svc.history()
    assert [(h.reviewer, h.stage, h.decision) for h in history] == [
        ("bob", Stage.SECOND, Decision.APPROVE),
        ("alice", Stage.FIRST, Decision.APPROVE),
    ]
    assert [h.reviewer for h in svc.history(reviewer="alice")] == ["alice"]
    assert svc.history(decision="reject") == []
    figures = {f.name: f for f in svc.reviewer_figures()}
    assert figures["alice"].reviews == 1 and figures["alice"].pairs == (("bob", 1),)
    assert figures["bob"].recordings_played_per_review == len(svc.version_detail(vid).sample.items)
    assert figures["carol"].reviews == 0
    assert svc.history_csv(signed_in(svc, "carol"), tmp_path / "history.csv") == 2
    assert "alice" in (tmp_path / "history.csv").read_text()


def test_detail_is_served_from_the_store_without_the_archive(
    svc: ReviewService, make_review: MakeReview
) -> None:
    review, folder = make_review("DSAR-T-0002", recordings=5)
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    svc.record_inspection(signed_in(svc, "alice"), vid, "opened", "DSAR-T-0002")
    (folder / "export.zip").unlink()
    d = svc.request_detail("DSAR-T-0002")
    assert d.version_id == vid and d.request.requester.name == "Jonas Weber"
    assert [m.path for m in d.index.members] == [m.path for m in review.index.members]
    assert d.index.members[0].audio is not None and d.index.members[0].audio.duration_s == 1.5
    assert len(d.index.recordings) == len(d.index.transcripts) == 5
    assert (
        d.sample.size == 5 and d.sampling_statement == "sample: all 5 recordings (the whole export)"
    )
    assert [i.kind.value for i in d.evidence["alice"]] == ["opened"]
    with pytest.raises(NotFound):
        svc.request_detail("DSAR-NOPE")


def test_critical_export_can_only_be_rejected_and_never_released(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-T-0003", findings=[CRIT])
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    with pytest.raises(SignOffError, match="can only be rejected"):
        approve(svc, "alice", vid)
    with pytest.raises(SignOffError, match="needs a note"):
        svc.reject("alice", PASS["alice"], vid, "")
    svc.reject("alice", PASS["alice"], vid, "another customer's archive")
    assert svc.queue()[0].state is State.REJECTED
    with pytest.raises(ReleaseError, match="rejected"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0003", tmp_path / "outbox")
    assert not (tmp_path / "outbox" / "DSAR-T-0003").exists()
    decisions = [e["action"] for e in events(svc) if e["action"] not in ("sign-in", "sign-out")]
    assert decisions[-2:] == ["rejection", "release-refused"]


def test_a_changed_archive_is_a_new_version_that_voids_earlier_sign_offs(
    svc: ReviewService, make_review: MakeReview
) -> None:
    review, folder = make_review("DSAR-T-0004")
    v1 = svc.ingest(review, folder / "export.zip", actor="test").version_id
    assert svc.ingest(review, folder / "export.zip", actor="test").outcome == "unchanged"
    approve(svc, "alice", v1)
    review2, _ = make_review("DSAR-T-0004", seed=1)
    r2 = svc.ingest(review2, folder / "export.zip", actor="test")
    assert r2.outcome == "new-version" and r2.version_id != v1 and r2.version_number == 2
    row = svc.queue()[0]
    assert row.version_id == r2.version_id and row.state is State.PENDING and row.signers == ()
    assert svc.version_detail(v1).state is State.VOIDED
    assert [h.voided for h in svc.history()] == [True]
    with pytest.raises(SignOffError, match="newer archive"):
        svc.sign_off("bob", PASS["bob"], v1, "approve", "", ALL, {})
    assert approve(svc, "alice", r2.version_id).stage is Stage.FIRST


def test_release_rehashes_the_archive_and_refuses_changed_bytes(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-T-0005")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    approve(svc, "alice", vid)
    approve(svc, "bob", vid)
    with (folder / "export.zip").open("ab") as f:
        f.write(b"\0")
    # A refused release writes nothing: not even the outbox folder it would have created ...
    outbox = tmp_path / "outbox" / "today"
    with pytest.raises(ReleaseError, match="changed since it was signed"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0005", outbox)
    assert not (tmp_path / "outbox").exists()
    assert [e["action"] for e in events(svc)][-1] == "release-refused"
    # ... and an outbox that was there is left as it was: neither a release nor a half-written one.
    outbox.mkdir(parents=True)
    with pytest.raises(ReleaseError, match="changed since it was signed"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0005", outbox)
    assert list(outbox.iterdir()) == []


def test_unlock_lapses_after_the_policy_period(
    svc: ReviewService, make_review: MakeReview, clock: Clock, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-T-0006")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    if svc.url.startswith("postgresql"):
        # The server's clock stamps the sign-offs and judges the lapse: a terminal clock set
        # a year ahead neither stretches the unlock nor ends it.
        clock.advance(days=365)
        approve(svc, "alice", vid)
        approve(svc, "bob", vid)
        row = svc.queue()[0]
        server = datetime.now(UTC)
        assert row.state is State.APPROVED and row.unlock_expires_at is not None
        assert abs(row.unlock_expires_at - (server + timedelta(days=7))) < timedelta(minutes=5)
        receipt = svc.release(signed_in(svc, "bob"), "DSAR-T-0006", tmp_path / "outbox")
        assert abs(receipt.released_at - server) < timedelta(minutes=5)
        return
    approve(svc, "alice", vid)
    approve(svc, "bob", vid)
    row = svc.queue()[0]
    assert row.state is State.APPROVED and row.unlock_expires_at == clock.now + timedelta(days=7)
    clock.advance(days=7)
    assert svc.queue()[0].state is State.LAPSED
    with pytest.raises(ReleaseError, match="unlock lapsed"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0006", tmp_path / "outbox")
    # A new round: both sign again, then it can go.
    approve(svc, "bob", vid)
    approve(svc, "dave", vid)
    assert (
        svc.release(signed_in(svc, "dave"), "DSAR-T-0006", tmp_path / "outbox").approvers[1].name
        == "dave"
    )
    assert "unlock-lapsed" in [e["action"] for e in events(svc)]


def test_lockout_after_five_failures_for_fifteen_minutes(svc: ReviewService, clock: Clock) -> None:
    for _ in range(4):
        with pytest.raises(SignInError, match="wrong passphrase"):
            svc.sign_in("alice", "not-her-passphrase")
    with pytest.raises(SignInError, match="locked out"):
        svc.sign_in("alice", "not-her-passphrase")
    with pytest.raises(SignInError, match="locked out"):
        svc.sign_in("alice", PASS["alice"])  # even the right one, while locked
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(SignInError, match="locked out"):
        svc.sign_in("alice", PASS["alice"])
    clock.advance(seconds=1)
    refusals = 2
    if svc.engine.dialect.name == "postgresql":
        # The terminal's clock cannot end a lockout: the database server's decides. Fifteen
        # minutes of the server's time passing is what ends it.
        with pytest.raises(SignInError, match="locked out"):
            svc.sign_in("alice", PASS["alice"])
        refusals += 1
        with svc.engine.begin() as c:
            c.execute(
                text(
                    "UPDATE sign_in_throttle SET locked_until = now() - interval '1 s', "
                    "window_start = now() - interval '16 min'"
                )
            )
    assert svc.sign_in("alice", PASS["alice"]).role.value == "reviewer"
    actions = [e["action"] for e in events(svc) if e["subject"] == "reviewer:alice"]
    assert actions.count("sign-in-failed") == 5
    assert actions.count("lockout") == 1
    assert actions.count("sign-in-refused") == refusals
    assert actions[-1] == "sign-in"
    with pytest.raises(SignInError, match="unknown reviewer or wrong passphrase"):
        svc.sign_in("mallory", "whatever-it-is-here")


def test_no_passphrase_ever_reaches_an_event_a_log_or_an_error(
    svc: ReviewService, make_review: MakeReview, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    wrong = "Wrong-Horse-Battery-Staple-7"
    review, folder = make_review("DSAR-T-0007")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    errors = []
    for attempt in (
        lambda: svc.sign_in("alice", wrong),
        lambda: svc.sign_off("alice", wrong, vid, "approve", "", ALL, {}),
        lambda: svc.sign_off("alice", PASS["alice"], vid, "approve", "", ALL, {}),
    ):
        with pytest.raises(Exception) as exc:  # noqa: B017 - the message is what is checked
            attempt()
        errors.append(str(exc.value))
    approve(svc, "bob", vid)
    secrets = [wrong, *PASS.values()]
    dumped = json.dumps(events(svc)) + "\n".join(errors) + caplog.text
    for secret in secrets:
        assert secret not in dumped
    with Session(svc.engine) as s:
        from sqlalchemy import text

        hashes = [r[0] for r in s.execute(text("SELECT passphrase_hash FROM reviewers"))]
    assert all(h.startswith("$argon2id$") for h in hashes)
    from reviewer.store.paths import sqlite_file

    db = sqlite_file(svc.url)
    if db is not None:  # not even in the database file's raw bytes, WAL included
        raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
        for secret in secrets:
            assert secret.encode() not in raw


def test_sign_in_rehashes_a_hash_made_with_weaker_parameters(store_url: str) -> None:
    weak = ReviewService.open(store_url, hasher=FAST)
    add_people(weak, [("erin", "reviewer", "erin-passphrase-123")])
    weak.close()
    strong = ReviewService.open(store_url)
    assert strong.sign_in("erin", "erin-passphrase-123").name == "erin"
    with Session(strong.engine) as s:
        from sqlalchemy import text

        h = s.execute(text("SELECT passphrase_hash FROM reviewers WHERE name='erin'")).scalar_one()
    assert not PasswordHasher().check_needs_rehash(h)
    strong.close()


def test_users_are_validated_and_disabled_users_cannot_sign(
    svc: ReviewService, make_review: MakeReview
) -> None:
    carol = signed_in(svc, "carol")
    with pytest.raises(UserError, match="12 characters"):
        svc.add_user(carol, "frank", "reviewer", "short")
    with pytest.raises(UserError, match="unknown role"):
        svc.add_user(carol, "frank", "boss", "long-enough-passphrase")
    with pytest.raises(UserError, match="is taken"):
        svc.add_user(carol, "alice", "reviewer", "long-enough-passphrase")
    svc.disable_user(carol, "alice")
    assert {u.name: u.disabled for u in svc.list_users()}["alice"] is True
    with pytest.raises(SignInError, match="disabled"):
        svc.sign_in("alice", PASS["alice"])
    actions = [e["action"] for e in events(svc)]
    assert actions.count("user-add") == 4 and "user-disable" in actions


def test_policy_is_the_supervisors_and_every_change_is_audited(
    svc: ReviewService, make_review: MakeReview
) -> None:
    p = svc.policy()
    assert (p.sample_confidence, p.sample_min_foreign_fraction, p.unlock_lapse_days) == (
        0.95,
        0.05,
        7,
    )
    with pytest.raises(PermissionDenied):
        svc.set_policy(signed_in(svc, "bob"), sample_confidence=0.99)
    with pytest.raises(UserError):
        svc.set_policy(signed_in(svc, "carol"), sample_confidence=1.0)
    review, folder = make_review("DSAR-T-0008", recordings=200)
    before = svc.version_detail(svc.ingest(review, folder / "export.zip", actor="t").version_id)
    svc.set_policy(
        signed_in(svc, "carol"),
        sample_confidence=0.99,
        sample_min_foreign_fraction=0.02,
        unlock_lapse_days=3,
    )
    assert svc.policy().unlock_lapse_days == 3 and svc.policy().updated_by == "carol"
    review2, folder2 = make_review("DSAR-T-0009", recordings=200)
    after = svc.version_detail(svc.ingest(review2, folder2 / "export.zip", actor="t").version_id)
    assert after.sample.size > before.sample.size
    assert "99% confidence" in after.sampling_statement
    # The stored sample of an earlier export never changes under its reviewers.
    assert svc.version_detail(before.version_id).sample == before.sample
    [change] = [e for e in events(svc) if e["action"] == "policy-change"]
    assert change["actor"] == "carol" and change["payload"]["after"]["sample_confidence"] == 0.99


def test_history_filters_by_date_and_a_missing_archive_is_refused(
    svc: ReviewService, make_review: MakeReview, clock: Clock, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-T-0010")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    approve(svc, "alice", vid)
    clock.advance(days=2)  # on PostgreSQL the server's clock stamps: both are seconds apart
    approve(svc, "bob", vid)
    alice_at, bob_at = (h.at for h in sorted(svc.history(), key=lambda h: h.at))
    between = alice_at + (bob_at - alice_at) / 2
    assert [h.reviewer for h in svc.history(since=between)] == ["bob"]
    assert [h.reviewer for h in svc.history(until=between)] == ["alice"]
    assert [h.reviewer for h in svc.history(reviewer="bob", decision="approve")] == ["bob"]
    (folder / "export.zip").rename(folder / "moved.zip")
    with pytest.raises(ReleaseError, match="cannot read the archive"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0010", tmp_path / "outbox")
    assert not (tmp_path / "outbox").exists()
    with pytest.raises(PermissionDenied, match="approver"):
        svc.release(signed_in(svc, "alice"), "DSAR-T-0010", tmp_path / "outbox")


def with_ticket(review: Review, **requester: str) -> Review:
    """`review` checked against its ticket with the requester's fields changed."""
    ticket = json.loads(json.dumps(review.request.raw))
    ticket["requester"].update(requester)
    return dataclasses.replace(review, request=request_from_dict(ticket))


def test_a_changed_ticket_is_a_new_version_that_voids_earlier_sign_offs(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-T-0011")
    v1 = svc.ingest(review, folder / "export.zip", actor="test").version_id
    approve(svc, "alice", v1)
    approve(svc, "bob", v1)
    assert svc.queue()[0].state is State.APPROVED
    # The same ticket, its keys in another order: what was checked did not change.
    reordered = dict(reversed(list(review.request.raw.items())))
    same = dataclasses.replace(review, request=request_from_dict(reordered))
    assert svc.ingest(same, folder / "export.zip", actor="test").outcome == "unchanged"
    assert svc.ingest(review, folder / "export.zip", actor="test").outcome == "unchanged"
    assert svc.queue()[0].state is State.APPROVED

    # The same archive for another requester is another review.
    other = with_ticket(review, customer_id="A9ZZZZZZZZZZZZ", name="Someone Else")
    r2 = svc.ingest(other, folder / "export.zip", actor="test")
    assert (r2.outcome, r2.version_number) == ("new-version", 2) and r2.version_id != v1
    [row] = svc.queue()
    assert (row.version_id, row.requester_name, row.state, row.signers) == (
        r2.version_id,
        "Someone Else",
        State.PENDING,
        (),
    )
    assert svc.version_detail(v1).state is State.VOIDED
    ingest = [e for e in events(svc) if e["action"] == "ingest"][-1]
    assert ingest["payload"]["changed"] == ["ticket"]
    assert ingest["payload"]["voided_versions"] == [1]
    with pytest.raises(SignOffError, match="newer archive"):
        svc.sign_off("dave", PASS["dave"], v1, "approve", "", ALL, {})
    with pytest.raises(ReleaseError, match="no sign-off yet"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0011", tmp_path / "outbox")
    assert not (tmp_path / "outbox").exists()
    assert [e["action"] for e in events(svc)][-1] == "release-refused"
    # Going back to the first ticket is a third version, reviewed afresh.
    r3 = svc.ingest(review, folder / "export.zip", actor="test")
    assert (r3.outcome, r3.version_number) == ("new-version", 3)
    assert svc.queue()[0].state is State.PENDING


def test_a_release_is_bound_to_the_ticket_its_version_was_checked_against(
    svc: ReviewService, make_review: MakeReview, clock: Clock, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-T-0012")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    approve(svc, "alice", vid)
    approve(svc, "bob", vid)
    ticket = json.loads(json.dumps(review.request.raw))
    ticket["requester"]["customer_id"] = "A9ZZZZZZZZZZZZ"
    with svc.engine.begin() as c:  # a ticket changed behind the service's back
        c.execute(
            text("UPDATE requests SET ticket = :t WHERE request_id = 'DSAR-T-0012'"),
            {"t": json.dumps(ticket)},
        )
    outbox = tmp_path / "outbox"
    with pytest.raises(ReleaseError, match="ticket changed since"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0012", outbox)
    assert not outbox.exists()
    refused = events(svc)[-1]
    assert refused["action"] == "release-refused" and "ticket" in refused["payload"]["reason"]

    # A version stored before tickets were hashed: its ticket is unknown, so it is not released,
    # by the service or by the database.
    with svc.engine.begin() as c:
        c.execute(
            text("UPDATE requests SET ticket = :t WHERE request_id = 'DSAR-T-0012'"),
            {"t": json.dumps(review.request.raw)},
        )
        with rule_lifted(c, "export_versions_fixed"):  # what ingest decided: lifted as its owner
            c.execute(
                text("UPDATE export_versions SET ticket_sha256 = NULL WHERE id = :v"), {"v": vid}
            )
    with pytest.raises(ReleaseError, match="not recorded"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0012", outbox)
    assert not outbox.exists()
    with svc.engine.connect() as c:
        second = c.execute(
            text("SELECT id FROM signoffs WHERE version_id = :v AND stage = 2"), {"v": vid}
        ).scalar_one()
    with pytest.raises(DBAPIError, match="ticket"), svc.engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO releases (version_id, archive_sha256, signoff_id, signoff_stage, signoff_decision, released_by, released_at, outbox_path, receipt) "
                "VALUES (:v, :sha, :so, 2, 'approve', 'bob', :now, '/tmp/x', '{}')"
            ),
            {"v": vid, "sha": review.report.archive_sha256, "so": second, "now": clock.now},
        )
    # Ingesting it again makes a version whose ticket is known, reviewed afresh.
    again = svc.ingest(review, folder / "export.zip", actor="test")
    assert (again.outcome, again.version_number) == ("new-version", 2)
    approve(svc, "alice", again.version_id)
    approve(svc, "bob", again.version_id)
    receipt = svc.release(signed_in(svc, "bob"), "DSAR-T-0012", outbox)
    doc = json.loads((outbox / "DSAR-T-0012" / "release.json").read_text())
    assert doc["request"]["customer_id"] == "A1B2C3D4E5F6G7"
    assert len(doc["ticket_sha256"]) == 64 and receipt.version_id == again.version_id


def test_a_release_goes_out_once(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review, folder = make_review("DSAR-T-0013")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    approve(svc, "alice", vid)
    approve(svc, "bob", vid)
    monkeypatch.chdir(tmp_path)
    receipt = svc.release(
        signed_in(svc, "bob"), "DSAR-T-0013", Path("o2")
    )  # a relative outbox, as typed
    delivered = tmp_path / "o2" / "DSAR-T-0013"
    assert receipt.outbox_dir == delivered
    before = {p.name: p.read_bytes() for p in delivered.iterdir()}

    with pytest.raises(ReleaseError, match=r"already released at .* to .*o2"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0013", tmp_path / "o3")
    assert not (tmp_path / "o3").exists()
    assert {p.name: p.read_bytes() for p in delivered.iterdir()} == before
    actions = [e["action"] for e in events(svc)]
    assert actions.count("release") == 1 and actions[-1] == "release-refused"
    with pytest.raises(ReleaseError, match="already released"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0013", tmp_path / "o2")
    assert {p.name: p.read_bytes() for p in delivered.iterdir()} == before

    # Files moved away after delivery: a plain release refuses; a re-delivery is a deliberate,
    # audited act with a reason, to the recorded outbox only.
    shutil.rmtree(delivered)
    with pytest.raises(ReleaseError, match="delivered there; to deliver them again"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0013", tmp_path / "o2")
    assert not delivered.exists()
    with pytest.raises(ReleaseError, match="needs a reason"):
        svc.release(signed_in(svc, "bob"), "DSAR-T-0013", tmp_path / "o2", redeliver=True)
    with pytest.raises(ReleaseError, match="already released"):
        svc.release(
            signed_in(svc, "bob"), "DSAR-T-0013", tmp_path / "o3", redeliver=True, reason="lost"
        )
    assert not (tmp_path / "o3").exists() and not delivered.exists()
    with pytest.raises(PermissionDenied, match="approver"):
        svc.release(
            signed_in(svc, "alice"), "DSAR-T-0013", tmp_path / "o2", redeliver=True, reason="lost"
        )
    again = svc.release(
        signed_in(svc, "dave"),
        "DSAR-T-0013",
        tmp_path / "o2",
        redeliver=True,
        reason="the requester's download link expired",
    )
    assert {p.name: p.read_bytes() for p in delivered.iterdir()} == before
    assert again.audit_head == receipt.audit_head
    [redelivery] = [e for e in events(svc) if e["action"] == "redelivery"]
    assert redelivery["actor"] == "dave"
    assert redelivery["payload"]["reason"] == "the requester's download link expired"
    assert [e["action"] for e in events(svc)].count("release") == 1


def test_the_clean_sample_is_counted_alike_by_check_and_by_the_statement(svc) -> None:  # type: ignore[no-untyped-def]
    """`check` says 9 recordings, one with no audio file: the sampling statement a signer
    records counts the same 9 and names the same one."""
    from reviewer.archive.review import review_request

    root = Path(__file__).resolve().parent.parent / "sample_archives" / "clean"
    review = review_request(root)
    assert review.index.recording_count == 9 and review.index.without_audio == ["UFA3AB216D5F2167"]
    vid = svc.ingest(review, root / "export.zip", actor="test").version_id
    detail = svc.version_detail(vid)
    assert detail.sampling_statement == (
        "sample: all 8 recordings with audio "
        "(the whole export; 1 of 9 has no audio file: UFA3AB216D5F2167)"
    )
    inspect_sample(svc, "alice", vid)
    assert svc.gate("alice", vid).sampling_statement == (
        "all 8 recordings with audio inspected (the sample is the whole export; "
        "1 of 9 has no audio file: UFA3AB216D5F2167), 0 marked foreign"
    )
