"""Personal keys: every decision in the trail is signed by the person who made it.

A checkpoint is signed with the terminal's key, so it proves the chain was not rewritten, not
who decided: anyone who runs the package on a terminal (its database role and its key) could
record a sign-off in another person's name. So each person has a key of their own that only
their passphrase unlocks, and each decision event carries that person's signature.

- **The key.** An Ed25519 key whose 32-byte seed is Argon2id of the passphrase, salted with
  the store's salt and the account's name, at the cost the store fixed when this era began
  (`KeyRecipe`, recorded in the era's marker event, so the recipe is itself in the chain).
  Nothing stores the private key: it is derived at sign-in and held by the session only.
- **Certified in the chain.** The event that sets a passphrase records the public key of the
  key it unlocks: ``user-add`` (signed by the supervisor who adds the account; the store's
  first account, the bootstrap, signs its own) and ``user-reset-passphrase`` (signed by the
  supervisor). An account made before this era enrolls its key at its first sign-in after it
  (``key-enrolled``, signed by that key); only accounts the marker lists may.
- **Signed decisions.** Every `PERSONAL_ACTIONS` event after the marker carries ``signature``:
  Ed25519 over ``PERSONAL_CONTEXT || canonical({"seq","prev_hash","actor","action","subject",
  "at","payload"})``, the payload without the signature itself (its typed texts sealed: their
  digests are signed), so a signed event is valid only where it was made in the chain.

`KeysInForce` follows the trail's events and names the first event that breaks these rules;
`audit verify` runs it over the whole trail and the release over the trail up to the
sign-offs it rests on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from reviewer.domain.access import ROLES, Action
from reviewer.domain.audit.chain import ChainedEvent, canonical
from reviewer.domain.audit.decisions import (
    DECISION_ACTIONS,
    DECISIONS_SIGNED_MARKER,
    PERSONAL_KEYS_MARKER,
)

PERSONAL_CONTEXT = b"dsar-reviewer personal signature v1\x00"
KEY_ENROLLED = "key-enrolled"
BOOTSTRAP = "bootstrap"  # the actor of the store's first account, added by nobody
SIGNATURE = "signature"
PUBLIC_KEY = "public_key"
# The events that must carry their actor's signature: every decision a person makes (the
# lockout is the store's, recorded under the typed name), and a legacy account's enrollment.
PERSONAL_ACTIONS = DECISION_ACTIONS - {DECISIONS_SIGNED_MARKER, PERSONAL_KEYS_MARKER, "lockout"}
# The events that certify a key for an account (the account is the event's subject).
CERTIFYING_ACTIONS = frozenset({"user-add", "user-reset-passphrase", KEY_ENROLLED})


@dataclass(frozen=True, slots=True)
class KeyRecipe:
    """How a passphrase becomes a person's key in one store."""

    salt: bytes
    time_cost: int
    memory_cost: int  # KiB
    parallelism: int

    @classmethod
    def new(cls, time_cost: int, memory_cost: int, parallelism: int) -> KeyRecipe:
        return cls(secrets.token_bytes(16), time_cost, memory_cost, parallelism)

    def to_dict(self) -> dict[str, Any]:
        return {
            "salt": self.salt.hex(),
            "time_cost": self.time_cost,
            "memory_cost": self.memory_cost,
            "parallelism": self.parallelism,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KeyRecipe:
        return cls(
            bytes.fromhex(str(data["salt"])),
            int(data["time_cost"]),
            int(data["memory_cost"]),
            int(data["parallelism"]),
        )


def derive_key(passphrase: str, name: str, recipe: KeyRecipe) -> Ed25519PrivateKey:
    """The key `passphrase` unlocks for the account `name` in the store of `recipe`."""
    salt = hashlib.sha256(recipe.salt + b"\x00" + name.encode("utf-8")).digest()[:16]
    seed = hash_secret_raw(
        passphrase.encode("utf-8", "surrogatepass"),
        salt,
        time_cost=recipe.time_cost,
        memory_cost=recipe.memory_cost,
        parallelism=recipe.parallelism,
        hash_len=32,
        type=Type.ID,
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_text(key: Ed25519PrivateKey) -> str:
    """The public half of `key` as the trail records it: base64 of its 32 raw bytes."""
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def signed_bytes(
    seq: int,
    prev_hash: str,
    actor: str,
    action: str,
    subject: str,
    at: str,
    payload: Mapping[str, Any],
) -> bytes:
    """What a personal signature covers: the event where it stands in the chain (its seq and
    the hash before it: a signed event copied to another place, or replayed later, no longer
    carries its maker's signature), its payload without the signature."""
    body = {k: v for k, v in payload.items() if k != SIGNATURE}
    event = {
        "seq": seq,
        "prev_hash": prev_hash,
        "actor": actor,
        "action": action,
        "subject": subject,
        "at": at,
        "payload": body,
    }
    return PERSONAL_CONTEXT + canonical(event)


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """`key`'s signature of `message` (`signed_bytes`) as the trail records it: base64."""
    return base64.b64encode(key.sign(message)).decode("ascii")


def signature_ok(public: str, event: ChainedEvent, payload: Mapping[str, Any]) -> bool:
    """Whether `event` carries a signature by the key whose public half is `public`."""
    e = event
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public, validate=True))
        signature = base64.b64decode(str(payload.get(SIGNATURE, "")), validate=True)
        key.verify(
            signature,
            signed_bytes(e.seq, e.prev_hash, e.actor, e.action, e.subject, e.at, payload),
        )
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


