"""Writing the chain: hold its head, append an event in the caller's transaction, and sign a
checkpoint after every decision, every `CHECKPOINT_EVERY` events, or on demand."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from reviewer.domain.audit import (
    DECISION_ACTIONS,
    GENESIS_HEX,
    AuditError,
    ChainedEvent,
    Checkpoint,
    canonical,
    load_or_create_signing_key,
    make_event,
    sign_checkpoint,
)
from reviewer.domain.audit.personal import SIGNATURE, sign, signed_bytes
from reviewer.domain.audit.sealed import new_salt, seal
from reviewer.store.audit_log.checkpoint_lines import after_commit_write, checkpoint_line
from reviewer.store.audit_log.places import (
    CHECKPOINT_TABLE,
    EVENT_TABLE,
    TEXT_TABLE,
    checkpoint_file,
    key_dir_for,
)

CHECKPOINT_EVERY = 100
# pg_advisory_xact_lock key that serialises appends on PostgreSQL (any fixed bigint will do).
AUDIT_LOCK_ID = int.from_bytes(
    hashlib.sha256(b"reviewer.audit.head").digest()[:8], "big", signed=True
)
_keys: dict[Path, Ed25519PrivateKey] = {}


class Head(NamedTuple):
    size: int
    hash: str


def hold_head(session: Session) -> None:
    """Hold the chain's head until the transaction ends (PostgreSQL: an advisory lock; SQLite
    writers are serialised by the database). A change that takes its time after this holds
    it gets a time no earlier than the event before it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_ID})
    else:  # the first statement begins the store's BEGIN IMMEDIATE: the write lock is held
        session.execute(sa.text("SELECT 1"))


def head(session: Session) -> Head:
    """The number of events and the head hash (the genesis hash for an empty log)."""
    row = session.execute(
        sa.text(f"SELECT seq, hash FROM {EVENT_TABLE} ORDER BY seq DESC LIMIT 1")
    ).first()
    if row is None:
        return Head(0, GENESIS_HEX)
    return Head(int(row[0]), str(row[1]))


def append(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    payload: Mapping[str, Any] | None = None,
    *,
    key_dir: Path | None = None,
    checkpoint_every: int = CHECKPOINT_EVERY,
    at: str | None = None,
    signer: Ed25519PrivateKey | None = None,
) -> ChainedEvent:
    """Record one event at the head of the chain; returns it as recorded. `at` is the event's
    time in the chain's format (`reviewer.domain.audit.format_at`); the store passes its
    clock's, so no time in the trail comes from anywhere else.

    The texts people typed (`reviewer.domain.audit.sealed.SEALED_FIELDS`) are sealed: the
    event records their digest, and the texts go beside it in ``audit_text`` with their salt
    and the request the event is about, in the same transaction.

    `signer` is the actor's personal key (`reviewer.domain.audit.personal`): the recorded
    payload (its texts sealed) gets the actor's signature."""
    hold_head(session)
    last = session.execute(
        sa.text(f"SELECT seq, hash, at FROM {EVENT_TABLE} ORDER BY seq DESC LIMIT 1")
    ).first()
    size, prev, prev_at = (
        (0, GENESIS_HEX, "") if last is None else (int(last[0]), str(last[1]), str(last[2]))
    )
    salt = new_salt()
    recorded, texts = seal(action, payload, salt)
    if signer is not None:
        if at is None:
            raise AuditError("a personally signed event needs its time")
        message = signed_bytes(size + 1, prev, actor, action, subject, at, recorded)
        signature = sign(signer, message)
        recorded = {**recorded, SIGNATURE: signature}
    event = make_event(size, prev, actor, action, subject, recorded, at)
    if event.at < prev_at:
        raise AuditError(
            f"the clock says {event.at}, earlier than the last audit event ({prev_at}): "
            "nothing is recorded with a time before the one it follows; set the clock right"
        )
    session.execute(
        sa.text(
            f"INSERT INTO {EVENT_TABLE} (seq, at, actor, action, subject, payload, "
            f"prev_hash, hash) VALUES (:seq, :at, :actor, :action, :subject, :payload, "
            f":prev_hash, :hash)"
        ),
        {
            "seq": event.seq,
            "at": event.at,
            "actor": event.actor,
            "action": event.action,
            "subject": event.subject,
            "payload": event.payload,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        },
    )
    if texts is not None:
        session.execute(
            sa.text(
                f"INSERT INTO {TEXT_TABLE} (seq, request_id, salt, texts) "
                "VALUES (:seq, :request_id, :salt, :texts)"
            ),
            {
                "seq": event.seq,
                "request_id": subject.removeprefix("request:"),
                "salt": salt.hex(),
                "texts": canonical(texts).decode("utf-8"),
            },
        )
    if event.action in DECISION_ACTIONS or (
        checkpoint_every > 0 and event.seq % checkpoint_every == 0
    ):
        # A decision is signed in the transaction that records it: it never sits unsigned.
        _sign_and_store(session, Head(event.seq, event.hash), key_dir, event.at)
    return event


def checkpoint(
    session: Session, key_dir: Path | None = None, at: str | None = None
) -> Checkpoint | None:
    """Sign the current head (None for an empty log); reuses a checkpoint of the same head.
    `at`: the checkpoint's time, as for `append`."""
    hold_head(session)
    current = head(session)
    if current.size == 0:
        return None
    latest = latest_checkpoint(session)
    if latest is not None and latest.size == current.size and latest.head == current.hash:
        return latest
    return _sign_and_store(session, current, key_dir, at)


def latest_checkpoint(session: Session) -> Checkpoint | None:
    row = session.execute(
        sa.text(
            f"SELECT size, head, at, signature, key_id FROM {CHECKPOINT_TABLE} "
            f"ORDER BY size DESC, id DESC LIMIT 1"
        )
    ).first()
    return None if row is None else Checkpoint(int(row[0]), *map(str, row[1:]))


def _signing_key(key_dir: Path) -> Ed25519PrivateKey:
    key = _keys.get(key_dir)
    if key is None:
        key = _keys[key_dir] = load_or_create_signing_key(key_dir)
    return key


def _sign_and_store(
    session: Session, at_head: Head, key_dir: Path | None, at: str | None
) -> Checkpoint:
    directory = key_dir if key_dir is not None else key_dir_for(session)
    cp = sign_checkpoint(_signing_key(directory), at_head.size, at_head.hash, at)
    session.execute(
        sa.text(
            f"INSERT INTO {CHECKPOINT_TABLE} (size, head, at, signature, key_id) "
            f"VALUES (:size, :head, :at, :signature, :key_id)"
        ),
        cp.to_dict(),
    )
    after_commit_write(session, checkpoint_file(directory), checkpoint_line(session, cp))
    return cp
