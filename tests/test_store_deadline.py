"""The statutory clock through the service and the command line, on SQLite and PostgreSQL:
who may extend, pause and resume, the limits, every change audited, and a change written
around the reviewer caught by `audit verify`."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FAST, Clock, MakeReview, add_people, insider_sql, signed_in
from test_store_service import PASS, events

from reviewer.cli import main
from reviewer.domain.request import request_from_dict
from reviewer.store.errors import PermissionDenied, UserError
from reviewer.store.service import ReviewService


@pytest.fixture
def svc(store_url: str, clock: Clock) -> Iterator[ReviewService]:
    with ReviewService.open(store_url, clock=clock, hasher=FAST) as s:
        people = (("carol", "supervisor"), ("alice", "reviewer"), ("bob", "approver"))
        add_people(s, [(name, role, PASS[name]) for name, role in people])
        yield s


def ingest_received(
    svc: ReviewService, make_review: MakeReview, request_id: str, days_ago: int
) -> None:
    """A request received `days_ago` days before the store's now (the server's clock on
    PostgreSQL), from a requester in Germany."""
    review, folder = make_review(request_id)
    received = svc.now() - timedelta(days=days_ago)
    ticket = dict(review.request.raw)
    ticket["received_at"] = received.isoformat()
    ticket.pop("due_at", None)
    ticket["requester"] = {
        **ticket["requester"],
        "addresses": [{"country": "DE", "city": "Hannover"}],
        "time_zone": "Europe/Berlin",
    }
    review = dataclasses.replace(review, request=request_from_dict(ticket))
    svc.ingest(review, folder / "export.zip", actor="test")


def test_extend_pause_resume_and_notice_each_audited(
    svc: ReviewService, make_review: MakeReview
) -> None:
    ingest_received(svc, make_review, "DSAR-K-0001", days_ago=5)
    before = svc.clock("DSAR-K-0001")
    assert before is not None and not before.extended and not before.paused
    assert 20 <= before.days_left <= 31
    # A reviewer may not extend; an approver may, with reasons.
    with pytest.raises(PermissionDenied, match="approver or supervisor"):
        svc.extend(signed_in(svc, "alice"), "DSAR-K-0001", 1, "complex")
    with pytest.raises(UserError, match="needs its reasons"):
        svc.extend(signed_in(svc, "bob"), "DSAR-K-0001", 1, " ")
    extended = svc.extend(signed_in(svc, "bob"), "DSAR-K-0001", 2, "1,700 recordings to review")
    assert extended.extended_months == 2 and extended.due > before.due
    assert extended.notice_outstanding
    with pytest.raises(UserError, match="already extended by 2"):
        svc.extend(signed_in(svc, "carol"), "DSAR-K-0001", 1, "more")
    # Anyone who reviews may pause and resume; the supervisor records the notice.
    paused = svc.pause(signed_in(svc, "alice"), "DSAR-K-0001", "asked for a clearer copy of ID")
    assert paused.paused
    with pytest.raises(UserError, match="already paused"):
        svc.pause(signed_in(svc, "bob"), "DSAR-K-0001", "again")
    resumed = svc.resume(signed_in(svc, "alice"), "DSAR-K-0001", "ID arrived")
    assert not resumed.paused
    told = svc.record_notice(signed_in(svc, "carol"), "DSAR-K-0001", "e-mailed the reasons")
    assert not told.notice_outstanding
    clock = svc.clock("DSAR-K-0001")
    assert clock is not None
    assert [(c.kind.value, c.by) for c in clock.history] == [
        ("extend", "bob"),
        ("pause", "alice"),
        ("resume", "alice"),
        ("notice-sent", "carol"),
    ]
    changes = [e for e in events(svc) if e["action"] == "clock-change"]
    assert [(e["actor"], e["payload"]["kind"]) for e in changes] == [
        ("bob", "extend"),
        ("alice", "pause"),
        ("alice", "resume"),
        ("carol", "notice-sent"),
    ]
    assert changes[0]["payload"]["reason"] == "1,700 recordings to review"
    assert svc.audit_status().ok


def test_an_extension_after_the_first_due_date_is_refused(
    svc: ReviewService, make_review: MakeReview
) -> None:
    ingest_received(svc, make_review, "DSAR-K-0002", days_ago=40)
    clock = svc.clock("DSAR-K-0002")
    assert clock is not None and clock.overdue
    with pytest.raises(UserError, match="which has passed"):
        svc.extend(signed_in(svc, "bob"), "DSAR-K-0002", 2, "too late")
    with pytest.raises(UserError, match="overdue since"):
        svc.pause(signed_in(svc, "alice"), "DSAR-K-0002", "too late")
    assert not [e for e in events(svc) if e["action"] == "clock-change"]


# On PostgreSQL the database server's clock decides, which a test cannot move: the tests
# above count from its now.
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_the_service_clock_moves_the_days_left(store_url: str, make_review: MakeReview) -> None:
    clock = Clock(datetime(2030, 12, 3, 9, tzinfo=UTC))
    with ReviewService.open(store_url, clock=clock, hasher=FAST) as s:
        add_people(s, [("carol", "supervisor", PASS["carol"]), ("bob", "approver", PASS["bob"])])
        review, folder = make_review("DSAR-K-0003")  # received 2030-12-01, no country
        s.ingest(review, folder / "export.zip", actor="test")
        first = s.clock("DSAR-K-0003")
        assert first is not None and first.due.isoformat() == "2031-01-01"
        assert first.days_left == 29
        clock.advance(days=10)
        later = s.clock("DSAR-K-0003")
        assert later is not None and later.days_left == 19
        clock.advance(days=30)
        with pytest.raises(UserError, match="2031-01-01, which has passed"):
            s.extend(signed_in(s, "bob"), "DSAR-K-0003", 1, "late")


def test_a_clock_change_written_in_sql_fails_the_audit(
    svc: ReviewService, make_review: MakeReview
) -> None:
    ingest_received(svc, make_review, "DSAR-K-0004", days_ago=3)
    assert svc.audit_status().ok
    insider_sql(
        svc.url,
        [
            (
                "INSERT INTO clock_changes (request_id, kind, months, reason, by_id, at) "
                "VALUES (?, 'extend', 2, 'quietly', (SELECT id FROM reviewers WHERE name = 'bob'), ?)",
                ("DSAR-K-0004", datetime.now(UTC).isoformat()),
            )
        ],
    )
    status = svc.audit_status()
    assert not status.ok
    assert "clock change row" in status.message and "no clock-change event" in status.message


def cli(url: str, *args: str, input: str | None = None) -> Result:
    result = CliRunner().invoke(main, ["--db", url, *args], input=input)
    assert "Traceback" not in result.output + (result.stderr or "")
    return result


def test_the_command_line_extends_and_status_shows_the_clock(
    svc: ReviewService, make_review: MakeReview
) -> None:
    ingest_received(svc, make_review, "DSAR-K-0005", days_ago=2)
    url = svc.url
    refused = cli(
        url,
        "extend",
        "DSAR-K-0005",
        "--months",
        "1",
        "--reason",
        "complex",
        "--as",
        "alice",
        "--passphrase-stdin",
        input=PASS["alice"] + "\n",
    )
    assert refused.exit_code == 1
    assert "needs the approver or supervisor role" in refused.stderr
    done = cli(
        url,
        "extend",
        "DSAR-K-0005",
        "--months",
        "2",
        "--reason",
        "complex",
        "--as",
        "bob",
        "--passphrase-stdin",
        "--json",
        input=PASS["bob"] + "\n",
    )
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["extended_months"] == 2
    paused = cli(
        url, "pause", "DSAR-K-0005", "--reason", "ID asked", "--as", "alice",
        "--passphrase-stdin", input=PASS["alice"] + "\n",
    )  # fmt: skip
    assert paused.exit_code == 0 and "paused since" in paused.stdout
    again = cli(
        url, "pause", "DSAR-K-0005", "--reason", "ID asked", "--as", "alice",
        "--passphrase-stdin", input=PASS["alice"] + "\n",
    )  # fmt: skip
    assert again.exit_code == 1 and "pause refused: the clock is already paused" in again.stderr
    status = cli(url, "status", "--json")
    assert status.exit_code == 0
    (row,) = [r for r in json.loads(status.stdout) if r["request_id"] == "DSAR-K-0005"]
    clock = svc.clock("DSAR-K-0005")
    assert clock is not None
    assert row["due"] == f"{clock.due:%Y-%m-%d}"
    assert row["days_left"] == clock.days_left
    assert row["extended"] is True and row["paused"] is True
    assert [(h["kind"], h["by"]) for h in row["clock"]["history"]] == [
        ("extend", "bob"),
        ("pause", "alice"),
    ]
    unknown = cli(
        url, "resume", "DSAR-NOPE", "--as", "alice", "--passphrase-stdin",
        input=PASS["alice"] + "\n",
    )  # fmt: skip
    assert unknown.exit_code == 2 and "no request DSAR-NOPE" in unknown.stderr


@pytest.mark.parametrize("command", ["extend", "pause", "resume", "notice"])
def test_every_clock_command_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Exit codes:" in result.output


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE clock_changes SET months = 1 WHERE kind = 'extend'",
        "UPDATE clock_changes SET kind = 'resume' WHERE kind = 'pause'",
        "DELETE FROM clock_changes WHERE kind = 'pause'",
    ],
)
def test_a_clock_change_altered_or_removed_in_sql_fails_the_audit(
    svc: ReviewService, make_review: MakeReview, statement: str
) -> None:
    """An insider shortens an extension, turns a pause into a resume, or deletes a pause
    behind the app's back: `audit verify` names the disagreement."""
    ingest_received(svc, make_review, "DSAR-K-0006", days_ago=3)
    svc.extend(signed_in(svc, "bob"), "DSAR-K-0006", 2, "complex")
    svc.pause(signed_in(svc, "alice"), "DSAR-K-0006", "identity documents asked")
    assert svc.audit_status().ok
    insider_sql(svc.url, [statement])
    status = svc.audit_status()
    assert not status.ok
    assert "clock-change" in status.message


