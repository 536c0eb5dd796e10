"""The review service's bridge to the audit trail (`reviewer.store.audit_log`).

Every action the service takes calls `append` inside the same transaction as the change it
records, so the change and its event commit or vanish together. Events and checkpoints carry
the time the service stamps the change with (`at`: the server's clock on PostgreSQL, the
service's on SQLite), taken once the chain's head is held (`hold_head`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from reviewer.domain.audit import format_at
from reviewer.store import audit_log
from reviewer.store.engine import READONLY
from reviewer.store.views import AuditStatus


def append(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    payload: dict[str, Any],
    *,
    at: datetime,
) -> None:
    audit_log.append(session, actor, action, subject, payload, at=format_at(at))


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
