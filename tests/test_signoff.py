"""The four-eyes rules in the domain: states, the gate, and what a sign-off needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from reviewer.domain.access import Actor
from reviewer.domain.model import Finding, Severity
from reviewer.domain.signoff import (
    CHECKLIST_KEYS,
    Evidence,
    GateDecision,
    SampleRequirement,
    SignOffFact,
    SignOffRefused,
    check_sign_off,
    evaluate_gate,
    passphrase_problem,
    played_enough,
    state_of,
    version_status,
    warnings_to_ack,
)
from reviewer.domain.states import Decision, Role, Stage, State

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
WARN = Finding("third-party-names", Severity.WARNING, "Names outside the household", "Redact them.")
CRIT = Finding("wrong-customer", Severity.CRITICAL, "Another customer's archive", "Do not send.")
SAMPLE = [SampleRequirement("a.wav", 1.2, True), SampleRequirement("b.wav", 6.0, False)]
FULL = {"a.wav": Evidence(1.2, True), "b.wav": Evidence(2.0, False)}
ALL_CHECKED = dict.fromkeys(CHECKLIST_KEYS, True)


def fact(name: str, role: Role, stage: Stage, decision: Decision = Decision.APPROVE) -> SignOffFact:
    return SignOffFact(name, role, stage, decision, T0)


def state(
    signoffs: Sequence[SignOffFact],
    *,
    released: bool = False,
    voided: bool = False,
    now: datetime = T0,
    lapse: int = 7,
) -> State:
    return state_of(signoffs, released=released, voided=voided, now=now, lapse_days=lapse)


def gate(
    reviewer: str = "alice",
    role: Role = Role.REVIEWER,
    signoffs: Sequence[SignOffFact] = (),
    findings: Sequence[Finding] = (),
    evidence: Mapping[str, Evidence] = FULL,
    **kw: State,
) -> GateDecision:
    return evaluate_gate(
        actor=Actor({"alice": 2, "bob": 3}.get(reviewer, 9), reviewer, role),
        state=kw.get("st", state(list(signoffs))),
        signoffs=list(signoffs),
        findings=list(findings),
        sample=SAMPLE,
        evidence=evidence,
    )


def test_states_follow_the_sign_offs() -> None:
    first = fact("alice", Role.REVIEWER, Stage.FIRST)
    second = fact("bob", Role.APPROVER, Stage.SECOND)
    assert state([]) is State.PENDING
    assert state([first]) is State.FIRST_SIGNOFF
    assert state([first, second]) is State.APPROVED
    assert state([first, second], released=True) is State.RELEASED
    assert state([fact("alice", Role.REVIEWER, Stage.FIRST, Decision.REJECT)]) is State.REJECTED
    assert state([first], voided=True) is State.VOIDED


def test_unlock_lapses_after_the_policy_period() -> None:
    both = [fact("alice", Role.REVIEWER, Stage.FIRST), fact("bob", Role.APPROVER, Stage.SECOND)]
    assert state(both, now=T0 + timedelta(days=6, hours=23)) is State.APPROVED
    assert state(both, now=T0 + timedelta(days=7)) is State.LAPSED
    assert state(both, now=T0 + timedelta(days=2), lapse=1) is State.LAPSED


def test_a_lapsed_approval_opens_a_new_round_from_scratch() -> None:
    first = fact("alice", Role.REVIEWER, Stage.FIRST)
    second = fact("bob", Role.APPROVER, Stage.SECOND)
    rows = [(1, first), (1, second)]
    kw: dict[str, Any] = {"released": False, "superseded": False, "lapse_days": 7}
    approved = version_status(rows, round_=1, now=T0, **kw)
    assert (approved.state, approved.current, approved.next_round) == (
        State.APPROVED,
        (first, second),
        1,
    )
    assert approved.unlock_expires_at == T0 + timedelta(days=7)
    lapsed = version_status(rows, round_=1, now=T0 + timedelta(days=7), **kw)
    assert (lapsed.state, lapsed.current, lapsed.next_round, lapsed.unlock_expires_at) == (
        State.LAPSED,
        (),
        2,
        None,
    )
    again = version_status([*rows, (2, first)], round_=2, now=T0 + timedelta(days=8), **kw)
    assert (again.state, again.current) == (State.FIRST_SIGNOFF, (first,))


def test_first_sign_off_allowed_once_the_sample_is_inspected() -> None:
    g = gate()
    assert g.allowed and g.stage is Stage.FIRST and not g.reasons


def test_every_sampled_recording_must_be_played_and_its_transcript_viewed() -> None:
    g = gate(evidence={"a.wav": Evidence(1.2, False), "b.wav": Evidence(1.9, False)})
    assert not g.allowed
    assert set(g.missing) == {"a.wav", "b.wav"}
    assert any("2 of 2 sampled recordings" in r for r in g.reasons)
    assert g.can_reject  # refusing to approve never stops a rejection


@pytest.mark.parametrize(
    "seconds,duration,ok",
    [
        (2.0, 10.0, True),
        (1.99, 10.0, False),
        (1.2, 1.2, True),
        (1.16, 1.2, True),
        (1.0, 1.2, False),
        (0.0, None, False),
        (5.0, None, True),
    ],
)
def test_played_means_two_seconds_or_to_the_end(
    seconds: float, duration: float | None, ok: bool
) -> None:
    assert played_enough(seconds, duration) is ok


def test_a_critical_finding_allows_only_rejection() -> None:
    g = gate(findings=[CRIT])
    assert not g.allowed
    assert any("can only be rejected" in r for r in g.reasons)
    assert g.can_reject


def test_nobody_signs_both_stages() -> None:
    g = gate(reviewer="bob", role=Role.APPROVER, signoffs=[fact("bob", Role.APPROVER, Stage.FIRST)])
    assert not g.allowed and not g.can_reject
    assert any("already signed" in r for r in g.reasons)


def test_the_second_stage_needs_the_approver_role() -> None:
    first = [fact("alice", Role.REVIEWER, Stage.FIRST)]
    refused = gate(reviewer="dave", role=Role.REVIEWER, signoffs=first)
    assert not refused.allowed and refused.stage is Stage.SECOND
    assert any("approver role" in r for r in refused.reasons)
    assert gate(reviewer="bob", role=Role.APPROVER, signoffs=first).allowed


def test_supervisors_do_not_sign() -> None:
    g = gate(reviewer="carol", role=Role.SUPERVISOR)
    assert not g.allowed and not g.can_reject
    assert "supervisors do not sign off" in g.reasons


def test_nothing_is_signed_after_approval_rejection_or_release() -> None:
    both = [fact("alice", Role.REVIEWER, Stage.FIRST), fact("bob", Role.APPROVER, Stage.SECOND)]
    for st in (State.APPROVED, State.RELEASED, State.REJECTED, State.VOIDED):
        g = gate(reviewer="erin", role=Role.APPROVER, signoffs=both, st=st)
        assert not g.allowed and not g.can_reject and g.stage is None


def test_approval_needs_the_whole_checklist_and_a_note_on_every_warning() -> None:
    g = gate(findings=[WARN])
    warnings = warnings_to_ack([WARN])
    assert [w.key for w in warnings] == ["0:third-party-names"]
    with pytest.raises(SignOffRefused) as refused:
        check_sign_off(
            g,
            decision=Decision.APPROVE,
            note="",
            checklist=dict(ALL_CHECKED, nothing_withheld=False),
            acknowledgements={"0:third-party-names": "  "},
            warnings=warnings,
        )
    text = str(refused.value)
    assert "Nothing is withheld without a recorded reason" in text
    assert "1 warning not acknowledged with a note" in text
    check_sign_off(
        g,
        decision=Decision.APPROVE,
        note="",
        checklist=ALL_CHECKED,
        acknowledgements={"0:third-party-names": "names redacted on p. 3"},
        warnings=warnings,
    )


def test_a_rejection_needs_a_reason() -> None:
    g = gate(findings=[CRIT])
    with pytest.raises(SignOffRefused, match="needs a note"):
        check_sign_off(
            g, decision=Decision.REJECT, note=" ", checklist={}, acknowledgements={}, warnings=()
        )
    check_sign_off(
        g,
        decision=Decision.REJECT,
        note="another customer's data",
        checklist={},
        acknowledgements={},
        warnings=(),
    )


def test_passphrases_need_twelve_characters() -> None:
    assert passphrase_problem("short") is not None
    assert passphrase_problem(" " * 12) is not None
    assert passphrase_problem("correct horse battery") is None


def test_what_a_refused_passphrase_says() -> None:
    from reviewer.domain.signoff import locked_out_text, wrong_passphrase_text

    assert wrong_passphrase_text(2) == (
        "Wrong passphrase (2 of 5 tries before a 15-minute lockout): the sign-off was not recorded."
    )
    assert wrong_passphrase_text(0).startswith("Wrong passphrase (1 of 5")
    until = datetime(2026, 1, 5, 22, 47, tzinfo=timezone(timedelta(hours=1)))  # 21:47 UTC
    assert locked_out_text(until) == (
        "Locked out until 21:47 UTC after 5 wrong passphrases: the sign-off was not recorded. "
        "Try again after 21:47 UTC."
    )
