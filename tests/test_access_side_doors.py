"""Who may do what, tried the way a careless or dishonest insider would: from the command line,
from other threads and processes at once, and with write access to the database itself.

Each test reproduces one side door of the four-eyes promise and shows it closed, on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from conftest import FAST, Clock, MakeReview, add_people, insider_sql, signed_in

from reviewer.cli import main
from reviewer.domain.access import Action, Actor, permission
from reviewer.domain.policy import MAX_FOREIGN_FRACTION, MIN_CONFIDENCE
from reviewer.domain.states import Role, State
from reviewer.store.errors import PermissionDenied, SignInError, SignOffError, UserError
from reviewer.store.service import ReviewService

PEOPLE = [
    ("carol", "supervisor", "carol-side-passphrase"),
    ("alice", "reviewer", "alice-side-passphrase"),
    ("bob", "approver", "bob-side-passphrase"),
    ("dave", "approver", "dave-side-passphrase"),
]
PASS = {name: passphrase for name, _role, passphrase in PEOPLE}
SAMPLES = Path(__file__).resolve().parent.parent / "sample_archives"


@pytest.fixture
def svc(store_url: str, clock: Clock) -> Iterator[ReviewService]:
    s = ReviewService.open(store_url, clock=clock, hasher=FAST)
    add_people(s, PEOPLE)
    yield s
    s.close()


def cli(url: str, *args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(main, ["--db", url, *args], input=input)
    assert "Traceback" not in result.output + (result.stderr or "")
    return result


def refused_in_sql(url: str, statement: str) -> str:
    """Run `statement` as the insider would; it must be refused. Returns the refusal."""
    with pytest.raises(Exception) as caught:  # sqlite3.DatabaseError or psycopg.Error
        insider_sql(url, [statement])
    return str(caught.value)


def events(svc: ReviewService) -> list[dict[str, Any]]:
    from sqlmodel import Session

    from reviewer.store import audit_log

    with Session(svc.engine) as s:
        return [e.to_dict() for e in audit_log.iter_events(s)]


# ---------------------------------------------------------------------------------------------
# The rule itself


def test_the_one_rule_answers_every_role_and_state_in_words() -> None:
    alice = Actor(2, "alice", Role.REVIEWER)
    bob = Actor(3, "bob", Role.APPROVER)
    carol = Actor(1, "carol", Role.SUPERVISOR)
    assert permission(alice, Action.SIGN_FIRST, State.PENDING)
    assert not permission(alice, Action.SIGN_SECOND, State.FIRST_SIGNOFF)
    assert permission(bob, Action.SIGN_SECOND, State.FIRST_SIGNOFF)
    assert (
        "already signed"
        in permission(bob, Action.SIGN_SECOND, State.FIRST_SIGNOFF, already_signed=True).reason
    )
    assert permission(carol, Action.SIGN_FIRST, State.PENDING).reason == (
        "supervisors do not sign off"
    )
    assert not permission(carol, Action.RELEASE, State.APPROVED)
    assert permission(bob, Action.RELEASE, State.APPROVED)
    assert "approver" in permission(alice, Action.RELEASE, State.APPROVED).reason
    assert "lapsed" in permission(bob, Action.RELEASE, State.LAPSED).reason
    assert permission(bob, Action.SIGN_FIRST, State.LAPSED)  # signed again from the start
    for action in (Action.ADMINISTER_ACCOUNTS, Action.CHANGE_POLICY, Action.EXPORT_HISTORY):
        assert permission(carol, action)
        assert not permission(bob, action) and not permission(alice, action)
    assert "signed in" in permission(None, Action.RELEASE, State.APPROVED).reason
    disabled = Actor(3, "bob", Role.APPROVER, active=False)
    assert "disabled" in permission(disabled, Action.RELEASE, State.APPROVED).reason


def test_the_tui_and_the_cli_compare_no_role_or_state_strings() -> None:
    root = Path(__file__).resolve().parent.parent / "reviewer"
    for path in [*(root / "tui").rglob("*.py"), *(root / "cli").rglob("*.py")]:
        source = path.read_text()
        for needle in (
            '== "supervisor"',
            '== "approver"',
            '!= "approver"',
            "Role.SUPERVISOR",
            "role.value ==",
            "role.value !=",
            "state.value ==",
            "state.value in (",
        ):
            assert needle not in source, f"{path.name}: {needle}"


# ---------------------------------------------------------------------------------------------
# 1. Anyone can make a signer


def test_only_a_supervisor_makes_accounts_from_the_command_line(store_url: str) -> None:
    boot = cli(
        store_url,
        "users",
        "add",
        "carol",
        "--role",
        "supervisor",
        "--passphrase-stdin",
        input=f"{PASS['carol']}\n",
    )
    assert boot.exit_code == 0, boot.stderr
    added = cli(
        store_url,
        "users",
        "add",
        "bob",
        "--role",
        "approver",
        "--as",
        "carol",
        "--passphrase-stdin",
        input=f"{PASS['carol']}\n{PASS['bob']}\n",
    )
    assert added.exit_code == 0, added.stderr
    # bob makes himself a second signer: without --as, and as himself.
    alone = cli(
        store_url,
        "users",
        "add",
        "bob2",
        "--role",
        "approver",
        "--passphrase-stdin",
        input=f"{PASS['bob']}\n",
    )
    assert alone.exit_code == 2
    as_bob = cli(
        store_url,
        "users",
        "add",
        "bob2",
        "--role",
        "approver",
        "--as",
        "bob",
        "--passphrase-stdin",
        input=f"{PASS['bob']}\n{PASS['bob']}\n",
    )
    assert as_bob.exit_code == 1 and "supervisor" in as_bob.stderr
    guessed = cli(
        store_url,
        "users",
        "add",
        "bob2",
        "--role",
        "approver",
        "--as",
        "carol",
        "--passphrase-stdin",
        input=f"not-carols-passphrase\n{PASS['bob']}\n",
    )
    assert guessed.exit_code == 1
    for verb in ("disable", "enable", "unlock"):
        assert cli(store_url, "users", verb, "carol").exit_code == 2  # no --as: usage
        by_bob = cli(
            store_url,
            "users",
            verb,
            "carol",
            "--as",
            "bob",
            "--passphrase-stdin",
            input=f"{PASS['bob']}\n",
        )
        assert by_bob.exit_code == 1, (verb, by_bob.stderr)
    reset = cli(
        store_url,
        "users",
        "reset-passphrase",
        "carol",
        "--as",
        "bob",
        "--passphrase-stdin",
        input=f"{PASS['bob']}\nbobs-own-carol-passphrase\n",
    )
    assert reset.exit_code == 1
    names = [u["name"] for u in json.loads(cli(store_url, "users", "list", "--json").output)]
    assert names == ["bob", "carol"]


def test_the_bootstrap_is_a_supervisor_and_audited_as_such(store_url: str) -> None:
    with ReviewService.open(store_url, hasher=FAST) as s:
        with pytest.raises(UserError, match="first account of a store must be a supervisor"):
            s.add_user(None, "bob", "approver", PASS["bob"])
        s.add_user(None, "carol", "supervisor", PASS["carol"])
        with pytest.raises(PermissionDenied, match="a supervisor adds the next one"):
            s.add_user(None, "mallory", "supervisor", "mallory-passphrase")
        [boot] = [e for e in events(s) if e["action"] == "user-add"]
        assert boot["actor"] == "bootstrap" and boot["payload"]["bootstrap"] is True
        carol = s.sign_in("carol", PASS["carol"])
        s.add_user(carol, "bob", "approver", PASS["bob"])
        made = [e for e in events(s) if e["action"] == "user-add"][-1]
        assert (made["actor"], made["subject"]) == ("carol", "reviewer:bob")


def test_accounts_cannot_be_made_in_sql_without_a_supervisor(svc: ReviewService) -> None:
    insert = (
        "INSERT INTO reviewers (name, role, passphrase_hash, disabled, failed_count, "
        "created_at, created_by_id) VALUES ('bob2', 'approver', 'x', false, 0, "
        "'2026-01-01 00:00:00', {by})"
    )
    ids = {u: i for i, u in enumerate(["carol", "alice", "bob", "dave"], start=1)}
    assert "supervisor" in refused_in_sql(svc.url, insert.format(by="NULL"))
    assert "supervisor" in refused_in_sql(svc.url, insert.format(by=ids["bob"]))
    assert "bob2" not in {u.name for u in svc.list_users()}


def test_an_approver_cannot_administer_and_the_last_supervisor_stays(svc: ReviewService) -> None:
    bob, carol = signed_in(svc, "bob"), signed_in(svc, "carol")
    for change in (
        lambda: svc.add_user(bob, "bob2", "approver", PASS["bob"]),
        lambda: svc.disable_user(bob, "alice"),
        lambda: svc.enable_user(bob, "alice"),
        lambda: svc.unlock_user(bob, "bob"),
        lambda: svc.reset_passphrase(bob, "alice", "bobs-alice-passphrase"),
        lambda: svc.set_policy(bob, sample_confidence=0.99),
    ):
        with pytest.raises(PermissionDenied, match="supervisor"):
            change()
    with pytest.raises(PermissionDenied, match="last active supervisor"):
        svc.disable_user(carol, "carol")
    assert "last active supervisor" in refused_in_sql(
        svc.url, "UPDATE reviewers SET disabled = true WHERE name = 'carol'"
    )
    svc.disable_user(carol, "alice")
    with pytest.raises(SignInError, match="disabled"):
        svc.sign_in("alice", PASS["alice"])
    svc.enable_user(carol, "alice")
    assert svc.sign_in("alice", PASS["alice"]).name == "alice"
    actions = [(e["actor"], e["action"]) for e in events(svc)]
    assert ("carol", "user-disable") in actions and ("carol", "user-enable") in actions


def test_a_supervisor_never_signs_and_never_releases(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-S-0001")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    gate = svc.gate("carol", vid)
    assert not gate.allowed and "supervisors do not sign off" in gate.reasons
    with pytest.raises(SignOffError, match="supervisors do not sign off"):
        svc.reject("carol", PASS["carol"], vid, "not hers to reject")
    with pytest.raises(PermissionDenied, match="supervisors do not release"):
        svc.release(signed_in(svc, "carol"), "DSAR-S-0001", tmp_path / "out")
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# 2. A name is an identity


def test_a_name_is_never_renamed_deleted_or_reused(svc: ReviewService) -> None:
    assert "never change" in refused_in_sql(
        svc.url, "UPDATE reviewers SET name = 'dave-old' WHERE name = 'dave'"
    )
    assert "never change" in refused_in_sql(
        svc.url, "UPDATE reviewers SET role = 'supervisor' WHERE name = 'dave'"
    )
    assert "never deleted" in refused_in_sql(svc.url, "DELETE FROM reviewers WHERE name = 'dave'")
    carol = signed_in(svc, "carol")
    svc.disable_user(carol, "dave")
    with pytest.raises(UserError, match="never reused"):
        svc.add_user(carol, "dave", "approver", "a-new-dave-passphrase")


# ---------------------------------------------------------------------------------------------
# 3. An anonymous release; 4. the lockout


def test_a_release_needs_a_signed_in_approver(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    from reviewer.store.views import SignedIn

    review, folder = make_review("DSAR-S-0002")
    svc.ingest(review, folder / "export.zip", actor="test")
    forged = SignedIn("bob", Role.APPROVER, svc.now(), 3, "a-token-nobody-was-given")
    for session in (forged, SignedIn("cli:root", Role.APPROVER, svc.now())):
        with pytest.raises(PermissionDenied, match="not signed in"):
            svc.release(session, "DSAR-S-0002", tmp_path / "out")
        with pytest.raises(PermissionDenied, match="not signed in"):
            svc.record_inspection(session, 1, "played", "Alexa/Audio/u0000.wav", 2.0)
    bob = svc.sign_in("bob", PASS["bob"])
    svc.sign_out(bob)
    with pytest.raises(PermissionDenied, match="closed"):
        svc.release(bob, "DSAR-S-0002", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    # A release row naming no approver is refused by the database too.
    assert "approver" in refused_in_sql(
        svc.url,
        "INSERT INTO releases (version_id, archive_sha256, signoff_id, signoff_stage, "
        "signoff_decision, released_by, released_at, outbox_path, receipt) VALUES (1, "
        f"'{review.report.archive_sha256}', 1, 2, 'approve', 'cli:root', "
        "'2026-01-01 00:00:00', '/tmp/x', '{}')",
    )


def test_a_locked_out_or_disabled_approver_cannot_release_from_the_cli(
    store_url: str, tmp_path: Path
) -> None:
    with ReviewService.open(store_url, hasher=FAST) as s:
        add_people(s, PEOPLE)
    for _ in range(5):
        cli(
            store_url,
            "release",
            "DSAR-X",
            "--outbox",
            str(tmp_path / "out"),
            "--as",
            "bob",
            "--passphrase-stdin",
            input="wrong-passphrase-here\n",
        )
    locked = cli(
        store_url,
        "release",
        "DSAR-X",
        "--outbox",
        str(tmp_path / "out"),
        "--as",
        "bob",
        "--passphrase-stdin",
        input=f"{PASS['bob']}\n",
    )
    assert locked.exit_code == 1 and "locked out" in locked.stderr
    assert not (tmp_path / "out").exists()


def race(svc_url: str, name: str, guesses: list[str]) -> list[str]:
    """Send every guess at the same instant, each from its own connection; the outcomes."""
    services = [ReviewService.open(svc_url, hasher=FAST) for _ in guesses]
    barrier = threading.Barrier(len(guesses))
    outcomes: list[str] = [""] * len(guesses)

    def go(i: int) -> None:
        barrier.wait()
        try:
            services[i].sign_in(name, guesses[i])
            outcomes[i] = "ok"
        except SignInError as exc:
            outcomes[i] = "locked" if "locked out" in str(exc) else "wrong"

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(guesses))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in services:
        s.close()
    return outcomes


def test_forty_guesses_at_once_check_at_most_five(svc: ReviewService) -> None:
    outcomes = race(svc.url, "alice", [f"guess-number-{i:02d}" for i in range(40)])
    checked = [e for e in events(svc) if e["action"] == "sign-in-failed"]
    assert len(checked) <= 5 and outcomes.count("ok") == 0
    assert outcomes.count("wrong") in (len(checked), len(checked) - 1)  # the fifth says locked
    assert outcomes.count("locked") >= 35
    # The right passphrase now is refused too: the name is locked (asked on the real clock,
    # as the racing terminals were).
    with (
        ReviewService.open(svc.url, hasher=FAST) as live,
        pytest.raises(SignInError, match="locked out"),
    ):
        live.sign_in("alice", PASS["alice"])


def test_forty_wrong_and_the_right_one_at_once_check_at_most_five_wrong(svc: ReviewService) -> None:
    guesses = [f"guess-number-{i:02d}" for i in range(40)]
    guesses.insert(17, PASS["bob"])
    outcomes = race(svc.url, "bob", guesses)
    wrong_checked = [e for e in events(svc) if e["action"] == "sign-in-failed"]
    assert len(wrong_checked) <= 5
    # The right one is accepted only when it was among the tries let through to be checked.
    assert outcomes.count("ok") <= 1 and outcomes.count("wrong") <= len(wrong_checked)
    assert outcomes.count("locked") >= 40 - 5


def test_a_terminal_clock_set_ahead_does_not_end_a_lockout_on_postgresql(
    svc: ReviewService, clock: Clock
) -> None:
    if svc.engine.dialect.name != "postgresql":
        pytest.skip("on SQLite the terminal's clock is the only clock there is (README)")
    for _ in range(5):
        with pytest.raises(SignInError):
            svc.sign_in("bob", "wrong-passphrase-here")
    clock.advance(minutes=16)  # what faketime +16m does to the terminal
    with pytest.raises(SignInError, match="locked out"):
        svc.sign_in("bob", PASS["bob"])


# ---------------------------------------------------------------------------------------------
# 5. No secret in the trail; 6. no name leaked


def test_a_passphrase_typed_as_a_name_never_reaches_the_trail(
    svc: ReviewService, tmp_path: Path
) -> None:
    typed = "Correct-Horse-Battery-Staple-9"  # the passphrase, in the Name field
    for _ in range(2):
        with pytest.raises(SignInError, match="unknown reviewer or wrong passphrase"):
            svc.sign_in(typed, "")
    failed = [e for e in events(svc) if e["action"] == "sign-in-failed"]
    assert [e["actor"] for e in failed] == ["unknown", "unknown"]
    digests = {e["payload"]["name_digest"] for e in failed}
    assert len(digests) == 1  # repeated tries under one typed name correlate
    out = tmp_path / "trail.csv"
    svc.export_audit_csv(signed_in(svc, "carol"), out)
    exported = out.read_text(encoding="utf-8")
    assert typed not in exported and typed.lower() not in exported.lower()
    assert digests.pop() in exported
    with open(out, newline="", encoding="utf-8") as handle:
        assert all(typed not in "".join(row) for row in csv.reader(handle))


def test_unknown_names_answer_and_lock_exactly_as_real_ones(svc: ReviewService) -> None:
    answers: dict[str, list[str]] = {}
    for name in ("alice", "nobody-here"):
        answers[name] = []
        for _ in range(6):
            with pytest.raises(SignInError) as caught:
                svc.sign_in(name, "wrong-passphrase-here")
            # The lockout's end (HH:MM) depends on when each name was locked: a minute may
            # turn between the two; what the answers say must be the same.
            answers[name].append(re.sub(r"\b\d\d:\d\d UTC", "HH:MM UTC", str(caught.value)))
    assert answers["alice"] == answers["nobody-here"]
    assert "locked out" in answers["nobody-here"][-1]
    assert all(
        "nobody-here" not in e["actor"] + e["subject"] + json.dumps(e["payload"])
        for e in events(svc)
    )


# ---------------------------------------------------------------------------------------------
# 7. Policy without bounds


def test_policy_bounds_hold_in_the_service_and_in_the_database(svc: ReviewService) -> None:
    carol = signed_in(svc, "carol")
    with pytest.raises(UserError, match="90%"):
        svc.set_policy(carol, sample_confidence=0.5)
    with pytest.raises(UserError, match="10%"):
        svc.set_policy(carol, sample_min_foreign_fraction=1.0)
    svc.set_policy(
        carol, sample_confidence=MIN_CONFIDENCE, sample_min_foreign_fraction=MAX_FOREIGN_FRACTION
    )
    for column, value in (
        ("sample_confidence", "0.0001"),
        ("sample_min_foreign_fraction", "1.0"),
        ("unlock_lapse_days", "365"),
    ):
        refused_in_sql(svc.url, f"UPDATE policy SET {column} = {value}")
    p = svc.policy()
    assert (p.sample_confidence, p.sample_min_foreign_fraction) == (
        MIN_CONFIDENCE,
        MAX_FOREIGN_FRACTION,
    )


# ---------------------------------------------------------------------------------------------
# 8. The outbox


def ingested_sample(store_url: str, tmp_path: Path, sample: str) -> str:
    """A sample request copied to an inbox and ingested through the CLI, with the demo's
    people (carol, alice, bob) in the store; its request id."""
    from test_cli_store import request_id

    folder = tmp_path / "inbox" / sample
    shutil.copytree(SAMPLES / sample, folder)
    rid = request_id(folder)
    with ReviewService.open(store_url) as s:
        add_people(
            s,
            [
                ("carol", "supervisor", "carol-demo-passphrase"),
                ("alice", "reviewer", "alice-demo-passphrase"),
                ("bob", "approver", "bob-demo-passphrase"),
            ],
        )
    assert cli(store_url, "ingest", str(folder)).exit_code == 0
    return rid


def approved_clean_request(store_url: str, tmp_path: Path) -> str:
    """The clean sample ingested and approved by both stages (alice, bob) through the CLI,
    ready to release; its request id."""
    from test_cli_store import approve_both

    rid = ingested_sample(store_url, tmp_path, "clean")
    approve_both(store_url, rid)
    return rid


def release_as_bob(store_url: str, rid: str, outbox: Path, *extra: str) -> Result:
    """`reviewer release RID --outbox OUTBOX --as bob` (and `extra`), his passphrase on stdin."""
    return cli(
        store_url,
        "release",
        rid,
        "--outbox",
        str(outbox),
        "--as",
        "bob",
        "--passphrase-stdin",
        *extra,
        input="bob-demo-passphrase\n",
    )


def test_a_redelivery_is_deliberate_and_a_linked_outbox_is_refused(
    store_url: str, tmp_path: Path
) -> None:
    rid = approved_clean_request(store_url, tmp_path)

    def release(outbox: Path, *extra: str) -> Result:
        return release_as_bob(store_url, rid, outbox, *extra)

    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    linked = tmp_path / "linked-outbox"
    linked.symlink_to(elsewhere)
    refused = release(linked)
    assert refused.exit_code == 1 and "symbolic link" in refused.stderr
    assert list(elsewhere.iterdir()) == []

    outbox = tmp_path / "outbox"
    assert release(outbox).exit_code == 0
    delivered = outbox / rid
    before = {p.name: p.read_bytes() for p in delivered.iterdir()}
    delivered.rename(tmp_path / "moved-away")
    again = release(outbox)
    assert again.exit_code == 1 and "deliver them again" in again.stderr
    assert not delivered.exists()
    assert release(outbox, "--redeliver").exit_code == 2  # a reason is required
    redone = release(outbox, "--redeliver", "--reason", "the requester lost the first copy")
    assert redone.exit_code == 0, redone.stderr
    assert {p.name: p.read_bytes() for p in delivered.iterdir()} == before
    with ReviewService.open(store_url) as s:
        kinds = [
            (e["actor"], e["action"])
            for e in events(s)
            if e["action"] in ("delivery", "redelivery")
        ]
        assert kinds == [("bob", "delivery"), ("bob", "redelivery")]
        assert s.audit_status().ok
    # an insider points the release at another folder, for the next redelivery to land there
    refusal = refused_in_sql(store_url, f"UPDATE releases SET outbox_path = '{elsewhere}'")
    assert "releases: a release never changes" in refusal


def test_a_linked_request_folder_is_not_ingested(store_url: str, tmp_path: Path) -> None:
    real = tmp_path / "real" / "clean"
    shutil.copytree(SAMPLES / "clean", real)
    linked = tmp_path / "linked"
    linked.symlink_to(real)
    result = cli(store_url, "ingest", str(linked))
    assert result.exit_code == 1 and "a link, not followed" in result.stderr
    assert json.loads(cli(store_url, "status", "--json").output) == []  # nothing stored


def test_a_sign_off_by_a_new_or_re_enabled_account_is_flagged(
    svc: ReviewService, make_review: MakeReview, clock: Clock
) -> None:
    from reviewer.domain.signoff import CHECKLIST_KEYS

    def approve_as(name: str, version_id: int) -> None:
        me = signed_in(svc, name, fresh=True)
        for item in svc.version_detail(version_id).sample.items:
            svc.record_inspection(me, version_id, "played", item.member, item.duration_s or 2.0)
            svc.record_inspection(me, version_id, "viewed_transcript", item.member)
        svc.sign_off(
            name, PASS[name], version_id, "approve", "ok", dict.fromkeys(CHECKLIST_KEYS, True), {}
        )

    def signer_flags() -> dict[tuple[str, str], bool]:
        return {(h.request_id, h.reviewer): h.new_account for h in svc.history()}

    clock.advance(days=1)
    first, folder = make_review("DSAR-S-0010")
    v1 = svc.ingest(first, folder / "export.zip", actor="test").version_id
    approve_as("alice", v1)  # alice's account is a day old: flagged
    if svc.url.startswith("postgresql"):
        # Accounts age by the server's clock there, which a test cannot move; the terminal's
        # clock, a day ahead here, does not age them.
        assert signer_flags() == {("DSAR-S-0010", "alice"): True}
        svc.set_policy(signed_in(svc, "carol"), new_account_days=0)
        assert not any(signer_flags().values())
        return
    clock.advance(days=7)
    carol = signed_in(svc, "carol", fresh=True)
    second, folder2 = make_review("DSAR-S-0011", seed=1)
    v2 = svc.ingest(second, folder2 / "export.zip", actor="test").version_id
    approve_as("bob", v2)  # eight days old: not flagged
    svc.disable_user(carol, "dave")
    clock.advance(days=1)
    svc.enable_user(signed_in(svc, "carol", fresh=True), "dave")
    approve_as("dave", v1)  # re-enabled a moment ago: flagged again
    assert signer_flags() == {
        ("DSAR-S-0010", "alice"): True,
        ("DSAR-S-0011", "bob"): False,
        ("DSAR-S-0010", "dave"): True,
    }
    # A passphrase the supervisor set a moment ago: whoever knows it could have signed
    svc.reset_passphrase(signed_in(svc, "carol", fresh=True), "bob", "bob-reset-passphrase")
    third, folder3 = make_review("DSAR-S-0012", seed=2)
    v3 = svc.ingest(third, folder3 / "export.zip", actor="test").version_id
    me = signed_in(svc, "bob", "bob-reset-passphrase", fresh=True)
    for item in svc.version_detail(v3).sample.items:
        svc.record_inspection(me, v3, "played", item.member, item.duration_s or 2.0)
        svc.record_inspection(me, v3, "viewed_transcript", item.member)
    svc.sign_off(
        "bob", "bob-reset-passphrase", v3, "approve", "ok", dict.fromkeys(CHECKLIST_KEYS, True), {}
    )
    assert signer_flags()[("DSAR-S-0012", "bob")] is True
    svc.set_policy(signed_in(svc, "carol"), new_account_days=0)  # the supervisor turns it off
    assert not any(signer_flags().values())


GUESSERS = 8


@pytest.mark.slow(seconds=10)
def test_guesses_from_many_processes_at_once_check_at_most_five(
    store_url: str, tmp_path: Path
) -> None:
    """Eight `reviewer release --as bob` processes with wrong passphrases, started together
    (three more than the five tries a window allows): the store counts the tries, not the
    processes."""
    import os
    import subprocess
    import sys

    with ReviewService.open(store_url, hasher=FAST) as s:
        add_people(s, PEOPLE)
    exe = shutil.which("reviewer", path=os.path.dirname(sys.executable))
    assert exe is not None
    procs = [
        subprocess.Popen(
            [
                exe,
                "--db",
                store_url,
                "release",
                "DSAR-X",
                "--outbox",
                str(tmp_path / "out"),
                "--as",
                "bob",
                "--passphrase-stdin",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(GUESSERS)
    ]
    results = [p.communicate(f"guess-{i:02d}-not-bobs\n", timeout=900) for i, p in enumerate(procs)]
    assert all(p.returncode == 1 for p in procs), results
    with ReviewService.open(store_url, hasher=FAST) as s:
        checked = [e for e in events(s) if e["action"] == "sign-in-failed"]
        assert len(checked) <= 5
        assert sum("locked out" in err for _out, err in results) >= GUESSERS - 5
        with pytest.raises(SignInError, match="locked out"):
            s.sign_in("bob", PASS["bob"])
    assert not (tmp_path / "out").exists()


def test_a_supervisor_ends_a_lockout_and_resets_a_passphrase(svc: ReviewService) -> None:
    for _ in range(5):
        with pytest.raises(SignInError):
            svc.sign_in("bob", "wrong-passphrase-here")
    with pytest.raises(SignInError, match="locked out"):
        svc.sign_in("bob", PASS["bob"])
    carol = signed_in(svc, "carol")
    assert svc.unlock_user(carol, "bob").locked_until is None
    bob = svc.sign_in("bob", PASS["bob"])
    svc.reset_passphrase(carol, "bob", "bobs-brand-new-passphrase")
    with pytest.raises(PermissionDenied, match="closed"):  # his open session ended with it
        svc.set_policy(bob, unlock_lapse_days=3)
    with pytest.raises(SignInError):
        svc.sign_in("bob", PASS["bob"])
    assert svc.sign_in("bob", "bobs-brand-new-passphrase").name == "bob"
    changes = [(e["actor"], e["action"]) for e in events(svc) if e["subject"] == "reviewer:bob"]
    assert ("carol", "user-unlock") in changes and ("carol", "user-reset-passphrase") in changes


def test_what_a_decision_rests_on_cannot_be_updated_in_sql(
    svc: ReviewService, make_review: MakeReview
) -> None:
    """With the terminals' own write access: a blocked version cannot be unblocked (nor its
    verdict, findings count or archive changed, nor a voided one revived), a session cannot be
    dated back to make a whole sample look played, and an account's activation cannot be dated
    back to hide that it is new."""
    from reviewer.domain.model import Finding, Severity

    critical = Finding("wrong-customer", Severity.CRITICAL, "Wrong customer", "x", ())
    review, folder = make_review("DSAR-T-0099", findings=[critical])
    svc.ingest(review, folder / "export.zip", actor="test")
    signed_in(svc, "alice", opened_ago=None)
    url = svc.url
    for change in (
        "blocked = FALSE, critical = 0, verdict = 'pass'",
        "verdict = 'pass'",
        "critical = 0",
        "archive_sha256 = '" + "0" * 64 + "'",
        "round = 0",
    ):
        refusal = refused_in_sql(url, f"UPDATE export_versions SET {change}")
        assert "what ingest decided never changes" in refusal, change
    assert svc.request_detail("DSAR-T-0099").report.verdict.value == "block"
    for column in ("sample", "report"):  # what the approval rules rest on, emptied
        refusal = refused_in_sql(url, f"UPDATE export_versions SET {column} = '{{}}'")
        assert "change only when its request is purged" in refusal, column
    if svc.engine.dialect.name == "postgresql":  # SQLite has no clock of its own (README)
        refusal = refused_in_sql(
            url,
            "INSERT INTO sessions (token_sha256, reviewer_id, started_at) VALUES "
            f"('{'0' * 64}', 1, now() - interval '23 hours')",
        )
        assert "a session starts now, by the database clock" in refusal
    refusal = refused_in_sql(url, "UPDATE sessions SET started_at = '2020-01-01 00:00:00'")
    assert "the person, token and start of a session never change" in refusal
    refusal = refused_in_sql(
        url, "UPDATE reviewers SET active_since = '2020-01-01 00:00:00' WHERE name = 'alice'"
    )
    assert "active_since of an account only moves forward" in refusal
    # what may change still does: a new version voids the old one, and a session ends
    again, folder = make_review("DSAR-T-0099", seed=1)
    svc.ingest(again, folder / "export.zip", actor="test")
    assert svc.request_detail("DSAR-T-0099").version_number == 2
    refusal = refused_in_sql(url, "UPDATE export_versions SET voided_at = NULL")
    assert "voided once" in refusal


def test_a_linked_folder_above_the_outbox_cannot_carry_a_redelivery_elsewhere(
    store_url: str, tmp_path: Path
) -> None:
    """The release records where its files truly went: retargeting a link above the outbox
    afterwards does not send a redelivery to the new place."""
    rid = approved_clean_request(store_url, tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "outbox").mkdir(parents=True)
    (second / "outbox").mkdir(parents=True)
    via = tmp_path / "via"
    via.symlink_to(first)

    def release(*extra: str) -> Result:
        return cli(
            store_url,
            "release",
            rid,
            "--outbox",
            str(via / "outbox"),
            "--as",
            "bob",
            "--passphrase-stdin",
            *extra,
            input="bob-demo-passphrase\n",
        )

    assert release().exit_code == 0
    assert (first / "outbox" / rid).is_dir()
    with ReviewService.open(store_url) as s:
        recorded = [e for e in events(s) if e["action"] == "delivery"]
    assert str(first / "outbox") in json.dumps(recorded)
    shutil.rmtree(first / "outbox" / rid)
    via.unlink()
    via.symlink_to(second)
    moved = release("--redeliver", "--reason", "the requester lost it")
    assert moved.exit_code != 0
    assert list((second / "outbox").iterdir()) == []


def test_a_folder_replaced_by_a_link_cannot_carry_a_redelivery_elsewhere(
    store_url: str, tmp_path: Path
) -> None:
    """Released to share/dept/outbox, all real folders; later `share` is replaced by a link
    to another folder. The same --outbox now leads elsewhere: the re-delivery is refused and
    nothing is written there."""
    rid = approved_clean_request(store_url, tmp_path)
    share, elsewhere = tmp_path / "share", tmp_path / "elsewhere"
    (share / "dept" / "outbox").mkdir(parents=True)
    (elsewhere / "dept" / "outbox").mkdir(parents=True)

    outbox = share / "dept" / "outbox"
    assert release_as_bob(store_url, rid, outbox).exit_code == 0
    shutil.rmtree(share)
    share.symlink_to(elsewhere)
    moved = release_as_bob(
        store_url, rid, outbox, "--redeliver", "--reason", "the requester lost it"
    )
    assert moved.exit_code == 1, moved.output
    assert "already released" in moved.output
    assert list((elsewhere / "dept" / "outbox").iterdir()) == []


def _forge_a_pass(url: str, rid: str) -> None:
    """What a database administrator with no signing key can write: the version of `rid`
    made to pass (its critical findings taken out, the sample drawn again as for a clean
    export) and its ingest event rewritten to say so, the event's hash computed anew, before
    any checkpoint signs it (every trigger off)."""
    from reviewer.domain.audit import make_event
    from reviewer.domain.report import Report
    from reviewer.domain.sampling import candidates_from_index, draw_sample
    from reviewer.store.codec import index_from_json

    with ReviewService.open(url) as svc:
        vid = svc.request_detail(rid).version_id
        with svc.engine.connect() as conn:
            ev = conn.execute(
                sa.text(
                    "SELECT seq, at, actor, action, subject, payload, prev_hash FROM audit_event "
                    "WHERE action = 'ingest' ORDER BY seq DESC LIMIT 1"
                )
            ).one()
            v = conn.execute(
                sa.text(
                    "SELECT report, index_summary, archive_sha256 FROM export_versions WHERE id = :i"
                ),
                {"i": vid},
            ).one()
    report = v.report if isinstance(v.report, dict) else json.loads(v.report)
    report["findings"] = [f for f in report["findings"] if f["severity"] == "info"]
    report["verdict"] = "pass"
    summary = v.index_summary if isinstance(v.index_summary, dict) else json.loads(v.index_summary)
    index = index_from_json(summary)
    sample = draw_sample(
        candidates_from_index(index, Report.from_dict(report).findings),
        v.archive_sha256,
        without_audio=index.without_audio,
    )
    payload = json.loads(ev.payload)
    payload.update(verdict="pass", critical=0, warnings=0, sample=sample.size)
    forged = make_event(ev.seq - 1, ev.prev_hash, ev.actor, ev.action, ev.subject, payload, ev.at)
    insider_sql(
        url,
        [
            (
                "UPDATE export_versions SET report = ?, verdict = 'pass', critical = 0, "
                "warnings = 0, blocked = ?, sample = ?, sampling_statement = ? WHERE id = ?",
                (json.dumps(report), False, json.dumps(sample.to_dict()), sample.plan(), vid),
            ),
            (
                "UPDATE audit_event SET payload = ?, hash = ? WHERE seq = ?",
                (forged.payload, forged.hash, ev.seq),
            ),
        ],
        bypass=True,
    )


def test_a_blocked_export_made_to_pass_in_sql_is_checked_again_as_it_leaves(
    store_url: str, tmp_path: Path
) -> None:
    """The incident's export, blocked at ingest, is made to pass in the database (its version
    row and its not yet signed ingest event rewritten). Two people review what the store now
    shows and approve it; the release reads the signed bytes once more, finds another
    customer's export, and refuses: nothing leaves."""
    from test_cli_store import approve_both

    rid = ingested_sample(store_url, tmp_path, "wrong-customer")
    _forge_a_pass(store_url, rid)
    approve_both(store_url, rid)
    out = tmp_path / "outbox"
    released = release_as_bob(store_url, rid, out)
    assert released.exit_code == 1, released.output
    assert "checked again as it leaves" in released.output and "wrong-customer" in released.output
    assert not (out / rid).exists()


