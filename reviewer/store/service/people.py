"""Sign-in, sessions and who a session acts for.

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
- **Who acts.** `acting` is the one answer to "may this session do that now", asked by
  every collaborator. (The accounts themselves are `accounts.Accounts`'.)
- **Personal keys** (`reviewer.domain.audit.personal`). The passphrase also unlocks the
  person's own key (`unlock`); `hold_key` checks it is the one the trail certified for the
  account (an account from before personal keys enrolls it) and has the transaction's events
  of that person signed with it. A session holds the key; `acting` signs with it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session, select

from reviewer.domain.access import Action, Actor, permission
from reviewer.domain.audit.personal import (
    CERTIFYING_ACTIONS,
    KEY_ENROLLED,
    PUBLIC_KEY,
    derive_key,
    public_text,
)
from reviewer.domain.signoff import (
    LOCKOUT,
    MAX_FAILED_SIGN_INS,
)
from reviewer.domain.states import Role, State
from reviewer.store import audit_log, trail
from reviewer.store.crosscheck import passphrase_mark
from reviewer.store.errors import (
    KeyNotCertified,
    PermissionDenied,
    SignInError,
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
)

T = TypeVar("T")
DIGEST_KEY = "name_digest_key"
SESSION_HOURS = 12  # a session older than this is closed: sign in again
REFUSED = "unknown reviewer or wrong passphrase"
UNKNOWN_ACTOR = "unknown"  # the trail's actor for a name that is no account


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

    def sign_in(self, name: str, passphrase: str) -> SignedIn:
        """Check a passphrase and open a session. Every refusal is audited; the answer to a
        wrong passphrase and to an unknown name is the same."""
        row, was = self.verify(name, passphrase, purpose="sign-in")
        key = self.unlock(name, passphrase)
        token = secrets.token_urlsafe(32)
        return self.refusing_uncertified(
            name, "sign-in", lambda: self._uow.transact(self._open_session, row, token, was, key)
        )

    def _open_session(
        self, s: Session, row: ReviewerRow, token: str, was: str, key: Ed25519PrivateKey | None
    ) -> SignedIn:
        now = self._uow.stamp(s)  # on PostgreSQL the server's: the clock that judges its age
        self.hold_key(s, row, key, now)
        s.add(
            SessionRow(
                token_sha256=_token_digest(token), reviewer_id=int(row.id or 0), started_at=now
            )
        )
        # which hash verified the passphrase, and which one the account holds now (renewed
        # when the hasher's parameters changed): `audit verify` follows them (crosscheck)
        marks = {"was": was, "key": passphrase_mark(row.passphrase_hash)}
        trail.append(
            s, row.name, "sign-in", f"reviewer:{row.name}", {"role": row.role, **marks}, at=now
        )
        return SignedIn(row.name, Role(row.role), now, int(row.id or 0), token, key)

    # ------------------------------------------------------------------ personal keys

    def unlock(self, name: str, passphrase: str) -> Ed25519PrivateKey | None:
        """The personal key `passphrase` unlocks for `name` (None in a store from before
        personal keys that was never opened by this version)."""
        recipe = self._uow.recipe()
        return None if recipe is None else derive_key(passphrase, name, recipe)

    def hold_key(
        self, s: Session, row: ReviewerRow, key: Ed25519PrivateKey | None, now: datetime
    ) -> None:
        """Sign `row`'s events in this transaction with `key`, once it is the key the trail
        certified for the account; an account that has none yet (made before personal keys)
        enrolls it here. KeyNotCertified when the trail certified another key."""
        if key is None:
            return
        public = public_text(key)
        certified = certified_key(s, row.name)
        trail.sign_as(s, row.name, key)
        if certified is None:
            trail.append(
                s,
                row.name,
                KEY_ENROLLED,
                f"reviewer:{row.name}",
                {PUBLIC_KEY: public, "account_id": row.id},
                at=now,
            )
        elif certified != public:
            raise KeyNotCertified(
                f"{REFUSED}: this passphrase does not unlock the key the audit trail certified "
                f"for {row.name} (the account was changed in the store); a supervisor resets "
                "the passphrase"
            )

    def refusing_uncertified(
        self, name: str, purpose: str, run: Callable[[], T], *, then: str = ""
    ) -> T:
        """`run()` (the transaction that holds `name`'s key); a KeyNotCertified refusal is
        audited, then raised as SignInError (its text, and `then`)."""
        try:
            return run()
        except KeyNotCertified as exc:
            self._uow.audit(
                name,
                "sign-in-refused",
                f"reviewer:{name}",
                {"purpose": purpose, "reason": "passphrase does not unlock the certified key"},
            )
            raise SignInError(f"{exc}{then}") from None

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
        trail.sign_as(s, account.name, session.signing_key)
        return account

    # ------------------------------------------------------------------ passphrases

    def authenticate(self, name: str, passphrase: str, *, purpose: str) -> ReviewerRow:
        """Verify `name`'s passphrase, throttled per typed name; every refusal is committed to
        the trail, then raised as SignInError."""
        return self.verify(name, passphrase, purpose=purpose)[0]

    def verify(self, name: str, passphrase: str, *, purpose: str) -> tuple[ReviewerRow, str]:
        """`authenticate`, and the mark of the hash that verified the passphrase
        (`passphrase_mark`), which the event of what it was for records."""
        digest = self.name_digest(name)
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
        return self._uow.transact(self._passed, name, digest, new_hash), passphrase_mark(stored)

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

    def name_digest(self, name: str) -> str:
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
        digest = self.name_digest(name)
        with self._uow.read() as s:
            t = s.get(SignInThrottleRow, digest)
            if t is None:
                return 0, None
            now = self._uow.decision_now(s)
            locked = aware(t.locked_until)
            start = aware(t.window_start)
            failures = t.failures if start is not None and now < start + LOCKOUT else 0
            return failures, locked if locked is not None and locked > now else None


def certified_key(s: Session, name: str) -> str | None:
    """The public key the trail last certified for the account `name`, if any."""
    event = audit_log.last_event_about(s, f"reviewer:{name}", sorted(CERTIFYING_ACTIONS))
    public = None if event is None else event.payload_object().get(PUBLIC_KEY)
    return public if isinstance(public, str) else None


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
