"""Sealed texts: what people typed, kept beside the chain so a purge can remove it.

The chain is append-only and its hashes cover every byte of an event, so a text recorded in an
event stays as long as the chain. What reviewers write when they act (a sign-off's note and
acknowledgements, a mark's note, a correction's target text and note, the reason for a clock
change or a redelivery, a hand-over note) often names the people the request is about. So an
event does not hold those texts: its payload carries a seal instead, and the texts are stored
beside the chain (the store's ``audit_text`` table), one row per event, with the salt::

    payload  {"version_id": 7, ..., "sealed": {"fields": ["note"], "sha256": H}}
    beside   salt S (32 random bytes), texts {"note": "the voice is Barnaby's"}
    H = sha256(S || canonical(texts))

Readers put the texts back (`unseal`), and the store's cross-check proves the texts beside an
event are the ones it sealed. When a request is purged its texts and salts are deleted: the
event keeps only H, which (with the salt gone) says nothing about what was written, and reads
back as ``(purged)``. The chain verifies as before, since no event byte changed.

Which fields are sealed is decided here, per action (`SEALED_FIELDS`); an empty text is not
sealed (nothing to remove).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reviewer.domain.audit.chain import ChainedEvent, canonical

SEAL_KEY = "sealed"
SALT_BYTES = 32
PURGED_TEXT = "(purged)"

_SIGNED = ("note", "acknowledged", "sampling_statement")
SEALED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "sign-off": _SIGNED,
    "rejection": _SIGNED,
    "mark": ("note",),
    "correction-proposed": ("target", "note"),
    "clock-change": ("reason",),
    "claim": ("note",),
    "claim-assign": ("note",),
    "claim-handover": ("note",),
    "delivery": ("reason",),
    "redelivery": ("reason",),
}


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def texts_digest(salt: bytes, texts: Mapping[str, Any]) -> str:
    """SHA-256 of the salt and the canonical JSON of the texts, as lowercase hex."""
    return hashlib.sha256(salt + canonical(dict(texts))).hexdigest()


def seal(
    action: str, payload: Mapping[str, Any] | None, salt: bytes
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The payload to record (its free texts replaced by a seal) and the texts taken out of it,
    or the payload unchanged and None when the action has none (or they are all empty)."""
    data = dict(payload or {})
    texts = {
        k: data[k] for k in SEALED_FIELDS.get(action, ()) if data.get(k) not in (None, "", {}, [])
    }
    if not texts or SEAL_KEY in data:
        return data, None
    for k in texts:
        del data[k]
    data[SEAL_KEY] = {"fields": sorted(texts), "sha256": texts_digest(salt, texts)}
    return data, texts


def seal_of(payload: Mapping[str, Any]) -> tuple[list[str], str] | None:
    """The sealed field names and digest a recorded payload carries, or None."""
    sealed = payload.get(SEAL_KEY)
    if not isinstance(sealed, Mapping):
        return None
    fields, digest = sealed.get("fields"), sealed.get("sha256")
    if not isinstance(fields, list) or not isinstance(digest, str):
        return None
    return [str(f) for f in fields], digest


def unseal(
    payload: Mapping[str, Any], salt: bytes | None, texts: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The payload as it was written: the sealed texts put back when they are there and match
    the seal, otherwise each sealed field reads ``(purged)``."""
    data = dict(payload)
    seal_ = seal_of(data)
    if seal_ is None:
        return data
    fields, digest = seal_
    del data[SEAL_KEY]
    intact = salt is not None and texts is not None and texts_digest(salt, texts) == digest
    for f in fields:
        data[f] = texts.get(f, PURGED_TEXT) if intact and texts is not None else PURGED_TEXT
    return data


def texts_match(payload: Mapping[str, Any], salt: bytes, texts: Mapping[str, Any]) -> bool:
    """Whether `texts` (with `salt`) are the ones `payload`'s seal was made from."""
    seal_ = seal_of(payload)
    return seal_ is not None and sorted(texts) == seal_[0] and texts_digest(salt, texts) == seal_[1]


@dataclass(frozen=True, slots=True)
class ReadEvent:
    """An event for people to read: as the chain recorded it (`event`, whose payload carries the
    seal), and its payload as it was written (`data`: the sealed texts put back, or
    ``(purged)`` where they were removed)."""

    event: ChainedEvent
    data: dict[str, Any]

    @property
    def seq(self) -> int:
        return self.event.seq

    @property
    def at(self) -> str:
        return self.event.at

    @property
    def actor(self) -> str:
        return self.event.actor

    @property
    def action(self) -> str:
        return self.event.action

    @property
    def subject(self) -> str:
        return self.event.subject

    @property
    def hash(self) -> str:
        return self.event.hash

    @property
    def purged(self) -> bool:
        """Whether texts sealed in this event were removed by a purge."""
        seal_ = seal_of(self.event.data)
        return seal_ is not None and any(self.data.get(f) == PURGED_TEXT for f in seal_[0])