def test_a_ticket_changed_beside_an_approved_export_holds_its_release(
    store_url: str, tmp_path: Path
) -> None:
    """The inbox's ticket is replaced after both sign-offs (another requester's, say): the
    export was checked and signed against the old one, so it does not leave until it is
    ingested again and reviewed."""
    rid = approved_clean_request(store_url, tmp_path)
    ticket = tmp_path / "inbox" / "clean" / "request.json"
    doc = json.loads(ticket.read_text())
    doc["requester"]["email"] = "someone.else@example.com"
    ticket.write_text(json.dumps(doc))
    out = tmp_path / "outbox"
    released = release_as_bob(store_url, rid, out)
    assert released.exit_code == 1 and "ingest it again" in released.output
    assert not (out / rid).exists()


def test_a_passphrase_hash_swapped_in_sql_unlocks_nothing(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    """An insider with the terminals' write access copies dave's passphrase hash onto bob's
    account and tries to sign in and sign off as bob with dave's passphrase. The hash
    verifies, but dave's passphrase does not unlock the personal key the trail certified for
    bob: both are refused, audited, and nothing is recorded in bob's name."""
    from reviewer.domain.signoff import CHECKLIST_KEYS

    review, folder = make_review("DSAR-T-0077")
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    assert svc.audit_status().ok
    url = svc.url
    swap = (
        "UPDATE reviewers SET passphrase_hash = "
        "(SELECT passphrase_hash FROM reviewers WHERE name = 'dave') WHERE name = 'bob'"
    )
    insider_sql(url, [swap])
    with pytest.raises(SignInError, match="does not unlock the key the audit trail certified"):
        svc.sign_in("bob", PASS["dave"])
    with pytest.raises(SignInError, match="does not unlock the key the audit trail certified"):
        svc.sign_off(
            "bob", PASS["dave"], vid, "approve", "ok", dict.fromkeys(CHECKLIST_KEYS, True), {}
        )
    carol = signed_in(svc, "carol", PASS["carol"], fresh=True)
    assert svc.version_detail(vid).signers == ()
    refused = svc.audit_events(carol, actor="bob", action="sign-in-refused", limit=2)
    assert [e.data.get("purpose") for e in refused] == ["sign-off", "sign-in"]
    status = svc.audit_status()  # and the swapped hash itself shows
    assert not status.ok
    assert "passphrase hash of bob in the store is not the one the audit trail" in status.message


def test_renewed_and_reset_passphrases_keep_audit_verify_green(svc: ReviewService) -> None:
    """What changes a hash legitimately is in the trail: a reset by a supervisor, and a
    sign-in that renews a hash made with weaker parameters."""
    carol = signed_in(svc, "carol", PASS["carol"], fresh=True)
    svc.reset_passphrase(carol, "alice", "alice-new-side-passphrase")
    signed_in(svc, "alice", "alice-new-side-passphrase", fresh=True)
    assert svc.audit_status().ok
