"""Two approvers sign the same export at the same moment, again and again: one second sign-off.

`REVIEWER_TEST_RACES` sets how many races (50 by default; a soak run sets more)."""

from __future__ import annotations

import os
import threading

import pytest
from conftest import FAST, MakeReview, add_people
from sqlalchemy import text

from reviewer.domain.signoff import CHECKLIST_KEYS
from reviewer.domain.states import State
from reviewer.store.errors import SignOffError
from reviewer.store.service import ReviewService

RACES = int(os.environ.get("REVIEWER_TEST_RACES", "50"))
ALL = dict.fromkeys(CHECKLIST_KEYS, True)


@pytest.mark.slow(seconds=25)
def test_two_approvers_racing_for_the_second_sign_off(
    store_url: str, make_review: MakeReview
) -> None:
    setup = ReviewService.open(store_url, hasher=FAST)
    add_people(
        setup,
        [
            (name, role, f"{name}-passphrase-long")
            for name, role in (("alice", "reviewer"), ("bob", "approver"), ("dave", "approver"))
        ],
    )
    # Two terminals: each approver has their own engine and connections.
    terminals = {name: ReviewService.open(store_url, hasher=FAST) for name in ("bob", "dave")}
    winners: list[str] = []
    for race in range(RACES):
        review, folder = make_review(f"DSAR-RACE-{race:03d}", recordings=0)
        vid = setup.ingest(review, folder / "export.zip", actor="t").version_id
        setup.sign_off("alice", "alice-passphrase-long", vid, "approve", "", ALL, {})
        barrier = threading.Barrier(2, timeout=120)  # a guard against a hang, not a speed test
        outcome: dict[str, str] = {}

        def sign(
            name: str,
            vid: int = vid,
            barrier: threading.Barrier = barrier,
            outcome: dict[str, str] = outcome,
        ) -> None:
            barrier.wait()
            try:
                terminals[name].sign_off(
                    name, f"{name}-passphrase-long", vid, "approve", "", ALL, {}
                )
                outcome[name] = "signed"
            except SignOffError as exc:
                outcome[name] = f"refused: {exc}"

        threads = [threading.Thread(target=sign, args=(n,)) for n in ("bob", "dave")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        signed = [n for n, o in outcome.items() if o == "signed"]
        assert len(signed) == 1, f"race {race}: {outcome}"
        loser = next(o for o in outcome.values() if o != "signed")
        assert "both sign-offs" in loser or "refused this sign-off" in loser, loser
        winners.append(signed[0])
        with setup.engine.connect() as c:
            n = c.execute(
                text("SELECT count(*) FROM signoffs WHERE version_id = :v AND stage = 2"),
                {"v": vid},
            ).scalar_one()
        assert n == 1
        assert setup.version_detail(vid).state is State.APPROVED
    assert setup.audit_status().ok
    for terminal in terminals.values():
        terminal.close()
    setup.close()
