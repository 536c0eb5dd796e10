"""Four-eyes sign-off rules: states, stages, the approval gate. Pure: no I/O, no database.

The store enforces the same rules again with database constraints; this module is where a
person reads them, and where the reasons a sign-off is refused are put into plain words.

States of an export version (`state_of` computes them; `reviewer.domain.access` says who may
move a version from one to the next)::

    pending ──approve──▶ first-signoff ──approve (approver)──▶ approved ──release──▶ released
       │                     │                                   │
       └──reject──▶ rejected ◀┘                                   └─ lapses after the policy
                                                                     period: lapsed, signed
                                                                     again from the start

A changed archive or ticket for the same request is a new version; earlier versions become
``superseded``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from reviewer.domain.access import Action, Actor, Hold, may_sign, permission, sign_action
from reviewer.domain.corrections import MARK_CODE
from reviewer.domain.model import Finding, Severity
from reviewer.domain.states import Decision, Role, Stage, State

MIN_PASSPHRASE_CHARS = 12
MIN_PLAY_SECONDS = 2.0
END_TOLERANCE_S = 0.05  # a play that reaches the last 50 ms counts as played to its end
PLAY_CLOCK_SLACK_S = 1.0  # played time may run this far ahead of the wall clock's reading
MAX_FAILED_SIGN_INS = 5
LOCKOUT = timedelta(minutes=15)
DEFAULT_UNLOCK_LAPSE_DAYS = 7


class InspectionKind(StrEnum):
    OPENED = "opened"  # the request was opened for review (target: request id)
    PLAYED = "played"  # a recording was played (target: audio member path; seconds played)
    VIEWED_TRANSCRIPT = "viewed_transcript"  # target: the recording's audio member path
    VIEWED_MEMBER = "viewed_member"  # target: any member path (preview)


# The checklist a regulator expects before personal data leaves the building.
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("identity_verified", "The requester's identity was verified"),
    ("data_is_requesters", "The data is the requester's own"),
    ("third_parties_redacted", "Third parties are redacted, or there are none"),
    ("nothing_withheld", "Nothing is withheld without a recorded reason"),
    ("delivery_to_verified_contact", "Delivery goes to the verified contact"),
)
CHECKLIST_KEYS = tuple(k for k, _ in CHECKLIST)
# A corrected version's signers also confirm they went through what was changed.
CORRECTIONS_ITEM = ("corrections_reviewed", "The corrections and their proof were reviewed")


def checklist_for(corrected: bool) -> tuple[tuple[str, str], ...]:
    """The checklist of a version: the regulator's, and for a corrected version one more."""
    return (*CHECKLIST, CORRECTIONS_ITEM) if corrected else CHECKLIST


class SignOffRefused(Exception):
    """The gate does not hold; `reasons` says why in plain words."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("; ".join(self.reasons) or "sign-off refused")


@dataclass(frozen=True, slots=True)
class WarningToAck:
    """A warning the signer must acknowledge with a note. `key` identifies it in the report."""

    key: str
    finding: Finding


def finding_key(position: int, finding: Finding) -> str:
    """Stable key of a finding within its (immutable) stored report: ``"<pos>:<code>"``."""
    return f"{position}:{finding.code}"


def warning_code(key: str) -> str:
    """The finding code of an acknowledgement key (``"0:third-party-names"`` ->
    ``"third-party-names"``): the key's position prefix means nothing outside the report."""
    position, sep, code = key.partition(":")
    return code if sep and position.isdigit() else key


def warnings_to_ack(findings: Sequence[Finding]) -> tuple[WarningToAck, ...]:
    return tuple(
        WarningToAck(finding_key(i, f), f)
        for i, f in enumerate(findings)
        if f.severity is Severity.WARNING
    )


def has_critical(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.CRITICAL for f in findings)


@dataclass(frozen=True, slots=True)
class SignOffFact:
    """A sign-off already recorded for the version's current round."""

    reviewer: str
    role: Role
    stage: Stage
    decision: Decision
    at: datetime


@dataclass(frozen=True, slots=True)
class Evidence:
    """What one reviewer did with one sampled recording."""

    played_seconds: float = 0.0
    viewed_transcript: bool = False


@dataclass(frozen=True, slots=True)
class SampleRequirement:
    """One sampled recording as the gate sees it."""

    member: str
    duration_s: float | None
    has_transcript: bool


