"""The review service's bridge to the audit trail (`reviewer.store.audit_log`).

Every action the service takes calls `append` inside the same transaction as the change it
records, so the change and its event commit or vanish together. Events and checkpoints carry
the time the service stamps the change with (`at`: the server's clock on PostgreSQL, the
service's on SQLite), taken once the chain's head is held (`hold_head`).

Decisions carry their maker's personal signature (`reviewer.domain.audit.personal`): the
service names whose key signs in a transaction with `sign_as` (`People.acting` does it for the
session it answers for), and `append` signs every event of that person in it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine
from sqlmodel import Session

from reviewer.domain.audit import format_at
from reviewer.store import audit_log
from reviewer.store.engine import READONLY
from reviewer.store.views import AuditStatus

_SIGNER = "reviewer.personal_signer"


def sign_as(session: Session, name: str, key: Ed25519PrivateKey | None) -> None:
    """Sign `name`'s events in this transaction with `key` (their personal key; None: the
    session holds none, and their events go unsigned, which verify and the release refuse)."""
    if key is not None:
        session.info[_SIGNER] = (name, key)


def append(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    payload: dict[str, Any],
    *,
    at: datetime,
) -> None:
    who = session.info.get(_SIGNER)
    signer = who[1] if who is not None and who[0] == actor else None
    audit_log.append(session, actor, action, subject, payload, at=format_at(at), signer=signer)


def hold_head(session: Session) -> None:
    audit_log.hold_head(session)


def head(session: Session) -> tuple[int, str]:
    h = audit_log.head(session)
    return h.size, h.hash


def checkpoint(session: Session, key_dir: Path, *, at: datetime) -> dict[str, Any] | None:
    """Sign a checkpoint over the current head (inside the caller's transaction)."""
    cp = audit_log.checkpoint(session, key_dir, format_at(at))
    return None if cp is None else cp.to_dict()


def status(engine: Engine, key_dir: Path) -> AuditStatus:
    from reviewer.store.crosscheck import cross_check

    with Session(engine.execution_options(**READONLY)) as s, s.begin():
        result = audit_log.verify(s, key_dir)
        disagreement = cross_check(s) if result.ok else None
    if disagreement is not None:
        return AuditStatus(ok=False, events=result.size, head=result.head, message=disagreement)
    if result.ok:
        message = f"chain verifies: {result.size} events, {result.checkpoints} signed checkpoints"
    elif result.bad_seq is not None:
        message = f"event {result.bad_seq}: {result.reason}"
    else:
        message = str(result.reason)
    return AuditStatus(ok=result.ok, events=result.size, head=result.head, message=message)