class KeysInForce:
    """Each account's certified key, role and standing, followed through the trail's events in
    order; the first event that breaks the rules of personal signatures (the module's
    docstring) is `found`:

    - every `PERSONAL_ACTIONS` event after the marker carries its actor's signature, by the
      key in force for them;
    - a key is certified for an account only by an active supervisor (`user-add`,
      `user-reset-passphrase`, signed by them), by the store's first account for itself (its
      addition, recorded as the bootstrap's), or enrolled once by an account the marker lists
      as holding none;
    - each decision is one its maker's role allows (`reviewer.domain.access.ROLES`), made while
      their account was not disabled; a mark is withdrawn by its maker only; a delivery that
      finishes a release carries the key of that release.

    Before the marker only the accounts' roles and standing are followed; the marker also
    records them as they were (`roles`, `disabled`), for accounts older than the trail."""

    def __init__(self, about: str | None = None) -> None:
        # `about` a request ("request:ID"): judge its events and every event not about a
        # request (accounts, policy), and only follow other requests' (the release's reading:
        # what it rests on, without checking every other request's decisions again)
        self.about = about
        self.keys: dict[str, str] = {}  # account -> public key in force
        self.roles: dict[str, str] = {}  # account -> role (it never changes)
        self.disabled: set[str] = set()
        self.mark_makers: dict[str, str] = {}  # mark id -> who made it
        self.released: dict[tuple[str, str], str] = {}  # (releaser, version id) -> their key
        self.recipe: KeyRecipe | None = None  # set by the marker: the era began
        self.may_enroll: set[str] = set()  # accounts made before the era, not yet enrolled
        self.found: str | None = None

    @property
    def began(self) -> bool:
        return self.recipe is not None

    def event(self, e: ChainedEvent) -> None:
        if self.found is not None:
            return
        p = e.payload_object()
        if e.action == PERSONAL_KEYS_MARKER:
            self._marker(e, p)
            return
        if not self.began:
            self._standing(e, p)
            return
        if e.action not in PERSONAL_ACTIONS:
            return
        if self.about is not None and e.subject.startswith("request:") and e.subject != self.about:
            self._standing(e, p)  # another request's decision: followed, not judged again
            return
        problem = self._judge(e, p, e.subject.removeprefix("reviewer:"))
        if problem is not None:
            self.found = f"event {e.seq} ({e.action} by {e.actor}): {problem}"
            return
        self._standing(e, p)

    def _standing(self, e: ChainedEvent, p: Mapping[str, Any]) -> None:
        """An account's role (its addition) and whether it is disabled; who made each mark."""
        account = e.subject.removeprefix("reviewer:")
        if e.action == "mark":
            self.mark_makers[str(p.get("mark_id"))] = e.actor
        elif e.action == "user-add":
            self.roles[account] = str(p.get("role", ""))
        elif e.action == "user-disable":
            self.disabled.add(account)
        elif e.action == "user-enable":
            self.disabled.discard(account)

    def _marker(self, e: ChainedEvent, p: Mapping[str, Any]) -> None:
        if self.began:
            self.found = f"event {e.seq}: a second {PERSONAL_KEYS_MARKER} marker"
            return
        try:
            self.recipe = KeyRecipe.from_dict(p.get("recipe") or {})
        except (KeyError, TypeError, ValueError):
            self.found = f"event {e.seq}: the {PERSONAL_KEYS_MARKER} marker has no key recipe"
            return
        # The accounts the store held when the era began, as its rows had them then: they
        # tell the roles of accounts older than the trail only (the trail's own additions
        # say what they are: rows can be changed in SQL before the marker is written), and
        # they can only add to who is disabled.
        roles = p.get("roles")
        if isinstance(roles, Mapping):
            for name, role in roles.items():
                self.roles.setdefault(str(name), str(role))
        self.disabled |= {str(n) for n in p.get("disabled") or []}
        self.may_enroll = {str(n) for n in p.get("without_key") or [] if str(n) in self.roles}

    def _judge(self, e: ChainedEvent, p: Mapping[str, Any], account: str) -> str | None:
        new_key = p.get(PUBLIC_KEY)
        if e.action in CERTIFYING_ACTIONS and not isinstance(new_key, str):
            return "it certifies no key for the account"
        if e.action == KEY_ENROLLED:
            if e.actor != account or account not in self.may_enroll:
                return (
                    f"only an account made before personal keys enrolls its own key, once "
                    f"({account} may not)"
                )
            assert isinstance(new_key, str)
            if not signature_ok(new_key, e, p):
                return "not signed by the key it enrolls"
            self.may_enroll.discard(account)
            self.keys[account] = new_key
            return None
        if e.action == "user-add" and p.get("bootstrap") is True:
            if e.actor != BOOTSTRAP or self.roles or p.get("role") != "supervisor":
                return "only a store's first account, a supervisor, is added by nobody"
            assert isinstance(new_key, str)
            if not signature_ok(new_key, e, p):
                return "the first account's key does not sign its own addition"
            self.keys[account] = new_key
            return None
        released = self.released.get((e.actor, str(p.get("version_id"))))
        if e.action == "delivery" and released is not None:
            # A delivery finishes its release (the releaser's own, of the same version): signed
            # with the key that signed it, whatever became of the account since.
            if not signature_ok(released, e, p):
                return f"it does not carry the signature of {e.actor}'s release"
            return None
        public = self.keys.get(e.actor)
        if public is None:
            return f"{e.actor} has no key certified in the audit trail: it was not made by them"
        if not signature_ok(public, e, p):
            return (
                f"it does not carry {e.actor}'s signature (the key the audit trail certified "
                "for them): it was not made by them"
            )
        if e.actor in self.disabled:
            return f"{e.actor}'s account was disabled: it makes no decision"
        allowed = _allowed_roles(e.action, p)
        role = self.roles.get(e.actor) or "unknown"
        if allowed is not None and role not in allowed:
            return (
                f"{e.actor}'s role ({role}) does not allow it (only {', '.join(sorted(allowed))})"
            )
        if e.action == "mark-withdrawn":
            maker = self.mark_makers.get(str(p.get("mark_id")))
            if maker != e.actor:
                return (
                    f"a mark is withdrawn by the person who made it (mark {p.get('mark_id')} "
                    f"is {maker or 'nobody'}'s)"
                )
        if e.action == "release":
            self.released[(e.actor, str(p.get("version_id")))] = public
        if e.action in ("user-add", "user-reset-passphrase"):
            assert isinstance(new_key, str)
            self.keys[account] = new_key
            self.may_enroll.discard(account)
        return None


