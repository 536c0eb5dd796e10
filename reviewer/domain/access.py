"""Who may do what, in which state: the one rule. Pure: no I/O, no database.

The service asks `permission` before every change it makes and refuses with the reason; the
command line and the terminal app ask the same function to show, hide and explain their keys.
Nothing else compares roles or states to decide what a person may do.

Roles and what they may do (separation of duties)::

    reviewer    review, first sign-off, reject
    approver    review, first or second sign-off, reject, release, re-deliver
    supervisor  accounts, policy, history and audit; never signs, never releases

    extending a request's time limit: approvers and supervisors; pausing and resuming its
    clock, and recording the extension notice: anyone who reviews

Work handed out: a reviewer or approver claims an open request, or a supervisor assigns it to
one; the holder (or a supervisor) hands it over to another, with a note, or releases it. A claim
reserves the request's first decision for its holder: while someone else holds it, the first
sign-off, and a rejection before any sign-off (it would take the same first place), are refused
with the holder's name. Reading, playing, marking and the second sign-off are never held up:
four eyes already make the second someone else's.

The first account of an empty store is a supervisor (the bootstrap); every later account
change is a supervisor's, proven by their passphrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from reviewer.domain.states import Role, State


class Action(StrEnum):
    REVIEW = "review"  # open a request, play, read: the evidence a sign-off rests on
    SIGN_FIRST = "sign-first"
    SIGN_SECOND = "sign-second"
    REJECT = "reject"
    RELEASE = "release"
    REDELIVER = "redeliver"  # deliver a released export again, deliberately and audited
    ADMINISTER_ACCOUNTS = "administer-accounts"
    CHANGE_POLICY = "change-policy"
    EXPORT_HISTORY = "export-history"  # the sign-off history or the audit trail leaves as a file
    MARK = "mark"  # a reviewer's own finding on a recording, catalogue entry or member
    CORRECT = "correct"  # propose, withdraw and apply corrections: a corrected version
    EXTEND_CLOCK = "extend-clock"  # extend the statutory time limit, with reasons
    PAUSE_CLOCK = "pause-clock"  # stop and restart the clock, record the extension notice
    BROWSE_AUDIT = "browse-audit"  # read the audit events themselves, filtered
    CLAIM = "claim"  # take a request to work on: its first decision is the holder's
    ASSIGN = "assign"  # give a request to a reviewer or approver
    PURGE = "purge"  # remove the personal content of requests decided longer ago than the policy

    @property
    def words(self) -> str:
        return _WORDS[self]


_WORDS = {
    Action.REVIEW: "reviewing an export",
    Action.SIGN_FIRST: "the first sign-off",
    Action.SIGN_SECOND: "the second sign-off",
    Action.REJECT: "rejecting an export",
    Action.RELEASE: "releasing an export",
    Action.REDELIVER: "delivering a released export again",
    Action.ADMINISTER_ACCOUNTS: "changing accounts",
    Action.CHANGE_POLICY: "changing the policy",
    Action.EXPORT_HISTORY: "exporting the history or the audit trail",
    Action.MARK: "marking what is not the requester's",
    Action.CORRECT: "correcting an export",
    Action.EXTEND_CLOCK: "extending a request's time limit",
    Action.PAUSE_CLOCK: "pausing or resuming a request's clock",
    Action.BROWSE_AUDIT: "browsing the audit events",
    Action.CLAIM: "claiming a request",
    Action.ASSIGN: "assigning a request",
    Action.PURGE: "purging requests' personal content",
}

# Which roles may take each action, whatever the state.
ROLES: dict[Action, frozenset[Role]] = {
    Action.REVIEW: frozenset({Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR}),
    Action.SIGN_FIRST: frozenset({Role.REVIEWER, Role.APPROVER}),
    Action.SIGN_SECOND: frozenset({Role.APPROVER}),
    Action.REJECT: frozenset({Role.REVIEWER, Role.APPROVER}),
    Action.RELEASE: frozenset({Role.APPROVER}),
    Action.REDELIVER: frozenset({Role.APPROVER}),
    Action.ADMINISTER_ACCOUNTS: frozenset({Role.SUPERVISOR}),
    Action.CHANGE_POLICY: frozenset({Role.SUPERVISOR}),
    Action.EXPORT_HISTORY: frozenset({Role.SUPERVISOR}),
    Action.MARK: frozenset({Role.REVIEWER, Role.APPROVER}),
    Action.CORRECT: frozenset({Role.REVIEWER, Role.APPROVER}),
    Action.EXTEND_CLOCK: frozenset({Role.APPROVER, Role.SUPERVISOR}),
    Action.PAUSE_CLOCK: frozenset({Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR}),
    Action.BROWSE_AUDIT: frozenset({Role.SUPERVISOR}),
    Action.CLAIM: frozenset({Role.REVIEWER, Role.APPROVER}),
    Action.ASSIGN: frozenset({Role.SUPERVISOR}),
    Action.PURGE: frozenset({Role.SUPERVISOR}),
}

SIGNING = frozenset({Action.SIGN_FIRST, Action.SIGN_SECOND, Action.REJECT})
SIGNERS = frozenset(role for action in SIGNING for role in ROLES[action])

_OPEN = frozenset(
    {State.PENDING, State.LAPSED, State.FIRST_SIGNOFF, State.APPROVED, State.REJECTED}
)
# The states in which each action applies to a version (None: not about a version).
STATES: dict[Action, frozenset[State] | None] = {
    Action.REVIEW: None,
    Action.SIGN_FIRST: frozenset({State.PENDING, State.LAPSED}),
    Action.SIGN_SECOND: frozenset({State.FIRST_SIGNOFF}),
    Action.REJECT: frozenset({State.PENDING, State.LAPSED, State.FIRST_SIGNOFF}),
    Action.RELEASE: frozenset({State.APPROVED}),
    Action.REDELIVER: frozenset({State.RELEASED}),
    Action.ADMINISTER_ACCOUNTS: None,
    Action.CHANGE_POLICY: None,
    Action.EXPORT_HISTORY: None,
    # What is released or superseded is not marked or corrected: the current version is.
    Action.MARK: _OPEN,
    Action.CORRECT: _OPEN,
    Action.EXTEND_CLOCK: None,  # about the request: its clock runs until it is answered
    Action.PAUSE_CLOCK: None,
    Action.BROWSE_AUDIT: None,
    # Work is handed out on what still needs a decision or a correction.
    Action.CLAIM: _OPEN,
    Action.ASSIGN: _OPEN,
    Action.PURGE: None,  # about a request: `reviewer.domain.retention` says which are due
}

_STATE_WORDS = {
    State.PENDING: "this export has no sign-off yet",
    State.LAPSED: "the unlock lapsed: both sign-offs are needed again",
    State.FIRST_SIGNOFF: "this export has one sign-off; the second (an approver's) is missing",
    State.APPROVED: "this export already has both sign-offs",
    State.RELEASED: "this export was already released",
    State.REJECTED: "this export was rejected",
    State.SUPERSEDED: "a newer archive or ticket arrived for this request; review that one",
}


@dataclass(frozen=True, slots=True)
class Actor:
    """A person the store knows, as they are now: their account's immutable id, name and role,
    and whether the account may act (not disabled)."""

    account_id: int
    name: str
    role: Role
    active: bool = True


@dataclass(frozen=True, slots=True)
class Permission:
    """The answer: allowed, or why not in words a reviewer understands."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Permission(True)


