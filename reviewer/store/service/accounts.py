"""Accounts: who may review, approve or supervise. The first account of an empty store is a
supervisor (the bootstrap); every later change (add, disable, enable, unlock, passphrase
reset) is a supervisor's, through their session, and audited. Names are never reused and an
account's role never changes. Also the demo store's mark and credentials."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from reviewer.domain.access import Action
from reviewer.domain.audit.personal import BOOTSTRAP, PUBLIC_KEY, public_text
from reviewer.domain.signoff import passphrase_problem
from reviewer.domain.states import Role
from reviewer.store import trail
from reviewer.store.crosscheck import passphrase_mark
from reviewer.store.errors import NotFound, PermissionDenied, UserError
from reviewer.store.service import rows
from reviewer.store.service.people import UNKNOWN_ACTOR, People
from reviewer.store.service.rows import aware
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import ReviewerRow, SessionRow, SignInThrottleRow, StoreMetaRow
from reviewer.store.views import SignedIn, UserRow

NAME_RE = re.compile(r"\A[a-z][a-z0-9._-]{0,63}\Z")
# The trail's actors that are no person: an account of that name would be taken for them.
RESERVED_NAMES = frozenset({BOOTSTRAP, "system", UNKNOWN_ACTOR})
DEMO_KEY = "demo"

# An account change: the payload of its audit event, or None when there was nothing to change.
AccountChange = Callable[[Session, ReviewerRow, datetime], dict[str, object] | None]


class Accounts:
    """The accounts of the store, changed by supervisors."""

    def __init__(self, uow: UnitOfWork, people: People):
        self._uow = uow
        self._people = people

    # ------------------------------------------------------------------ demo store

    def is_demo(self) -> bool:
        """True only for a store built by `python -m reviewer.demo`."""
        with self._uow.read() as s:
            return s.get(StoreMetaRow, DEMO_KEY) is not None

    def demo_credentials(self) -> list[tuple[str, str, str]]:
        """(name, role, passphrase) of the demo reviewers; empty unless `is_demo()`."""
        with self._uow.read() as s:
            row = s.get(StoreMetaRow, DEMO_KEY)
            if row is None:
                return []
            return [(str(n), str(r), str(p)) for n, r, p in row.value.get("credentials", [])]

    def mark_demo(self, credentials: Sequence[tuple[str, str, str]]) -> None:
        """Mark this store as a demo store (used only by `reviewer.demo`)."""
        self._uow.transact(_mark_demo, credentials)

    # ------------------------------------------------------------------ sign-in and sessions

    # ------------------------------------------------------------------ accounts
    def has_accounts(self) -> bool:
        with self._uow.read() as s:
            return s.execute(select(ReviewerRow.id).limit(1)).first() is not None

    def add_user(
        self, by: SignedIn | None, name: str, role: Role | str, passphrase: str
    ) -> UserRow:
        """Add an account. `by` is a supervisor's session; None only for the first account of
        an empty store, which must be a supervisor (the bootstrap, audited as such)."""
        if not NAME_RE.match(name):
            raise UserError(
                "a reviewer name is 1 to 64 lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter"
            )
        if name in RESERVED_NAMES:
            raise UserError(f"{name!r} names the store itself in the audit trail: choose another")
        try:
            role = Role(role)
        except ValueError:
            raise UserError(f"unknown role {role!r} (reviewer, approver or supervisor)") from None
        problem = passphrase_problem(passphrase)
        if problem:
            raise UserError(problem)
        hashed = self._uow.hasher.hash(passphrase)
        key = self._people.unlock(name, passphrase)
        try:
            return self._uow.transact(self._add_account, by, name, role, hashed, key)
        except IntegrityError:
            raise UserError(f"the name {name} is taken (names are never reused)") from None

    def _add_account(
        self,
        s: Session,
        by: SignedIn | None,
        name: str,
        role: Role,
        hashed: str,
        key: Ed25519PrivateKey | None,
    ) -> UserRow:
        now = self._uow.stamp(s)
        if by is None:
            if s.execute(select(ReviewerRow.id).limit(1)).first() is not None:
                raise PermissionDenied(
                    "this store has accounts: a supervisor adds the next one (--as)"
                )
            if role is not Role.SUPERVISOR:
                raise UserError(
                    "the first account of a store must be a supervisor: add one with "
                    "--role supervisor, then the reviewers as that supervisor"
                )
            creator = None
        else:
            creator = self._people.acting(s, by, Action.ADMINISTER_ACCOUNTS)
        if rows.reviewer(s, name) is not None:
            raise UserError(f"the name {name} is taken (names are never reused)")
        row = ReviewerRow(
            name=name,
            role=role.value,
            passphrase_hash=hashed,
            created_at=now,
            active_since=now,
            created_by_id=None if creator is None else creator.id,
        )
        s.add(row)
        s.flush()
        actor = BOOTSTRAP if creator is None else creator.name
        payload: dict[str, object] = {
            "role": role.value,
            "account_id": row.id,
            "bootstrap": creator is None,
            "key": passphrase_mark(hashed),
        }
        if key is not None:
            # The trail certifies the new account's personal key: signed by the supervisor
            # who adds it (`acting` above), the store's first account by its own key.
            payload[PUBLIC_KEY] = public_text(key)
            if creator is None:
                trail.sign_as(s, BOOTSTRAP, key)
        trail.append(s, actor, "user-add", f"reviewer:{name}", payload, at=now)
        return _user(row, None if creator is None else creator.name)

    def list_users(self) -> list[UserRow]:
        with self._uow.read() as s:
            accounts = (
                s.execute(select(ReviewerRow).order_by(col(ReviewerRow.name))).scalars().all()
            )
            names = {r.id: r.name for r in accounts}
            out = []
            for r in accounts:
                u = _user(r, names.get(r.created_by_id))
                _, locked = self._lock_state(s, r.name)
                out.append(_with_lock(u, locked))
            return out

    def _lock_state(self, s: Session, name: str) -> tuple[int, datetime | None]:
        t = s.get(SignInThrottleRow, self._people.name_digest(name))
        if t is None:
            return 0, None
        locked = aware(t.locked_until)
        now = self._uow.decision_now(s)
        return t.failures, locked if locked is not None and locked > now else None

    def disable_user(self, by: SignedIn, name: str) -> UserRow:
        """Disable an account: it can no longer sign in, sign or release (history is kept).
        The last active supervisor cannot be disabled."""
        return self._change_account(by, name, "user-disable", _disable)

    def enable_user(self, by: SignedIn, name: str) -> UserRow:
        """Enable a disabled account again (its signatures are flagged as a new account's for
        the policy's new-account period)."""
        return self._change_account(by, name, "user-enable", _enable)

    def unlock_user(self, by: SignedIn, name: str) -> UserRow:
        """End a lockout and forget the name's failed tries."""

        def unlock(s: Session, r: ReviewerRow, now: datetime) -> dict[str, object] | None:
            t = s.get(SignInThrottleRow, self._people.name_digest(r.name))
            if t is None or (not t.failures and t.locked_until is None):
                return None
            t.failures = 0
            t.locked_until = None
            t.window_start = None
            s.add(t)
            return {}

        return self._change_account(by, name, "user-unlock", unlock)

    def reset_passphrase(self, by: SignedIn, name: str, passphrase: str) -> UserRow:
        """Give an account a new passphrase (the supervisor hands it over; open sessions of the
        account are closed; its sign-offs are flagged as a new account's, as after enabling)."""
        problem = passphrase_problem(passphrase)
        if problem:
            raise UserError(problem)
        hashed = self._uow.hasher.hash(passphrase)
        key = self._people.unlock(name, passphrase)

        def reset(s: Session, r: ReviewerRow, now: datetime) -> dict[str, object] | None:
            r.passphrase_hash = hashed
            # its sign-offs are flagged as a new account's for the policy's period: the
            # supervisor who set the passphrase could have signed with it
            r.active_since = now
            s.add(r)
            _end_sessions(s, r, now)
            certifies = {} if key is None else {PUBLIC_KEY: public_text(key)}
            return {"key": passphrase_mark(hashed), **certifies}

        return self._change_account(by, name, "user-reset-passphrase", reset)

    def _change_account(
        self, by: SignedIn, name: str, action: str, change: AccountChange
    ) -> UserRow:
        """One audited account change by a supervisor; `change` returns the event's payload,
        or None when there was nothing to change (nothing is recorded)."""
        try:
            return self._uow.transact(self._change, by, name, action, change)
        except IntegrityError as exc:
            raise UserError(f"the store refused it: {exc.orig}") from None

    def _change(
        self, s: Session, by: SignedIn, name: str, action: str, change: AccountChange
    ) -> UserRow:
        now = self._uow.stamp(s)
        supervisor = self._people.acting(s, by, Action.ADMINISTER_ACCOUNTS)
        r = rows.reviewer(s, name, lock=True)
        if r is None:
            raise NotFound(f"no reviewer named {name}")
        payload = change(s, r, now)
        if payload is not None:
            trail.append(
                s,
                supervisor.name,
                action,
                f"reviewer:{name}",
                {**payload, "account_id": r.id},
                at=now,
            )
        creator = s.get(ReviewerRow, r.created_by_id) if r.created_by_id else None
        _, locked = self._lock_state(s, r.name)
        return _with_lock(_user(r, creator.name if creator else None), locked)


def _mark_demo(s: Session, credentials: Sequence[tuple[str, str, str]]) -> None:
    row = s.get(StoreMetaRow, DEMO_KEY)
    value = {"credentials": [list(c) for c in credentials]}
    if row is None:
        s.add(StoreMetaRow(key=DEMO_KEY, value=value))
    else:
        row.value = value
        s.add(row)


def _end_sessions(s: Session, r: ReviewerRow, now: datetime) -> None:
    """Close every open session of the account (disabled, or its passphrase reset)."""
    for row in s.execute(
        select(SessionRow).where(
            col(SessionRow.reviewer_id) == r.id, col(SessionRow.ended_at).is_(None)
        )
    ).scalars():
        row.ended_at = now
        s.add(row)


def _disable(s: Session, r: ReviewerRow, now: datetime) -> dict[str, object] | None:
    if r.disabled:
        return None
    if r.role == Role.SUPERVISOR.value:
        others = s.execute(
            select(ReviewerRow.id).where(
                col(ReviewerRow.role) == Role.SUPERVISOR.value,
                col(ReviewerRow.disabled).is_(False),
                col(ReviewerRow.id) != r.id,
            )
        ).first()
        if others is None:
            raise PermissionDenied(
                f"{r.name} is the last active supervisor: add or enable another one first"
            )
    r.disabled = True
    s.add(r)
    _end_sessions(s, r, now)
    return {}


def _enable(s: Session, r: ReviewerRow, now: datetime) -> dict[str, object] | None:
    if not r.disabled:
        return None
    r.disabled = False
    r.active_since = now
    s.add(r)
    return {}


def _user(r: ReviewerRow, created_by: str | None) -> UserRow:
    return UserRow(
        name=r.name,
        role=Role(r.role),
        disabled=r.disabled,
        locked_until=None,
        created_at=r.created_at,
        created_by=created_by,
        active_since=aware(r.active_since) or r.created_at,
    )


def _with_lock(u: UserRow, locked: datetime | None) -> UserRow:
    return replace(u, locked_until=locked)