# Who may make each decision, by the access rule (`reviewer.domain.access.ROLES`): a decision
# signed by its maker's own key still fails when their role does not allow it.
_DECIDED_AS: dict[str, Action] = {
    "user-add": Action.ADMINISTER_ACCOUNTS,
    "user-reset-passphrase": Action.ADMINISTER_ACCOUNTS,
    "user-disable": Action.ADMINISTER_ACCOUNTS,
    "user-enable": Action.ADMINISTER_ACCOUNTS,
    "user-unlock": Action.ADMINISTER_ACCOUNTS,
    "policy-change": Action.CHANGE_POLICY,
    "purge": Action.PURGE,
    "release": Action.RELEASE,
    "delivery": Action.RELEASE,
    "redelivery": Action.REDELIVER,
    "rejection": Action.REJECT,
    "mark": Action.MARK,
    "mark-withdrawn": Action.MARK,
    "correction-proposed": Action.CORRECT,
    "correction-withdrawn": Action.CORRECT,
    "corrections-applied": Action.CORRECT,
}


def _allowed_roles(action: str, payload: Mapping[str, Any]) -> frozenset[str] | None:
    """The roles that may make a decision `action` (None: the rule says nothing of it)."""
    if action == "sign-off":
        stage = payload.get("stage")
        decided = Action.SIGN_SECOND if stage == "second" else Action.SIGN_FIRST
    elif action in _DECIDED_AS:
        decided = _DECIDED_AS[action]
    else:
        return None
    return frozenset(r.value for r in ROLES[decided])
