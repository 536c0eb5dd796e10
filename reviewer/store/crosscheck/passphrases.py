"""Which passphrase hash each account has, followed through the trail's events and compared
with the store's."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from reviewer.store.audit_log import _stream
from reviewer.store.crosscheck.kind import Event


def passphrase_mark(passphrase_hash: str) -> str:
    """What the audit trail records of a passphrase hash: the first 16 hex digits of its
    SHA-256, enough to tell one hash from another and nothing about the passphrase."""
    return hashlib.sha256(passphrase_hash.encode()).hexdigest()[:16]


# Events that say which passphrase hash an account has: set (user-add, a reset) or that
# verified a passphrase ("was") and is held after it ("key": a sign-in or a sign-off renews a
# hash made with weaker parameters).
PASSPHRASE_EVENTS = ("user-add", "user-reset-passphrase", "sign-in", "sign-off", "rejection")


class Passphrases:
    """Which passphrase hash each account has, followed through the trail's events: an
    account whose hash changed with no event that set it is a problem. A sign-in or a
    sign-off verified against a hash the trail never gave that account (a hash copied from
    another account, used, and maybe put back), or a hash in the store that is not the last
    one the trail gave it. Events recorded before marks were kept are passed over."""

    def __init__(self) -> None:
        self.known: dict[str, tuple[str, int]] = {}  # account -> (last mark, its event)
        # account -> every mark the trail gave it (two sign-ins at once may each renew a
        # weaker hash: either verifies the next time)
        self.given: dict[str, set[str]] = {}
        self.found: str | None = None  # the first problem among the events

    def event(self, e: Event) -> None:
        key = e.get("key")
        if self.found is not None or not isinstance(key, str):
            return
        signed = e.action in ("sign-off", "rejection")
        name = e.actor if signed else e.subject.removeprefix("reviewer:")
        was = e.payload.get("was", key) if signed or e.action == "sign-in" else None
        have = self.known.get(name)
        if was is not None and have is not None and was not in self.given[name]:
            self.found = (
                f"event {e.seq} ({e.action} by {name}) verified a passphrase hash the audit "
                f"trail never gave {name} (the last one was set by event {have[1]}): a hash was "
                "changed in the store"
            )
            return
        self.known[name] = (key, e.seq)
        self.given.setdefault(name, set()).add(key)

    def problem(self, session: Session) -> str | None:
        if self.found is not None or not self.known:
            return self.found
        for name, stored in _stream(session, "SELECT name, passphrase_hash FROM reviewers"):
            have = self.known.get(str(name))
            if have is not None and passphrase_mark(str(stored)) != have[0]:
                return (
                    f"the passphrase hash of {name} in the store is not the one the audit "
                    f"trail gave it last (event {have[1]})"
                )
        return None
