"""Sign-in, sessions and accounts.

- **Sign-in** (Argon2id). Every try is charged to the typed name's throttle row before the
  passphrase is checked, in one locked transaction, so tries sent at once are counted as they
  arrive and at most `MAX_FAILED_SIGN_INS` are checked in a `LOCKOUT` window; the fifth wrong
  one locks the name for `LOCKOUT`. A right passphrase takes back its own charge only: wrong
  ones count until the window ends. A name that is no account is charged, checked against a
  dummy hash and answered exactly as a real one, and the trail records a keyed digest of it,
  never its text (it may be a passphrase typed into the wrong field). On PostgreSQL the
  database server's clock decides the window and the lockout, never the terminal's.
- **Sessions.** `sign_in` opens a session in the store and hands the terminal a random token;
  every action but the sign-off (which asks for the passphrase again) names its session, and
  the service acts only for an open session of an account that may act.
- **Accounts.** The first account of an empty store is a supervisor (the bootstrap); every
  later change (add, disable, enable, unlock, passphrase reset) is a supervisor's, through
  their session. Names are never reused and an account's role never changes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from reviewer.domain.access import Action, Actor, permission
from reviewer.domain.signoff import (
    LOCKOUT,
    MAX_FAILED_SIGN_INS,
    passphrase_problem,
)
from reviewer.domain.states import Role, State
from reviewer.store import trail
from reviewer.store.errors import (
    NotFound,
    PermissionDenied,
    SignInError,
    UserError,
)
from reviewer.store.service import rows
from reviewer.store.service.rows import aware
from reviewer.store.service.unit import UnitOfWork
from reviewer.store.tables import (
    ReviewerRow,
    SessionRow,
    SignInThrottleRow,
    StoreMetaRow,
)
from reviewer.store.views import (
    SignedIn,
    UserRow,
)

NAME_RE = re.compile(r"\A[a-z][a-z0-9._-]{0,63}\Z")
DEMO_KEY = "demo"
DIGEST_KEY = "name_digest_key"
SESSION_HOURS = 12  # a session older than this is closed: sign in again
REFUSED = "unknown reviewer or wrong passphrase"
UNKNOWN_ACTOR = "unknown"  # the trail's actor for a name that is no account

# An account change: the payload of its audit event, or None when there was nothing to change.
AccountChange = Callable[[Session, ReviewerRow, datetime], dict[str, object] | None]


def locked_text(until: datetime) -> str:
    return (
        f"locked out until {until:%H:%M} UTC after {MAX_FAILED_SIGN_INS} failed sign-ins; "
        f"try again after {until:%H:%M} UTC"
    )


class People:
    """Who may sign in, as what, and who changes the accounts. Every other collaborator asks
    `acting` who a session acts for."""

    def __init__(self, uow: UnitOfWork):
        self._uow = uow
        self._dummy_hash: str | None = None
        self._digest_key: bytes | None = None

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

    def sign_in(self, name: str, passphrase: str) -> SignedIn:
        """Check a passphrase and open a session. Every refusal is audited; the answer to a
        wrong passphrase and to an unknown name is the same."""
        row = self.authenticate(name, passphrase, purpose="sign-in")
        return self._uow.transact(self._open_session, row, secrets.token_urlsafe(32))

    def _open_session(self, s: Session, row: ReviewerRow, token: str) -> SignedIn:
        now = self._uow.stamp(s)  # on PostgreSQL the server's: the clock that judges its age
        s.add(
            SessionRow(
                token_sha256=_token_digest(token), reviewer_id=int(row.id or 0), started_at=now
            )
        )
        trail.append(s, row.name, "sign-in", f"reviewer:{row.name}", {"role": row.role}, at=now)
        return SignedIn(row.name, Role(row.role), now, int(row.id or 0), token)

    def sign_out(self, session: SignedIn) -> None:
        """Close the session (its token no longer acts); closing a closed one does nothing."""
        self._uow.transact(self._close_session, session)

    def _close_session(self, s: Session, session: SignedIn) -> None:
        now = self._uow.stamp(s)
        row = self.session_row(s, session)
        if row is None or row.ended_at is not None:
            return
        row.ended_at = now
        s.add(row)
        trail.append(s, session.name, "sign-out", f"reviewer:{session.name}", {}, at=now)

    def session_row(self, s: Session, session: SignedIn) -> SessionRow | None:
        if not session.token:
            return None
        return s.execute(
            select(SessionRow).where(SessionRow.token_sha256 == _token_digest(session.token))
        ).scalar_one_or_none()

    def session_account(self, s: Session, session: SignedIn) -> ReviewerRow | None:
        """The account of an open session (None: no such session, or it was closed)."""
        row = self.session_row(s, session)
        if row is None or row.ended_at is not None:
            return None
        return s.get(ReviewerRow, row.reviewer_id)

    def acting(
        self,
        s: Session,
        session: SignedIn | None,
        action: Action,
        state: State | None = None,
        *,
        already_signed: bool = False,
    ) -> ReviewerRow:
        """The account `session` acts for, once the access rule allows `action`; else
        PermissionDenied with the rule's reason."""
        if session is None:
            raise PermissionDenied(permission(None, action).reason)
        row = self.session_row(s, session)
        now = self._uow.decision_now(s)
        if row is None or row.ended_at is not None:
            raise PermissionDenied("not signed in (the session was closed): sign in again")
        started = aware(row.started_at)
        assert started is not None
        if now - started > timedelta(hours=SESSION_HOURS):
            raise PermissionDenied(
                f"the session is older than {SESSION_HOURS} hours: sign in again"
            )
        account = s.get(ReviewerRow, row.reviewer_id)
        assert account is not None
        allowed = permission(account_actor(account), action, state, already_signed=already_signed)
        if not allowed:
            raise PermissionDenied(allowed.reason)
        return account

    # ------------------------------------------------------------------ passphrases

    def authenticate(self, name: str, passphrase: str, *, purpose: str) -> ReviewerRow:
        """Verify `name`'s passphrase, throttled per typed name; every refusal is committed to
        the trail, then raised as SignInError."""
        digest = self._name_digest(name)
        charge = self._uow.transact_or_refuse(
            lambda exc: SignInError("the store is busy; try again"),
            self._charge,
            name,
            digest,
            purpose,
        )
        if isinstance(charge, datetime):
            raise SignInError(f"{REFUSED}: {locked_text(charge)}")
        with self._uow.read() as s:
            row = rows.reviewer(s, name)
        stored = row.passphrase_hash if row is not None else self._dummy()
        try:
            ok = self._uow.hasher.verify(stored, passphrase) and row is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok:
            locked = self._uow.transact(self._failed, name, digest, purpose, row is not None)
            if locked is not None:
                raise SignInError(f"{REFUSED}: {locked_text(locked)}")
            raise SignInError(REFUSED)
        assert row is not None
        if row.disabled:
            # Said only to whoever knows the passphrase: nobody else learns the account exists.
            self._uow.transact(self._take_back, digest)
            self._uow.audit(
                name,
                "sign-in-refused",
                f"reviewer:{name}",
                {"purpose": purpose, "reason": "disabled"},
            )
            raise SignInError(f"reviewer {name} is disabled")
        new_hash = (
            self._uow.hasher.hash(passphrase)
            if self._uow.hasher.check_needs_rehash(row.passphrase_hash)
            else None
        )
        return self._uow.transact(self._passed, name, digest, new_hash)

    def _passed(self, s: Session, name: str, digest: str, new_hash: str | None) -> ReviewerRow:
        """A right passphrase: its charge taken back, its hash renewed when the hasher's
        parameters changed."""
        self._take_back(s, digest)
        r = rows.reviewer(s, name, lock=True)
        assert r is not None
        if new_hash is not None:
            r.passphrase_hash = new_hash
            s.add(r)
        return r

    def _charge(self, s: Session, name: str, digest: str, purpose: str) -> int | datetime:
        """Charge one try to the name before it is checked: the try's number in the window,
        or the time a lockout ends when the name is locked (that refusal is audited)."""
        now = self._uow.stamp(s)
        t = self._throttle(s, digest)
        locked = aware(t.locked_until)
        if locked is not None and locked > now:
            self._trail_refusal(s, name, digest, purpose, "locked out", now)
            return locked
        start = aware(t.window_start)
        if start is None or now >= start + LOCKOUT:
            t.failures = 0
            t.window_start = now
            t.locked_until = None
        if t.failures >= MAX_FAILED_SIGN_INS:  # tries in flight fill the window
            t.locked_until = now + LOCKOUT
            s.add(t)
            self._trail_refusal(s, name, digest, purpose, "locked out", now)
            return now + LOCKOUT
        t.failures += 1
        s.add(t)
        return t.failures

    def _failed(
        self, s: Session, name: str, digest: str, purpose: str, known: bool
    ) -> datetime | None:
        """A checked try failed (its charge stays). The lockout's end when this one locked."""
        now = self._uow.stamp(s)
        t = self._throttle(s, digest)
        actor, payload = _who(name, digest, known)
        trail.append(
            s,
            actor,
            "sign-in-failed",
            f"reviewer:{actor}",
            {
                **payload,
                "purpose": purpose,
                "reason": "wrong passphrase" if known else "unknown name",
                "failures": t.failures,
            },
            at=now,
        )
        locked = aware(t.locked_until)
        if t.failures >= MAX_FAILED_SIGN_INS and (locked is None or locked <= now):
            t.locked_until = now + LOCKOUT
            s.add(t)
            trail.append(
                s,
                actor,
                "lockout",
                f"reviewer:{actor}",
                {
                    **payload,
                    "until": (now + LOCKOUT).isoformat(),
                    "failures": MAX_FAILED_SIGN_INS,
                },
                at=now,
            )
            return now + LOCKOUT
        return None

    def _take_back(self, s: Session, digest: str) -> None:
        """A right passphrase takes back its own charge (the wrong ones stay in the window)."""
        t = self._throttle(s, digest)
        if t.failures > 0:
            t.failures -= 1
            s.add(t)

    def _throttle(self, s: Session, digest: str) -> SignInThrottleRow:
        stmt = select(SignInThrottleRow).where(SignInThrottleRow.name_digest == digest)
        if s.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        t = s.execute(stmt).scalar_one_or_none()
        if t is None:
            t = SignInThrottleRow(name_digest=digest, failures=0)
            s.add(t)
            s.flush()  # a concurrent first try for the same name: IntegrityError, retried
        return t

    def _trail_refusal(
        self, s: Session, name: str, digest: str, purpose: str, reason: str, now: datetime
    ) -> None:
        actor, payload = _who(name, digest, rows.reviewer(s, name) is not None)
        trail.append(
            s,
            actor,
            "sign-in-refused",
            f"reviewer:{actor}",
            {**payload, "purpose": purpose, "reason": reason},
            at=now,
        )

    def _name_digest(self, name: str) -> str:
        """A keyed digest of a typed name: tries under one name correlate in the trail, and
        the text (perhaps a passphrase in the wrong field) is never stored."""
        key = self._digest_key
        if key is None:
            with self._uow.read() as s:
                row = s.get(StoreMetaRow, DIGEST_KEY)
            assert row is not None, "the digest key is created by migration 0008"
            key = self._digest_key = bytes.fromhex(str(row.value["hex"]))
        return hmac.new(key, name.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def _dummy(self) -> str:
        """A hash to check unknown names against, so they cost what a real name costs."""
        if self._dummy_hash is None:
            self._dummy_hash = self._uow.hasher.hash(secrets.token_hex(16))
        return self._dummy_hash

    def lockout_of(self, name: str) -> tuple[int, datetime | None]:
        """(tries charged in the current window, the lockout's end if locked) for a typed name."""
        digest = self._name_digest(name)
        with self._uow.read() as s:
            t = s.get(SignInThrottleRow, digest)
            if t is None:
                return 0, None
            now = self._uow.decision_now(s)
            locked = aware(t.locked_until)
            start = aware(t.window_start)
            failures = t.failures if start is not None and now < start + LOCKOUT else 0
            return failures, locked if locked is not None and locked > now else None

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
        try:
            role = Role(role)
        except ValueError:
            raise UserError(f"unknown role {role!r} (reviewer, approver or supervisor)") from None
        problem = passphrase_problem(passphrase)
        if problem:
            raise UserError(problem)
        hashed = self._uow.hasher.hash(passphrase)
        try:
            return self._uow.transact(self._add_account, by, name, role, hashed)
        except IntegrityError:
            raise UserError(f"the name {name} is taken (names are never reused)") from None

    def _add_account(
        self, s: Session, by: SignedIn | None, name: str, role: Role, hashed: str
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
            creator = self.acting(s, by, Action.ADMINISTER_ACCOUNTS)
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
        actor = "bootstrap" if creator is None else creator.name
        trail.append(
            s,
            actor,
            "user-add",
            f"reviewer:{name}",
            {"role": role.value, "account_id": row.id, "bootstrap": creator is None},
            at=now,
        )
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
        t = s.get(SignInThrottleRow, self._name_digest(name))
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
            t = s.get(SignInThrottleRow, self._name_digest(r.name))
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
        account are closed)."""
        problem = passphrase_problem(passphrase)
        if problem:
            raise UserError(problem)
        hashed = self._uow.hasher.hash(passphrase)

        def reset(s: Session, r: ReviewerRow, now: datetime) -> dict[str, object] | None:
            r.passphrase_hash = hashed
            s.add(r)
            _end_sessions(s, r, now)
            return {}

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
        supervisor = self.acting(s, by, Action.ADMINISTER_ACCOUNTS)
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


def account_actor(r: ReviewerRow) -> Actor:
    """The access rule's view of an account as it is in the store now."""
    return Actor(int(r.id or 0), r.name, Role(r.role), active=not r.disabled)


def _who(name: str, digest: str, known: bool) -> tuple[str, dict[str, object]]:
    """The trail's actor for a typed name, and what identifies it: the name of an account, a
    keyed digest of anything else."""
    if known:
        return name, {}
    return UNKNOWN_ACTOR, {"name_digest": digest}


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


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
    from dataclasses import replace

    return replace(u, locked_until=locked)