def state_of(
    signoffs: Sequence[SignOffFact],
    *,
    released: bool,
    voided: bool,
    now: datetime,
    lapse_days: int,
) -> State:
    """The state of a version's current round from its sign-offs."""
    if released:
        return State.RELEASED
    if voided:
        return State.SUPERSEDED
    if any(s.decision is Decision.REJECT for s in signoffs):
        return State.REJECTED
    stages = {s.stage for s in signoffs if s.decision is Decision.APPROVE}
    if Stage.SECOND in stages:
        second = next(s for s in signoffs if s.stage is Stage.SECOND)
        if unlock_lapsed(second.at, now, lapse_days):
            return State.LAPSED
        return State.APPROVED
    if Stage.FIRST in stages:
        return State.FIRST_SIGNOFF
    return State.PENDING


@dataclass(frozen=True, slots=True)
class VersionStatus:
    """Where a version stands: its state, the sign-offs of its current round, the round a new
    sign-off goes into, and when an approval stops being releasable."""

    state: State
    current: tuple[SignOffFact, ...]
    next_round: int
    unlock_expires_at: datetime | None


def version_status(
    signoffs: Sequence[tuple[int, SignOffFact]],
    *,
    round_: int,
    released: bool,
    superseded: bool,
    now: datetime,
    lapse_days: int,
) -> VersionStatus:
    """The one place a version's state and rounds are computed. `signoffs`: (round, sign-off)
    of every round; `round_`: the version's current round. Once an approval lapses, the next
    sign-off opens a new round from scratch."""
    current = tuple(f for rn, f in signoffs if rn == round_)
    state = state_of(current, released=released, voided=superseded, now=now, lapse_days=lapse_days)
    second = next(
        (f for f in current if f.stage is Stage.SECOND and f.decision is Decision.APPROVE), None
    )
    if state is State.LAPSED:
        return VersionStatus(state, (), round_ + 1, None)
    expires = None
    if state is State.APPROVED and second is not None:
        expires = second.at + timedelta(days=lapse_days)
    return VersionStatus(state, current, round_, expires)


def unlock_lapsed(approved_at: datetime, now: datetime, lapse_days: int) -> bool:
    return now >= approved_at + timedelta(days=lapse_days)


def next_stage(state: State) -> Stage | None:
    """The stage a sign-off on a version in `state` fills (the access rule's `sign_action`)."""
    action = sign_action(state)
    if action is None:
        return None
    return Stage.FIRST if action is Action.SIGN_FIRST else Stage.SECOND


def played_seconds(measured: float, duration_s: float | None) -> float:
    """The seconds of a playback to record: what the device measured, never more than the
    recording holds (a device's timer can run a few milliseconds past the end)."""
    seconds = max(0.0, float(measured))
    return min(seconds, duration_s) if duration_s is not None else seconds


def played_claim_problem(
    seconds: float, duration_s: float | None, listened_s: float, elapsed_s: float
) -> str | None:
    """Why a claim to have played `seconds` of a recording cannot be true, or None.

    No more than the recording holds (`duration_s`, when its length is known), and, with the
    `listened_s` seconds the same person already recorded since their session began, no more
    than the `elapsed_s` seconds of wall time that passed since then: one person listens to
    one recording at a time. `PLAY_CLOCK_SLACK_S` allows for the clocks' granularity."""
    if not math.isfinite(seconds) or seconds < 0:
        return "a played time is a number of seconds, zero or more"
    if duration_s is not None and seconds > duration_s + END_TOLERANCE_S:
        return (
            f"{seconds:.2f} s played of a recording {duration_s:.2f} s long: "
            "no more than the recording holds can be played"
        )
    if listened_s + seconds > max(elapsed_s, 0.0) + PLAY_CLOCK_SLACK_S:
        return (
            f"{listened_s + seconds:.1f} s of playing in a session signed in "
            f"{max(elapsed_s, 0.0):.1f} s ago: more than the time that passed"
        )
    return None


def played_enough(seconds: float, duration_s: float | None) -> bool:
    """At least two seconds, or to the end of a shorter recording."""
    if seconds >= MIN_PLAY_SECONDS:
        return True
    return duration_s is not None and seconds >= duration_s - END_TOLERANCE_S


@dataclass(frozen=True, slots=True)
class GateDecision:
    allowed: bool  # approve allowed
    stage: Stage | None
    reasons: tuple[str, ...]  # why approve is refused, in plain words
    can_reject: bool
    reject_reasons: tuple[str, ...]
    missing: tuple[str, ...] = field(default=())  # sampled members not yet fully inspected


