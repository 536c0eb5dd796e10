"""Work handed out: who holds each request (`reviewer.domain.access.Hold`). A reviewer or
approver claims a request, a supervisor assigns it, the holder or a supervisor hands it over
with a note or releases it. Every one of these is audited and cross-checked against its event
(`reviewer.store.crosscheck`).

At most one claim is open per request: the partial unique index ``ux_claims_open`` makes the
database refuse a second, so two people claiming at the same moment get one winner; the loser's
attempt runs again, sees the winner's claim and is refused with their name. What a claim
reserves (the first decision) is the access rule's, applied by the sign-off inside its own
transaction and by the trigger ``signoffs_first_claimed`` (`reviewer.store.triggers`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from reviewer.domain.access import (
    STATES,
    Action,
    Hold,
    Permission,
    may_assign,
    may_claim,
    may_hand_over,
    may_let_go,
)
from reviewer.domain.errors import first_line
from reviewer.domain.text import too_long
from reviewer.store import trail
from reviewer.store.errors import NotFound, UserError
from reviewer.store.service import rows
from reviewer.store.service.people import People, account_actor
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import ClaimRow, RequestRow, ReviewerRow
from reviewer.store.views import SignedIn

# The audit events, one per change of who holds a request.
CLAIM_EVENT = "claim"
RELEASE_EVENT = "claim-release"
ASSIGN_EVENT = "claim-assign"
HANDOVER_EVENT = "claim-handover"
EVENTS = (CLAIM_EVENT, RELEASE_EVENT, ASSIGN_EVENT, HANDOVER_EVENT)


class Claims:
    """Claim, release, assign and hand over requests; who holds what."""

    def __init__(self, uow: UnitOfWork, people: People):
        self._uow = uow
        self._people = people

    # ------------------------------------------------------------------ reading

    def hold(self, request_id: str) -> Hold | None:
        """Who holds `request_id` now (None: nobody; NotFound if the request is unknown)."""
        with self._uow.read() as s:
            if s.get(RequestRow, request_id) is None:
                raise NotFound(f"no request {request_id} in the store")
            return rows.holds_of(s, [request_id]).get(request_id)

    def holds(self) -> dict[str, Hold]:
        """Who holds each request that someone holds, by request id."""
        with self._uow.read() as s:
            return rows.holds_of(s)

    # ------------------------------------------------------------------ changing

    def claim(self, session: SignedIn, request_id: str, note: str = "") -> Hold:
        """Take `request_id` to work on (reviewers and approvers: PermissionDenied for others);
        UserError when someone holds it already, with their name and since when."""
        return self._uow.transact_or_refuse(
            lambda exc: UserError(f"the store refused the claim: {first_line(exc)}"),
            self._claim,
            session,
            request_id,
            note.strip(),
        )

    def release(self, session: SignedIn, request_id: str) -> None:
        """Let go of `request_id`: its holder, or a supervisor."""
        self._uow.transact(self._release, session, request_id)

    def assign(self, session: SignedIn, request_id: str, to: str, note: str = "") -> Hold:
        """Give `request_id` to `to` (a supervisor's, to an active reviewer or approver),
        ending anyone else's hold on it."""
        return self._uow.transact_or_refuse(
            lambda exc: UserError(f"the store refused the assignment: {first_line(exc)}"),
            self._give,
            session,
            request_id,
            to,
            note.strip(),
            "assign",
        )

    def hand_over(self, session: SignedIn, request_id: str, to: str, note: str) -> Hold:
        """Hand `request_id` over to `to` with `note` (what they need to know): its holder, or
        a supervisor."""
        return self._uow.transact_or_refuse(
            lambda exc: UserError(f"the store refused the hand-over: {first_line(exc)}"),
            self._give,
            session,
            request_id,
            to,
            note.strip(),
            "handover",
        )

    def _claim(self, s: Session, session: SignedIn, request_id: str, note: str) -> Hold:
        _fits(note)
        now = self._uow.stamp(s)
        state = rows.current_state(s, request_id, now)
        rows.unpurged(s, request_id)
        account = self._people.acting(s, session, Action.CLAIM, state)
        hold = rows.holds_of(s, [request_id]).get(request_id)
        _enforce(may_claim(account_actor(account), state, hold))
        row = self._open(s, request_id, account, account, "claim", note, now)
        return self._opened(s, row, account, account, CLAIM_EVENT, None, now)

    def _release(self, s: Session, session: SignedIn, request_id: str) -> None:
        now = self._uow.stamp(s)
        rows.current_state(s, request_id, now)
        account = self._people.acting(s, session, Action.REVIEW)
        hold = rows.holds_of(s, [request_id]).get(request_id)
        _enforce(may_let_go(account_actor(account), hold))
        row = rows.open_claim(s, request_id)
        assert row is not None and hold is not None
        _end(s, row, account, "released", now)
        trail.append(
            s,
            account.name,
            RELEASE_EVENT,
            f"request:{request_id}",
            {"claim_id": row.id, "request_id": request_id, "holder": hold.holder},
            at=now,
        )

    def _give(
        self, s: Session, session: SignedIn, request_id: str, to: str, note: str, kind: str
    ) -> Hold:
        _fits(note)
        now = self._uow.stamp(s)
        state = rows.current_state(s, request_id, now)
        rows.unpurged(s, request_id)
        if kind == "assign":
            account = self._people.acting(s, session, Action.ASSIGN, state)
        else:
            account = self._people.acting(s, session, Action.REVIEW)
        target = rows.reviewer(s, to)
        if target is None:
            raise NotFound(f"no reviewer named {to}")
        hold = rows.holds_of(s, [request_id]).get(request_id)
        me, them = account_actor(account), account_actor(target)
        if kind == "assign":
            _enforce(may_assign(me, state, them, hold))
        else:
            if state not in _OPEN_STATES:
                raise UserError(f"{request_id} was {state.value}: there is no work to hand over")
            _enforce(may_hand_over(me, them, hold, note))
        ended = rows.open_claim(s, request_id)
        if ended is not None:
            _end(s, ended, account, "reassigned" if kind == "assign" else "handed-over", now)
        row = self._open(s, request_id, target, account, kind, note, now)
        event = ASSIGN_EVENT if kind == "assign" else HANDOVER_EVENT
        return self._opened(s, row, target, account, event, ended, now)

    def _open(
        self,
        s: Session,
        request_id: str,
        holder: ReviewerRow,
        by: ReviewerRow,
        kind: str,
        note: str,
        now: datetime,
    ) -> ClaimRow:
        row = ClaimRow(
            request_id=request_id,
            holder_id=int(holder.id or 0),
            kind=kind,
            by_id=int(by.id or 0),
            note=note,
            at=now,
        )
        s.add(row)
        s.flush()  # a second open claim on the request is refused here (ux_claims_open)
        return row

    def _opened(
        self,
        s: Session,
        row: ClaimRow,
        holder: ReviewerRow,
        by: ReviewerRow,
        event: str,
        ended: ClaimRow | None,
        now: datetime,
    ) -> Hold:
        trail.append(
            s,
            by.name,
            event,
            f"request:{row.request_id}",
            {
                "claim_id": row.id,
                "request_id": row.request_id,
                "holder": holder.name,
                "kind": row.kind,
                "note": row.note,
                "ended_claim_id": ended.id if ended is not None else None,
            },
            at=now,
        )
        return Hold(holder.name, now, by.name, row.note)


_OPEN_STATES = STATES[Action.CLAIM] or frozenset()


def _fits(note: str) -> None:
    if (long := too_long(note, "a note")) is not None:
        raise UserError(long)


def _end(s: Session, row: ClaimRow, by: ReviewerRow, how: str, now: datetime) -> None:
    row.ended_at = now
    row.ended = how
    row.ended_by_id = int(by.id or 0)
    s.add(row)
    s.flush()


def end_with_release(
    s: Session,
    request_id: str,
    by: ReviewerRow,
    now: datetime,
    why: str = "the request was released",
) -> bool:
    """The release of `request_id` (or its purge; in its transaction) ends whoever's hold on
    it: the work is done, and a hold left open would reserve the first sign-off of any later
    export for its holder. Audited as a ``claim-release`` by the person who released the
    export (or purged the request). Whether there was a hold to end."""
    row = rows.open_claim(s, request_id)
    if row is None:
        return False
    holder = s.get(ReviewerRow, row.holder_id)
    _end(s, row, by, "released", now)
    trail.append(
        s,
        by.name,
        RELEASE_EVENT,
        f"request:{request_id}",
        {
            "claim_id": row.id,
            "request_id": request_id,
            "holder": holder.name if holder is not None else None,
            "why": why,
        },
        at=now,
    )
    return True


def _enforce(answer: Permission) -> None:
    """Raise the rule's refusal (who may never do it was refused already, by `acting`)."""
    if not answer:
        raise UserError(answer.reason)
