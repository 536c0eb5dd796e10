"""Sign-in (Argon2id, lockout after repeated failures) and the reviewers themselves; the demo
store's published credentials."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from reviewer.domain.signoff import (
    LOCKOUT,
    MAX_FAILED_SIGN_INS,
    Role,
    passphrase_problem,
)
from reviewer.store import trail
from reviewer.store.errors import (
    NotFound,
    SignInError,
    UserError,
)
from reviewer.store.service.base import (
    ServiceBase,
)
from reviewer.store.tables import (
    ReviewerRow,
    StoreMetaRow,
)
from reviewer.store.views import (
    SignedIn,
    UserRow,
)

NAME_RE = re.compile(r"\A[a-z][a-z0-9._-]{0,63}\Z")
DEMO_KEY = "demo"


class PeoplePart(ServiceBase):
    """Who may sign in, and as what."""

    def is_demo(self) -> bool:
        """True only for a store built by `python -m reviewer.demo`."""
        with self._read() as s:
            return s.get(StoreMetaRow, DEMO_KEY) is not None

    def demo_credentials(self) -> list[tuple[str, str, str]]:
        """(name, role, passphrase) of the demo reviewers; empty unless `is_demo()`."""
        with self._read() as s:
            row = s.get(StoreMetaRow, DEMO_KEY)
            if row is None:
                return []
            return [(str(n), str(r), str(p)) for n, r, p in row.value.get("credentials", [])]

    def mark_demo(self, credentials: Sequence[tuple[str, str, str]]) -> None:
        """Mark this store as a demo store (used only by `reviewer.demo`)."""
        with self._write() as s:
            row = s.get(StoreMetaRow, DEMO_KEY)
            value = {"credentials": [list(c) for c in credentials]}
            if row is None:
                s.add(StoreMetaRow(key=DEMO_KEY, value=value))
            else:
                row.value = value
                s.add(row)

    def sign_in(self, name: str, passphrase: str) -> SignedIn:
        """Check a passphrase. Failures and lockouts (5 failures: 15 minutes) are audited."""
        row = self._authenticate(name, passphrase, purpose="sign-in")
        return SignedIn(name=row.name, role=Role(row.role), at=self._now())

    def _authenticate(self, name: str, passphrase: str, *, purpose: str) -> ReviewerRow:
        """Verify `name`'s passphrase; every refusal is committed to the trail, then raised."""
        now = self._now()
        with self._read() as s:
            row = self._reviewer(s, name)
        refusal: str | None = None
        action = "sign-in-failed"
        if row is None:
            refusal = "unknown reviewer or wrong passphrase"
            detail = "unknown reviewer"
        elif row.disabled:
            refusal = f"reviewer {name} is disabled"
            detail = "disabled"
            action = "sign-in-refused"
        elif row.locked_until is not None and row.locked_until > now:
            refusal = (
                f"reviewer {name} is locked out until {row.locked_until:%H:%M} UTC "
                f"after {MAX_FAILED_SIGN_INS} failed sign-ins"
            )
            detail = "locked out"
            action = "sign-in-refused"
        if refusal is not None:
            self._audit(name, action, f"reviewer:{name}", {"purpose": purpose, "reason": detail})
            raise SignInError(refusal)
        assert row is not None
        try:
            self._hasher.verify(row.passphrase_hash, passphrase)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            locked = self._retry(lambda: self._record_failure(name, purpose))
            if locked is not None:
                raise SignInError(
                    f"wrong passphrase; reviewer {name} is locked out until {locked:%H:%M} UTC "
                    f"after {MAX_FAILED_SIGN_INS} failed sign-ins"
                ) from None
            raise SignInError("unknown reviewer or wrong passphrase") from None
        new_hash = (
            self._hasher.hash(passphrase)
            if self._hasher.check_needs_rehash(row.passphrase_hash)
            else None
        )

        if (
            not new_hash
            and not row.failed_count
            and row.locked_until is None
            and purpose != "sign-in"
        ):
            return row  # nothing to reset or record (the sign-off itself is the event)

        def ok() -> ReviewerRow:
            with self._write() as s:
                r = self._reviewer(s, name, lock=True)
                assert r is not None
                r.failed_count = 0
                r.locked_until = None
                if new_hash is not None:
                    r.passphrase_hash = new_hash
                s.add(r)
                if purpose == "sign-in":
                    trail.append(s, name, "sign-in", f"reviewer:{name}", {"role": r.role}, at=now)
                return r

        return self._retry(ok)

    def _record_failure(self, name: str, purpose: str) -> datetime | None:
        now = self._now()
        with self._write() as s:
            r = self._reviewer(s, name, lock=True)
            assert r is not None
            r.failed_count += 1
            locked: datetime | None = None
            trail.append(
                s,
                name,
                "sign-in-failed",
                f"reviewer:{name}",
                {"purpose": purpose, "reason": "wrong passphrase", "failures": r.failed_count},
                at=now,
            )
            if r.failed_count >= MAX_FAILED_SIGN_INS:
                locked = now + LOCKOUT
                r.locked_until = locked
                r.failed_count = 0
                trail.append(
                    s,
                    name,
                    "lockout",
                    f"reviewer:{name}",
                    {"until": locked.isoformat(), "failures": MAX_FAILED_SIGN_INS},
                    at=now,
                )
            s.add(r)
            return locked

    def add_user(self, name: str, role: Role | str, passphrase: str, *, actor: str) -> UserRow:
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
        hashed = self._hasher.hash(passphrase)
        now = self._now()

        def go() -> UserRow:
            with self._write() as s:
                if self._reviewer(s, name) is not None:
                    raise UserError(f"reviewer {name} already exists")
                row = ReviewerRow(
                    name=name, role=role.value, passphrase_hash=hashed, created_at=now
                )
                s.add(row)
                s.flush()
                trail.append(s, actor, "user-add", f"reviewer:{name}", {"role": role.value}, at=now)
                return _user(row)

        try:
            return self._retry(go)
        except IntegrityError:
            raise UserError(f"reviewer {name} already exists") from None

    def list_users(self) -> list[UserRow]:
        with self._read() as s:
            rows = s.execute(select(ReviewerRow).order_by(ReviewerRow.name)).scalars().all()  # type: ignore[arg-type]
            return [_user(r) for r in rows]

    def disable_user(self, name: str, *, actor: str) -> UserRow:
        def go() -> UserRow:
            with self._write() as s:
                r = self._reviewer(s, name, lock=True)
                if r is None:
                    raise NotFound(f"no reviewer named {name}")
                if not r.disabled:
                    r.disabled = True
                    s.add(r)
                    trail.append(s, actor, "user-disable", f"reviewer:{name}", {}, at=self._now())
                return _user(r)

        return self._retry(go)


def _user(r: ReviewerRow) -> UserRow:
    return UserRow(
        name=r.name,
        role=Role(r.role),
        disabled=r.disabled,
        locked_until=r.locked_until,
        created_at=r.created_at,
    )
