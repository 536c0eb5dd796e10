"""Work handed out, through the service and the command line, on SQLite and PostgreSQL: a
claim reserves the first decision for its holder (never reading, never the second sign-off),
two people claiming at once get one winner, assignment and hand-over by the right people only,
every change audited, and a claim written around the reviewer caught by `audit verify`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FAST, Clock, MakeReview, add_people, insider_sql, signed_in
from test_store_service import ALL, PASS, approve, events, inspect_sample

from reviewer.cli import main
from reviewer.store.errors import PermissionDenied, SignOffError, StoreError, UserError
from reviewer.store.service import ReviewService

HELD = "held by alice since "


@pytest.fixture
def svc(store_url: str, clock: Clock) -> Iterator[ReviewService]:
    with ReviewService.open(store_url, clock=clock, hasher=FAST) as s:
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


def ingest(svc: ReviewService, make_review: MakeReview, request_id: str) -> int:
    review, folder = make_review(request_id)
    svc.ingest(review, folder / "export.zip", actor="test")
    return svc.request_detail(request_id).version_id


def test_a_claim_holds_the_first_decision_not_the_reading_nor_the_second(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    vid = ingest(svc, make_review, "DSAR-C-0001")
    hold = svc.claim(signed_in(svc, "alice"), "DSAR-C-0001", "on it")
    assert (hold.holder, hold.by, hold.note) == ("alice", "alice", "on it")
    [row] = svc.queue()
    assert (row.held_by, row.held_since) == ("alice", hold.since)
    assert svc.request_detail("DSAR-C-0001").hold == hold
    # Bob reads, plays and views the transcripts: never blocked.
    inspect_sample(svc, "bob", vid)
    assert svc.request_detail("DSAR-C-0001").evidence["bob"]
    # His first sign-off, and a rejection before any sign-off, are refused with the holder.
    gate = svc.gate("bob", vid)
    assert not gate.allowed and any(r.startswith(HELD) for r in gate.reasons)
    with pytest.raises(SignOffError, match=HELD):
        svc.sign_off("bob", PASS["bob"], vid, "approve", "checked", ALL, {})
    with pytest.raises(SignOffError, match=HELD):
        svc.reject("bob", PASS["bob"], vid, "not ours")
    # The holder signs first; the second sign-off is not held up by her claim.
    approve(svc, "alice", vid)
    assert svc.gate("bob", vid).allowed
    second = approve(svc, "bob", vid)
    assert second.stage.value == "second"
    assert svc.audit_status().ok
    # The release ends her hold: the work is done, and no later export is reserved for her.
    svc.release(signed_in(svc, "bob"), "DSAR-C-0001", tmp_path / "out")
    assert svc.hold("DSAR-C-0001") is None
    [row] = svc.queue()
    assert row.held_by is None
    ended = [e for e in events(svc) if e["action"] == "claim-release"][-1]
    assert (ended["actor"], ended["payload"]["holder"]) == ("bob", "alice")
    assert svc.audit_status().ok


def test_claims_refuse_a_second_holder_and_are_released_by_the_holder_or_a_supervisor(
    svc: ReviewService, make_review: MakeReview
) -> None:
    vid = ingest(svc, make_review, "DSAR-C-0002")
    with pytest.raises(PermissionDenied, match="needs the reviewer or approver role"):
        svc.claim(signed_in(svc, "carol"), "DSAR-C-0002")
    svc.claim(signed_in(svc, "alice"), "DSAR-C-0002")
    with pytest.raises(UserError, match=HELD + ".*ask them to hand it over"):
        svc.claim(signed_in(svc, "bob"), "DSAR-C-0002")
    with pytest.raises(UserError, match="you hold this request already"):
        svc.claim(signed_in(svc, "alice"), "DSAR-C-0002")
    with pytest.raises(UserError, match="only they or a supervisor may let it go"):
        svc.unclaim(signed_in(svc, "bob"), "DSAR-C-0002")
    svc.unclaim(signed_in(svc, "alice"), "DSAR-C-0002")
    assert svc.hold("DSAR-C-0002") is None
    with pytest.raises(UserError, match="nobody holds this request"):
        svc.unclaim(signed_in(svc, "alice"), "DSAR-C-0002")
    svc.claim(signed_in(svc, "bob"), "DSAR-C-0002")
    svc.unclaim(signed_in(svc, "carol"), "DSAR-C-0002")  # a supervisor may let it go
    approve(svc, "bob", vid)  # nobody holds it: anyone may sign first
    kinds = [
        (e["actor"], e["action"], e["payload"].get("holder"))
        for e in events(svc)
        if e["action"].startswith("claim")
    ]
    assert kinds == [
        ("alice", "claim", "alice"),
        ("alice", "claim-release", "alice"),
        ("bob", "claim", "bob"),
        ("carol", "claim-release", "bob"),
    ]
    assert svc.audit_status().ok


def test_assign_and_hand_over_by_the_right_people_only(
    svc: ReviewService, make_review: MakeReview
) -> None:
    vid = ingest(svc, make_review, "DSAR-C-0003")
    with pytest.raises(PermissionDenied, match="needs the supervisor role"):
        svc.assign(signed_in(svc, "bob"), "DSAR-C-0003", "alice")
    with pytest.raises(UserError, match="carol is supervisor: only reviewers and approvers"):
        svc.assign(signed_in(svc, "carol"), "DSAR-C-0003", "carol")
    assigned = svc.assign(signed_in(svc, "carol"), "DSAR-C-0003", "alice", "urgent")
    assert (assigned.holder, assigned.by) == ("alice", "carol")
    # Someone else may not hand it over; the holder may, only with a note.
    with pytest.raises(UserError, match="only they or a supervisor"):
        svc.hand_over(signed_in(svc, "dave"), "DSAR-C-0003", "dave", "mine now")
    with pytest.raises(UserError, match="needs a note"):
        svc.hand_over(signed_in(svc, "alice"), "DSAR-C-0003", "bob", "  ")
    given = svc.hand_over(signed_in(svc, "alice"), "DSAR-C-0003", "bob", "sample half played")
    assert (given.holder, given.by, given.note) == ("bob", "alice", "sample half played")
    with pytest.raises(SignOffError, match="held by bob since"):
        approve(svc, "alice", vid)
    # A supervisor reassigns it over bob's hold.
    svc.assign(signed_in(svc, "carol"), "DSAR-C-0003", "dave")
    hold = svc.hold("DSAR-C-0003")
    assert hold is not None and hold.holder == "dave"
    approve(svc, "dave", vid)
    got = [
        (e["actor"], e["action"], e["payload"]["holder"], e["payload"]["ended_claim_id"] is None)
        for e in events(svc)
        if e["action"].startswith("claim")
    ]
    assert got == [
        ("carol", "claim-assign", "alice", True),
        ("alice", "claim-handover", "bob", False),
        ("carol", "claim-assign", "dave", False),
    ]
    assert svc.audit_status().ok


def test_the_database_refuses_a_first_sign_off_written_around_a_claim(
    svc: ReviewService, make_review: MakeReview
) -> None:
    vid = ingest(svc, make_review, "DSAR-C-0004")
    svc.claim(signed_in(svc, "alice"), "DSAR-C-0004")
    d = svc.request_detail("DSAR-C-0004")
    insert = (
        "INSERT INTO signoffs (version_id, round, stage, reviewer_id, reviewer_role, decision, "
        "archive_sha256, version_blocked, note, checklist, acknowledged, sampling_statement, at) "
        "VALUES (?, 1, 1, (SELECT id FROM reviewers WHERE name = ?), ?, 'reject', ?, ?, 'no', "
        "'{}', '{}', 'x', ?)"
    )
    now = datetime.now(UTC).isoformat()
    with pytest.raises(Exception, match="held by someone else: the first decision is theirs"):
        insider_sql(svc.url, [(insert, (vid, "bob", "approver", d.archive_sha256, False, now))])
    # The holder's own row passes this rule (the audit then misses its event).
    insider_sql(svc.url, [(insert, (vid, "alice", "reviewer", d.archive_sha256, False, now))])


def test_a_claim_written_in_sql_fails_the_audit(
    svc: ReviewService, make_review: MakeReview
) -> None:
    ingest(svc, make_review, "DSAR-C-0005")
    assert svc.audit_status().ok
    insider_sql(
        svc.url,
        [
            (
                "INSERT INTO claims (request_id, holder_id, kind, by_id, note, at) VALUES "
                "(?, (SELECT id FROM reviewers WHERE name = 'bob'), 'claim', "
                "(SELECT id FROM reviewers WHERE name = 'bob'), '', ?)",
                ("DSAR-C-0005", datetime.now(UTC).isoformat()),
            )
        ],
    )
    assert svc.hold("DSAR-C-0005") is not None  # the row holds the request ...
    status = svc.audit_status()  # ... and the audit says it was written around the reviewer
    assert not status.ok
    assert "claim row" in status.message and "written around the reviewer" in status.message


def test_two_people_claiming_at_once_get_one_winner_each_time(
    svc: ReviewService, make_review: MakeReview
) -> None:
    ingest(svc, make_review, "DSAR-C-0006")
    sessions = {name: signed_in(svc, name) for name in ("alice", "bob")}
    for _ in range(50):
        barrier = threading.Barrier(2)
        won: list[str] = []
        refused: list[str] = []

        def claim(
            name: str,
            barrier: threading.Barrier = barrier,
            won: list[str] = won,
            refused: list[str] = refused,
        ) -> None:
            barrier.wait()
            try:
                svc.claim(sessions[name], "DSAR-C-0006")
                won.append(name)
            except (UserError, StoreError) as exc:
                refused.append(f"{name}: {exc}")

        threads = [threading.Thread(target=claim, args=(n,)) for n in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(won) == 1, refused
        [loser] = refused
        assert f"held by {won[0]} since " in loser, loser
        svc.unclaim(sessions[won[0]], "DSAR-C-0006")
    assert svc.audit_status().ok


def cli(url: str, *args: str, who: str) -> Result:
    result = CliRunner().invoke(
        main, ["--db", url, *args, "--as", who, "--passphrase-stdin"], input=PASS[who] + "\n"
    )
    assert "Traceback" not in result.output + (result.stderr or "")
    return result


def test_the_command_line_claims_refuses_hands_over_and_status_shows_the_holder(
    svc: ReviewService, make_review: MakeReview
) -> None:
    ingest(svc, make_review, "DSAR-C-0007")
    url = svc.url  # from here on only the command line writes (its clock is the real one)
    done = cli(url, "claim", "DSAR-C-0007", "--json", who="alice")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["held_by"] == "alice"
    taken = cli(url, "claim", "DSAR-C-0007", who="bob")
    assert taken.exit_code == 1 and "claim refused: held by alice since" in taken.stderr
    not_sup = cli(url, "assign", "DSAR-C-0007", "--to", "bob", who="alice")
    assert not_sup.exit_code == 1 and "needs the supervisor role" in not_sup.stderr
    no_note = CliRunner().invoke(
        main, ["--db", url, "handover", "DSAR-C-0007", "--to", "bob", "--as", "alice"]
    )
    assert no_note.exit_code == 2 and "--note" in no_note.output
    given = cli(url, "handover", "DSAR-C-0007", "--to", "bob", "--note", "over to you", who="alice")
    assert given.exit_code == 0 and "held by bob since" in given.stdout
    status = CliRunner().invoke(main, ["--db", url, "status", "--json"])
    [row] = json.loads(status.stdout)
    assert row["held_by"] == "bob" and row["held_since"]
    nobody = cli(url, "assign", "DSAR-C-0007", "--to", "nobody", who="carol")
    assert nobody.exit_code == 2 and "no reviewer named nobody" in nobody.stderr
    released = cli(url, "unclaim", "DSAR-C-0007", "--json", who="bob")
    assert released.exit_code == 0 and json.loads(released.stdout)["held_by"] is None
    unknown = cli(url, "claim", "DSAR-NOPE", who="alice")
    assert unknown.exit_code == 2 and "no request DSAR-NOPE" in unknown.stderr


@pytest.mark.parametrize("command", ["claim", "unclaim", "assign", "handover"])
def test_every_claim_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Exit codes:" in result.output


def test_a_note_or_a_reason_longer_than_two_thousand_characters_is_refused_unrecorded(
    svc: ReviewService, make_review: MakeReview
) -> None:
    ingest(svc, make_review, "DSAR-C-0009")
    before = len(events(svc))
    long = "x" * 2001
    with pytest.raises(UserError, match="a note is at most 2,000 characters"):
        svc.claim(signed_in(svc, "alice"), "DSAR-C-0009", long)
    with pytest.raises(UserError, match="a reason is at most 2,000 characters"):
        svc.pause(signed_in(svc, "alice"), "DSAR-C-0009", long)
    assert svc.hold("DSAR-C-0009") is None
    assert not {"claim", "clock-change"} & {e["action"] for e in events(svc)[before:]}
    assert svc.claim(signed_in(svc, "alice"), "DSAR-C-0009", "y" * 2000).note == "y" * 2000