@dataclass(frozen=True, slots=True)
class Hold:
    """Who holds a request now (a claim, an assignment or a hand-over) and since when."""

    holder: str
    since: datetime
    by: str = ""  # who gave it to them (themselves for a claim)
    note: str = ""

    def words(self) -> str:
        """held by alice since 2026-12-05 09:30 UTC"""
        return f"held by {self.holder} since {self.since:%Y-%m-%d %H:%M} UTC"


def holds_first_decision(action: Action, state: State | None) -> bool:
    """Whether `action` in `state` takes the first decision a claim reserves: the first
    sign-off, or a rejection before any sign-off."""
    return action is Action.SIGN_FIRST or (
        action is Action.REJECT and state in (State.PENDING, State.LAPSED)
    )


def permission(
    actor: Actor | None,
    action: Action,
    state: State | None = None,
    *,
    already_signed: bool = False,
    hold: Hold | None = None,
) -> Permission:
    """May `actor` take `action` on a version in `state` now?

    `actor` None is nobody signed in. `already_signed`: the actor signed the version's current
    round already (four eyes: the other sign-off must be someone else's). `state` is needed for
    the actions about a version (`STATES`) and ignored for the others. `hold`: who holds the
    request, if anyone (their claim reserves its first decision)."""
    if actor is None:
        return Permission(False, f"{_WORDS[action]} needs someone signed in")
    if not actor.active:
        return Permission(False, f"{actor.name}'s account is disabled")
    roles = ROLES[action]
    signing = action in SIGNING
    # Who can never do it is said first; for a signer, what the version needs comes before
    # which stage their role may fill (the person who signed is told so, not their role).
    if actor.role not in (SIGNERS if signing else roles):
        return Permission(False, _role_reason(actor, action, roles))
    wanted = STATES[action]
    if wanted is not None:
        if state is None:
            return Permission(False, f"{_WORDS[action]} needs an export version")
        if state not in wanted:
            return Permission(False, _state_reason(action, state))
    if signing and already_signed:
        return Permission(
            False, "you already signed this export; the other sign-off must be someone else's"
        )
    if actor.role not in roles:
        return Permission(False, _role_reason(actor, action, roles))
    if hold is not None and hold.holder != actor.name and holds_first_decision(action, state):
        return Permission(False, f"{hold.words()}: {_FIRST_IS_THEIRS}")
    return ALLOWED


