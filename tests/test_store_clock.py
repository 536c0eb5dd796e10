"""Every time the store records comes from the service's one clock, and the sampling statement
says what the reviewer has actually inspected."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import FAST, Clock, MakeReview, add_people, signed_in
from sqlmodel import Session
from test_store_service import ALL, PASS, approve, events, inspect_sample

from reviewer.domain.states import Stage
from reviewer.store import audit_log
from reviewer.store.service import ReviewService

FIXED = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
FIXED_AT = "2024-03-01T09:30:00.000000Z"


def _store(url: str, clock: Clock) -> ReviewService:
    s = ReviewService.open(url, clock=clock, hasher=FAST)
    people = (("carol", "supervisor"), ("alice", "reviewer"), ("bob", "approver"))
    add_people(s, [(name, role, PASS[name]) for name, role in people])
    return s


@pytest.fixture
def fixed(store_url: str) -> Iterator[ReviewService]:
    with _store(store_url, Clock(FIXED)) as s:
        yield s


@pytest.fixture
def svc(store_url: str, clock: Clock) -> Iterator[ReviewService]:
    with _store(store_url, clock) as s:
        yield s


def test_release_on_a_fixed_clock_uses_that_clock_everywhere(
    fixed: ReviewService, make_review: MakeReview, tmp_path: Path
) -> None:
    review, folder = make_review("DSAR-C-0001", recordings=4)
    vid = fixed.ingest(review, folder / "export.zip", actor="test").version_id
    fixed.set_policy(signed_in(fixed, "carol"), unlock_lapse_days=3)
    approve(fixed, "alice", vid)
    approve(fixed, "bob", vid)
    receipt = fixed.release(signed_in(fixed, "bob"), "DSAR-C-0001", tmp_path / "outbox")
    if fixed.url.startswith("postgresql"):
        # The database server's clock stamps every change there: a terminal's clock, set to
        # March 2024 here, is not asked.
        server = datetime.now(UTC)
        assert abs(receipt.released_at - server) < timedelta(minutes=5)
        assert all(not e["at"].startswith("2024-03-01") for e in events(fixed))
        updated_at = fixed.policy().updated_at
        assert updated_at is not None and abs(updated_at - server) < timedelta(minutes=5)
        assert fixed.audit_status().ok
        return
    assert receipt.released_at == FIXED
    written = json.loads((tmp_path / "outbox" / "DSAR-C-0001" / "release.json").read_text())
    assert written["released_at"] == FIXED.isoformat()
    assert [a["at"] for a in written["approvers"]] == [FIXED.isoformat()] * 2
    assert written["audit_checkpoint"]["at"] == FIXED_AT
    assert {e["at"] for e in events(fixed)} == {FIXED_AT}
    with Session(fixed.engine) as s:
        assert {cp.at for cp in [audit_log.latest_checkpoint(s)] if cp} == {FIXED_AT}
    assert fixed.policy().updated_at == FIXED
    assert fixed.audit_status().ok


def test_a_new_store_takes_its_creation_time_from_the_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVIEWER_HOME", str(tmp_path / "home"))
    path = tmp_path / "new.db"
    ReviewService.open(f"sqlite:///{path}", clock=Clock(FIXED), hasher=FAST).close()
    with sqlite3.connect(path) as db:
        [(updated_at,)] = db.execute("SELECT updated_at FROM policy").fetchall()
    assert str(updated_at).startswith("2024-03-01")


def test_the_gate_states_what_this_reviewer_has_inspected_so_far(
    svc: ReviewService, make_review: MakeReview
) -> None:
    review, folder = make_review("DSAR-C-0002", recordings=8)
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    detail = svc.version_detail(vid)
    assert detail.sample.size == 8 and "inspected" not in detail.sampling_statement
    assert svc.gate("alice", vid).sampling_statement == "0 of 8 sampled recordings inspected"
    items = detail.sample.items
    alice = signed_in(svc, "alice")
    for item in items[:3]:
        svc.record_inspection(alice, vid, "played", item.member, item.duration_s or 2.0)
        svc.record_inspection(alice, vid, "viewed_transcript", item.member)
    # Played but transcript not viewed: not inspected yet.
    assert items[3].duration_s is not None
    svc.record_inspection(alice, vid, "played", items[3].member, items[3].duration_s)
    assert svc.gate("alice", vid).sampling_statement == "3 of 8 sampled recordings inspected"
    assert svc.gate("bob", vid).sampling_statement == "0 of 8 sampled recordings inspected"
    inspect_sample(svc, "alice", vid)
    whole = "all 8 recordings inspected (the sample is the whole export), 0 marked foreign"
    assert svc.gate("alice", vid).sampling_statement == whole
    first = svc.sign_off("alice", PASS["alice"], vid, "approve", "checked", ALL, {})
    assert first.stage is Stage.FIRST and first.sampling_statement == whole
    # A rejection records only what the approver inspected, with no conclusion.
    rejected = svc.reject("bob", PASS["bob"], vid, "wrong voice in one recording")
    assert rejected.sampling_statement == "0 of 8 sampled recordings inspected"
    assert [h.sampling_statement for h in svc.history()] == [rejected.sampling_statement, whole]


def test_a_drawn_sample_states_its_bound_once_inspected(
    svc: ReviewService, make_review: MakeReview
) -> None:
    review, folder = make_review("DSAR-C-0003", recordings=200)
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    sample = svc.version_detail(vid).sample
    n = sample.size
    assert n < 200
    assert svc.gate("alice", vid).sampling_statement == f"0 of {n} sampled recordings inspected"
    first = approve(svc, "alice", vid)
    assert first.sampling_statement == (
        f"{n} of 200 inspected, 0 marked foreign: with 95% confidence fewer than {sample.bound()} are"
    )
