"""The statutory clock of each request: computed from its ticket and its recorded changes
(`reviewer.domain.deadline`), changed only by people the access rule allows, every change
audited and cross-checked against its audit event (`reviewer.store.crosscheck`).

The time a change is judged and recorded by is the store's (`UnitOfWork.stamp`): on
PostgreSQL the database server's clock, so no terminal can extend a request after its due
date by setting its own clock back.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from reviewer.domain.access import Action
from reviewer.domain.deadline import (
    Clock,
    ClockChange,
    ClockChangeKind,
    extension_refusal,
    notice_refusal,
    pause_refusal,
    resume_refusal,
)
from reviewer.domain.states import ANSWERED
from reviewer.domain.text import too_long
from reviewer.store import trail
from reviewer.store.errors import NotFound, UserError
from reviewer.store.files import replacing
from reviewer.store.service import rows
from reviewer.store.service.people import People
from reviewer.store.service.review import Reviews
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import ClockChangeRow, RequestRow
from reviewer.store.views import QueueRow, SignedIn

AUDIT_ACTION = "clock-change"


class Clocks:
    """Each request's due date, days left, extensions and pauses."""

    def __init__(self, uow: UnitOfWork, people: People, reviews: Reviews):
        self._uow = uow
        self._people = people
        self._reviews = reviews

    # ------------------------------------------------------------------ reading

    def clock(self, request_id: str) -> Clock | None:
        """The clock of `request_id` now (NotFound if unknown; None when its ticket gives no
        receipt time to count from)."""
        with self._uow.read() as s:
            req = s.get(RequestRow, request_id)
            if req is None:
                raise NotFound(f"no request {request_id} in the store")
            changes = rows.changes_of(s, [request_id]).get(request_id, [])
            return rows.request_clock(req, changes, self._uow.decision_now(s))

    def deadlines(self) -> list[QueueRow]:
        """Every request with its clock, the supervisor's deadline view: open requests first,
        fewest days left first (overdue at the top), then the answered ones."""

        def urgency(row: QueueRow) -> tuple[bool, bool, int, str]:
            days = row.clock.days_left if row.clock else None
            return (not row.open, days is None, days or 0, row.request_id)

        return sorted(self._reviews.queue(), key=urgency)

    def deadlines_csv(self, session: SignedIn, path: Path) -> int:
        """Write the deadline view as CSV for a supervisor (PermissionDenied for anyone else),
        audited; returns the number of rows. Written as the history export is
        (`reviewer.store.files.replacing`)."""
        with self._uow.read() as s:
            who = self._people.acting(s, session, Action.EXPORT_HISTORY).name
        deadlines = self.deadlines()
        with replacing(Path(path)) as f:
            w = csv.writer(f)
            w.writerow(DEADLINE_COLUMNS)
            for row in deadlines:
                w.writerow(deadline_cells(row))
        self._uow.audit(
            who,
            "deadlines-export",
            "deadlines",
            {"path": str(Path(path).absolute()), "rows": len(deadlines)},
        )
        return len(deadlines)

    # ------------------------------------------------------------------ changing

    def extend(self, session: SignedIn, request_id: str, months: int, reason: str) -> Clock:
        """Extend the time limit by `months` (1 or 2) with `reason`: approvers and supervisors
        (PermissionDenied), by the first due date, three months in all (UserError)."""
        return self._uow.transact(
            self._change,
            session,
            request_id,
            Action.EXTEND_CLOCK,
            ClockChange(ClockChangeKind.EXTEND, datetime.min, "", reason.strip(), months),
            lambda clock: extension_refusal(clock, months, reason),
        )

    def pause(self, session: SignedIn, request_id: str, reason: str) -> Clock:
        """Stop the clock while waiting for the requester (`reason`: what they were asked)."""
        return self._uow.transact(
            self._change,
            session,
            request_id,
            Action.PAUSE_CLOCK,
            ClockChange(ClockChangeKind.PAUSE, datetime.min, "", reason.strip()),
            lambda clock: pause_refusal(clock, reason),
        )

    def resume(self, session: SignedIn, request_id: str, reason: str = "") -> Clock:
        """Start a paused clock again (the due date has moved by the days it stood still)."""
        return self._uow.transact(
            self._change,
            session,
            request_id,
            Action.PAUSE_CLOCK,
            ClockChange(ClockChangeKind.RESUME, datetime.min, "", reason.strip()),
            resume_refusal,
        )

    def record_notice(self, session: SignedIn, request_id: str, note: str = "") -> Clock:
        """Record that the requester was told of the extension and its reasons."""
        return self._uow.transact(
            self._change,
            session,
            request_id,
            Action.PAUSE_CLOCK,
            ClockChange(ClockChangeKind.NOTICE_SENT, datetime.min, "", note.strip()),
            notice_refusal,
        )

    def _change(
        self,
        s: Session,
        session: SignedIn,
        request_id: str,
        action: Action,
        change: ClockChange,
        refusal: Callable[[Clock], str | None],
    ) -> Clock:
        now = self._uow.stamp(s)
        account = self._people.acting(s, session, action)
        if (long := too_long(change.reason, "a reason")) is not None:
            raise UserError(long)
        req = rows.unpurged(s, request_id)
        state = rows.current_state(s, request_id, now)
        if state in ANSWERED:
            raise UserError(
                f"{request_id} was {state.value}: its clock stopped when it was answered"
            )
        changes = rows.changes_of(s, [request_id]).get(request_id, [])
        clock = rows.request_clock(req, changes, now)
        if clock is None:
            raise UserError(
                f"{request_id}'s ticket gives no receipt time: there is no clock to change"
            )
        why = refusal(clock)
        if why is not None:
            raise UserError(why)
        row = ClockChangeRow(
            request_id=request_id,
            kind=change.kind.value,
            months=change.months,
            reason=change.reason,
            by_id=int(account.id or 0),
            at=now,
        )
        s.add(row)
        s.flush()
        made = ClockChange(change.kind, now, account.name, change.reason, change.months)
        after = rows.request_clock(req, [*changes, made], now)
        assert after is not None
        trail.append(
            s,
            account.name,
            AUDIT_ACTION,
            f"request:{request_id}",
            {
                "clock_change_id": row.id,
                "request_id": request_id,
                "kind": change.kind.value,
                "months": change.months,
                "reason": change.reason,
                "due_before": f"{clock.due:%Y-%m-%d}",
                "due_after": f"{after.due:%Y-%m-%d}",
            },
            at=now,
        )
        return after


