"""The words the four-eyes rules are made of: roles, decisions, stages and the states of an
export version. `reviewer.domain.signoff` computes the state; `reviewer.domain.access` says who
may do what in it."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REVIEWER = "reviewer"
    APPROVER = "approver"
    SUPERVISOR = "supervisor"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Stage(StrEnum):
    FIRST = "first"
    SECOND = "second"

    @property
    def number(self) -> int:
        return 1 if self is Stage.FIRST else 2


class State(StrEnum):
    PENDING = "pending"
    FIRST_SIGNOFF = "first-signoff"
    APPROVED = "approved"
    RELEASED = "released"
    REJECTED = "rejected"
    LAPSED = "lapsed"  # both sign-offs were given, but not released within the unlock period
    SUPERSEDED = "superseded"  # a newer archive or ticket arrived for the same request
    VOIDED = "superseded"  # the earlier name of SUPERSEDED


# A request whose current version is in one of these is answered: its statutory clock has
# stopped, and its personal content is purged once the retention period has passed.
ANSWERED = frozenset({State.RELEASED, State.REJECTED})
