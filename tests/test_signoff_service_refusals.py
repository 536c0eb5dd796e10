"""What the service says when it refuses a sign-off's passphrase, and the sampling statement
it records: the gate's, the one the dialog showed, whatever the decision (SQLite and
PostgreSQL, real Argon2 with the cheapest parameters)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from conftest import FAST, Clock, MakeReview, add_people, signed_in
from sqlalchemy import func, select
from sqlmodel import Session
from test_store_service import events

from reviewer.domain.model import Finding, Severity
from reviewer.domain.states import State
from reviewer.store.errors import SignInError
from reviewer.store.service import ReviewService

ALICE = "alice-test-passphrase"
FOREIGN = Finding(
    "unknown-device",
    Severity.CRITICAL,
    "Recordings from a device the requester never registered",
    "Do not send.",
    ("Alexa/Audio/u0001.wav",),
)


@pytest.fixture
def svc(store_url: str, clock: Clock) -> Iterator[ReviewService]:
    s = ReviewService.open(store_url, clock=clock, hasher=FAST)
    add_people(s, [("alice", "reviewer", ALICE)])
    yield s
    s.close()


def server_now(svc: ReviewService) -> datetime:
    with Session(svc.engine) as s:
        now: datetime = s.execute(select(func.clock_timestamp())).scalar_one()
        return now


def test_a_refused_passphrase_says_the_tries_used_then_until_when(
    svc: ReviewService, make_review: MakeReview, clock: Clock
) -> None:
    review, folder = make_review("DSAR-T-0009", findings=[FOREIGN])
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    postgres = svc.engine.dialect.name == "postgresql"
    if postgres:  # the server's clock decides the lockout there, never the service's
        clock.advance(hours=3)  # a terminal clock set ahead
        before = server_now(svc)
    for n in range(1, 5):
        with pytest.raises(SignInError) as refused:
            svc.reject("alice", "not-her-passphrase", vid, "a device she never had")
        assert str(refused.value) == (
            f"Wrong passphrase ({n} of 5 tries before a 15-minute lockout): "
            "the sign-off was not recorded."
        )
    with pytest.raises(SignInError) as fifth:
        svc.reject("alice", "not-her-passphrase", vid, "a device she never had")
    if postgres:
        after = server_now(svc)
        until = svc.lockout_of("alice")[1]
        assert until is not None
        assert before + timedelta(minutes=15) <= until <= after + timedelta(minutes=15)
        assert abs(until - (clock.now + timedelta(minutes=15))) > timedelta(hours=2)
    else:
        until = clock.now + timedelta(minutes=15)
    locked = (
        f"Locked out until {until:%H:%M} UTC after 5 wrong passphrases: the sign-off was not "
        f"recorded. Try again after {until:%H:%M} UTC."
    )
    assert str(fifth.value) == locked
    with pytest.raises(SignInError) as refused:  # even the right one, while locked
        svc.reject("alice", ALICE, vid, "a device she never had")
    assert str(refused.value) == locked
    assert svc.queue()[0].state is State.PENDING
    actions = [e["action"] for e in events(svc) if e["subject"] == "reviewer:alice"]
    assert actions.count("lockout") == 1 and actions[-1] == "sign-in-refused"


def test_the_recorded_statement_is_the_one_the_gate_shows(
    svc: ReviewService, make_review: MakeReview
) -> None:
    review, folder = make_review("DSAR-T-0010", findings=[FOREIGN])
    vid = svc.ingest(review, folder / "export.zip", actor="test").version_id
    for item in svc.version_detail(vid).sample.items:
        alice = signed_in(svc, "alice")
        svc.record_inspection(alice, vid, "played", item.member, item.duration_s or 2.0)
        svc.record_inspection(alice, vid, "viewed_transcript", item.member)
    shown = svc.gate("alice", vid).sampling_statement
    assert "marked foreign" not in shown
    assert "1 of them named by a critical finding" in shown
    row = svc.reject("alice", ALICE, vid, "a device she never had")
    assert row.sampling_statement == shown
    [rejection] = [e for e in events(svc) if e["action"] == "rejection"]
    assert rejection["payload"]["sampling_statement"] == shown