def evaluate_gate(
    *,
    actor: Actor,
    state: State,
    signoffs: Sequence[SignOffFact],
    findings: Sequence[Finding],
    sample: Sequence[SampleRequirement],
    evidence: Mapping[str, Evidence],
    hold: Hold | None = None,
) -> GateDecision:
    """May `actor` approve (or reject) the version now? Every reason a person needs. Who may
    sign or reject in which state, and what a claim on the request (`hold`) reserves, is
    `reviewer.domain.access`'s rule; the gate adds what an approval needs beyond it (no
    critical finding, the sample inspected)."""
    stage = next_stage(state)
    already = any(s.reviewer == actor.name for s in signoffs)
    sign = may_sign(actor, state, already_signed=already, hold=hold)
    reject = permission(actor, Action.REJECT, state, already_signed=already, hold=hold)
    common = [] if sign else [sign.reason]
    approve = list(common)
    if has_critical(findings):
        n = sum(1 for f in findings if f.severity is Severity.CRITICAL)
        approve.append(
            f"{n} critical finding{'s' if n != 1 else ''}: this export can only be rejected"
        )
        for f in findings:  # a reviewer's foreign mark: said as such, with the way out
            if f.code == MARK_CODE:
                approve.append(f"{f.title}: correct the export (withhold it) or reject it")
    missing: list[str] = []
    for item in sample:
        ev = evidence.get(item.member, Evidence())
        if not played_enough(ev.played_seconds, item.duration_s) or (
            item.has_transcript and not ev.viewed_transcript
        ):
            missing.append(item.member)
    if missing:
        approve.append(
            f"{len(missing)} of {len(sample)} sampled recordings not yet played "
            f"({MIN_PLAY_SECONDS:g} s or to the end) and their transcript viewed by you"
        )
    return GateDecision(
        allowed=not approve and stage is not None,
        stage=stage,
        reasons=tuple(approve),
        can_reject=bool(reject) and stage is not None,
        reject_reasons=() if reject else (reject.reason,),
        missing=tuple(missing),
    )


def check_sign_off(
    gate: GateDecision,
    *,
    decision: Decision,
    note: str,
    checklist: Mapping[str, bool],
    acknowledgements: Mapping[str, str],
    warnings: Sequence[WarningToAck],
    items: Sequence[tuple[str, str]] = CHECKLIST,
) -> None:
    """Raise `SignOffRefused` unless this sign-off may be recorded as given (`items`: the
    version's checklist, `checklist_for`)."""
    if decision is Decision.REJECT:
        reasons = list(gate.reject_reasons)
        if not note.strip():
            reasons.append("a rejection needs a note saying why")
        if reasons:
            raise SignOffRefused(reasons)
        return
    reasons = list(gate.reasons)
    unchecked = [text for key, text in items if not checklist.get(key)]
    if unchecked:
        reasons.append("checklist not complete: " + "; ".join(unchecked))
    unacked = [w.finding.title for w in warnings if not acknowledgements.get(w.key, "").strip()]
    if unacked:
        reasons.append(
            f"{len(unacked)} warning{'s' if len(unacked) != 1 else ''} not acknowledged with a note"
        )
    if reasons:
        raise SignOffRefused(reasons)


NOT_RECORDED = "the sign-off was not recorded"


def wrong_passphrase_text(failures: int) -> str:
    """The sign-off's passphrase was wrong: how many tries are used before the lockout."""
    failures = max(1, min(failures, MAX_FAILED_SIGN_INS))
    minutes = int(LOCKOUT.total_seconds() // 60)
    return (
        f"Wrong passphrase ({failures} of {MAX_FAILED_SIGN_INS} tries before a "
        f"{minutes}-minute lockout): {NOT_RECORDED}."
    )


def locked_out_text(until: datetime) -> str:
    """The signer is locked out (the sign-in screen's wording): nothing can be signed until."""
    if until.tzinfo is not None:
        until = until.astimezone(UTC)
    return (
        f"Locked out until {until:%H:%M} UTC after {MAX_FAILED_SIGN_INS} wrong passphrases: "
        f"{NOT_RECORDED}. Try again after {until:%H:%M} UTC."
    )


def passphrase_problem(passphrase: str) -> str | None:
    if len(passphrase) < MIN_PASSPHRASE_CHARS:
        return f"a passphrase needs at least {MIN_PASSPHRASE_CHARS} characters"
    if not passphrase.strip():
        return "a passphrase cannot be blank"
    return None