def test_another_process_cannot_extend_without_the_role_or_the_passphrase(
    svc: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    """The refusals hold for a second process running the command, not only in this one."""
    import subprocess
    import sys

    ingest_received(svc, make_review, "DSAR-K-0007", days_ago=3)
    reviewer = Path(sys.executable).with_name("reviewer")

    def extend_as(name: str, passphrase: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(reviewer), "--db", svc.url, "extend", "DSAR-K-0007", "--months", "2",
             "--reason", "complex", "--as", name, "--passphrase-stdin"],
            input=passphrase + "\n", capture_output=True, text=True, timeout=120, check=False,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "REVIEWER_AUDIO": "off",
                 "REVIEWER_HOME": str(tmp_path / "home")},
        )  # fmt: skip

    as_reviewer = extend_as("alice", PASS["alice"])
    assert as_reviewer.returncode == 1
    assert "needs the approver or supervisor role" in as_reviewer.stderr
    wrong = extend_as("bob", "not-bobs-passphrase")
    assert wrong.returncode == 1 and "bob:" in wrong.stderr
    clock = svc.clock("DSAR-K-0007")
    assert clock is not None and not clock.extended
    assert not [e for e in events(svc) if e["action"] == "clock-change"]
    done = extend_as("bob", PASS["bob"])
    assert done.returncode == 0, done.stderr
    after = svc.clock("DSAR-K-0007")
    assert after is not None and after.extended_months == 2