_FIRST_IS_THEIRS = "the first decision is theirs until they release it or it is handed over to you"


def may_claim(actor: Actor | None, state: State, hold: Hold | None) -> Permission:
    """May `actor` claim a request whose current version is in `state`, held by `hold`?"""
    allowed = permission(actor, Action.CLAIM, state)
    if not allowed or hold is None:
        return allowed
    assert actor is not None
    if hold.holder == actor.name:
        return Permission(False, f"you hold this request already (since {hold.since:%Y-%m-%d})")
    return Permission(
        False, f"{hold.words()}: ask them to hand it over, or a supervisor to assign it"
    )


def may_take(target: Actor) -> Permission:
    """May `target` be given a request (assigned or handed over to them)?"""
    if not target.active:
        return Permission(False, f"{target.name}'s account is disabled")
    if target.role not in ROLES[Action.CLAIM]:
        return Permission(
            False, f"{target.name} is {target.role.value}: only reviewers and approvers hold work"
        )
    return ALLOWED


def may_assign(actor: Actor | None, state: State, target: Actor, hold: Hold | None) -> Permission:
    """May `actor` (a supervisor) assign the request to `target`, ending `hold` if any?"""
    allowed = permission(actor, Action.ASSIGN, state)
    if not allowed:
        return allowed
    if hold is not None and hold.holder == target.name:
        return Permission(False, f"{target.name} holds this request already")
    return may_take(target)


def may_hand_over(actor: Actor | None, target: Actor, hold: Hold | None, note: str) -> Permission:
    """May `actor` hand the request `hold` is on over to `target`, with `note`? The holder and
    supervisors may; the note says what the next holder needs to know."""
    allowed = may_let_go(actor, hold, "handing over a request")
    if not allowed:
        return allowed
    assert hold is not None
    if hold.holder == target.name:
        return Permission(False, f"{target.name} holds this request already")
    if not note.strip():
        return Permission(False, "a hand-over needs a note for the next holder")
    return may_take(target)


def may_let_go(
    actor: Actor | None, hold: Hold | None, what: str = "releasing a claim"
) -> Permission:
    """May `actor` release (or hand over) `hold`: its holder, or a supervisor."""
    if actor is None:
        return Permission(False, f"{what} needs someone signed in")
    if not actor.active:
        return Permission(False, f"{actor.name}'s account is disabled")
    if hold is None:
        return Permission(False, "nobody holds this request")
    if hold.holder != actor.name and actor.role is not Role.SUPERVISOR:
        return Permission(False, f"{hold.words()}: only they or a supervisor may let it go")
    return ALLOWED


def sign_action(state: State) -> Action | None:
    """The sign-off a version in `state` is waiting for (None: nothing to sign)."""
    if state in (State.PENDING, State.LAPSED):
        return Action.SIGN_FIRST
    if state is State.FIRST_SIGNOFF:
        return Action.SIGN_SECOND
    return None


def may_sign(
    actor: Actor | None, state: State, *, already_signed: bool = False, hold: Hold | None = None
) -> Permission:
    """May `actor` give the sign-off the version is waiting for (`hold`: who holds the
    request)?"""
    action = sign_action(state)
    if action is None:
        if actor is not None and actor.role not in ROLES[Action.SIGN_FIRST]:
            return Permission(
                False, _role_reason(actor, Action.SIGN_FIRST, ROLES[Action.SIGN_FIRST])
            )
        return Permission(False, _STATE_WORDS[state] + ": there is nothing left to sign")
    return permission(actor, action, state, already_signed=already_signed, hold=hold)


def _role_reason(actor: Actor, action: Action, roles: frozenset[Role]) -> str:
    if actor.role is Role.SUPERVISOR and action in (
        Action.SIGN_FIRST,
        Action.SIGN_SECOND,
        Action.REJECT,
    ):
        return "supervisors do not sign off"
    if actor.role is Role.SUPERVISOR and action in (Action.RELEASE, Action.REDELIVER):
        return "supervisors do not release exports"
    wanted = " or ".join(r.value for r in Role if r in roles)
    return f"{_WORDS[action]} needs the {wanted} role; {actor.name} is {actor.role.value}"


def _state_reason(action: Action, state: State) -> str:
    if action is Action.RELEASE and state in (State.PENDING, State.LAPSED, State.FIRST_SIGNOFF):
        if state is State.FIRST_SIGNOFF:
            return _STATE_WORDS[state]
        return _STATE_WORDS[state] + " (two are needed)"
    if action is Action.REDELIVER:
        return "only a released export can be delivered again"
    return _STATE_WORDS[state]