DEADLINE_COLUMNS = (
    "request_id",
    "state",
    "due",
    "days_left",
    "overdue",
    "start",
    "started_by",
    "extended_months",
    "paused_since",
    "paused_days",
    "notice_due",
    "notice_sent_at",
    "ticket_due",
    "calendar",
)


def deadline_cells(row: QueueRow) -> list[str]:
    """One CSV row of the deadline view (no personal data beyond the request id)."""
    c = row.clock
    if c is None:
        ticket_due = f"{row.due_at:%Y-%m-%d}" if row.due_at else ""
        return [row.request_id, row.state.value, *[""] * 10, ticket_due, ""]
    return [
        row.request_id,
        row.state.value,
        f"{c.due:%Y-%m-%d}",
        str(c.days_left),
        "yes" if c.overdue and row.open else "no",
        f"{c.start:%Y-%m-%d}",
        c.started_by,
        str(c.extended_months),
        f"{c.paused_since:%Y-%m-%d}" if c.paused_since else "",
        str(c.paused_days),
        f"{c.notice_due:%Y-%m-%d}" if c.notice_due else "",
        c.notice_sent_at.isoformat() if c.notice_sent_at else "",
        f"{c.upstream_due:%Y-%m-%d}" if c.upstream_due else "",
        c.jurisdiction.describe(),
    ]
