"""Reading the stored trail: rows streamed in order straight from the driver, the events about
one subject, the checkpoint rows, and the CSV from which an auditor recomputes the chain."""

from __future__ import annotations

import csv
import itertools
import json
import os
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from reviewer.domain.audit import AuditError, ChainedEvent, Checkpoint
from reviewer.domain.audit.sealed import ReadEvent, unseal
from reviewer.store.audit_log.places import (
    CHECKPOINT_TABLE,
    EVENT_TABLE,
    SELECT_EVENTS,
    TEXT_TABLE,
)

STREAM_BATCH = 20_000
CSV_COLUMNS = ("seq", "at", "actor", "action", "subject", "payload", "prev_hash", "hash")
# The export's last column: the texts an event seals, with their salt, as JSON (empty when it
# seals none or they were purged), so an auditor can check them against the seal too.
TEXTS_COLUMN = "sealed_texts"

_CURSORS = itertools.count()


def stream(session: Session, sql: str) -> Generator[Any, None, None]:
    """Rows of `sql` straight from the driver, in batches (a server-side cursor on PostgreSQL;
    several may be open at once)."""
    yield from driver_rows(session.connection(), sql)


def driver_rows(conn: sa.Connection, sql: str) -> Generator[Any, None, None]:
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    if conn.dialect.name == "postgresql":
        cursor = dbapi.cursor(name=f"reviewer_audit_{os.getpid()}_{next(_CURSORS)}")
    else:
        cursor = dbapi.cursor()
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(STREAM_BATCH):
            yield from batch
    finally:
        cursor.close()


def iter_events(session: Session, after_seq: int = 0) -> Iterator[ChainedEvent]:
    """Events in order, from `after_seq` + 1."""
    for row in stream(session, f"{SELECT_EVENTS} WHERE seq > {int(after_seq)} ORDER BY seq"):
        yield ChainedEvent(*row)


def db_checkpoints(session: Session) -> list[Checkpoint]:
    """Every checkpoint row (their signatures are `verify`'s to check)."""
    rows = session.execute(
        sa.text(f"SELECT size, head, at, signature, key_id FROM {CHECKPOINT_TABLE}")
    ).all()
    return [Checkpoint(int(r[0]), *map(str, r[1:])) for r in rows]


def export_csv(session: Session, path: Path) -> int:
    """Write every event as CSV (one row per event, fields exactly as stored and hashed, so an
    auditor can recompute the chain from the file, then the sealed texts with their salt as
    JSON); returns the number of events. Written the
    store's one safe way (`reviewer.store.files.replacing`): a link, a pipe or a device is
    refused, and a failed write leaves the old file as it was."""
    from reviewer.store.files import TargetRefused, replacing

    count = 0
    try:
        with replacing(Path(path)) as handle:
            writer = csv.writer(handle)
            writer.writerow((*CSV_COLUMNS, TEXTS_COLUMN))
            sql = (
                "SELECT e.seq, e.at, e.actor, e.action, e.subject, e.payload, e.prev_hash, "
                f"e.hash, t.salt, t.texts FROM {EVENT_TABLE} e "
                f"LEFT JOIN {TEXT_TABLE} t ON t.seq = e.seq ORDER BY e.seq"
            )
            for *row, salt, texts in stream(session, sql):
                sealed = "" if texts is None else f'{{"salt":"{salt}","texts":{texts}}}'
                writer.writerow((*row, sealed))
                count += 1
    except TargetRefused as exc:
        raise AuditError(str(exc)) from None
    return count


def sealed_texts(session: Session, seqs: Sequence[int]) -> dict[int, tuple[bytes, dict[str, Any]]]:
    """The texts sealed by the events `seqs` that are still kept: seq -> (salt, texts)."""
    out: dict[int, tuple[bytes, dict[str, Any]]] = {}
    for start in range(0, len(seqs), 500):
        rows = session.execute(
            sa.text(f"SELECT seq, salt, texts FROM {TEXT_TABLE} WHERE seq IN :seqs").bindparams(
                sa.bindparam("seqs", expanding=True)
            ),
            {"seqs": [int(q) for q in seqs[start : start + 500]]},
        ).all()
        for seq, salt, texts in rows:
            try:
                parsed = json.loads(texts)
                out[int(seq)] = (
                    bytes.fromhex(str(salt)),
                    parsed if isinstance(parsed, dict) else {},
                )
            except ValueError:
                continue  # not what the store wrote: reads as purged, the cross-check names it
    return out


def readable(session: Session, events: Sequence[ChainedEvent]) -> list[ReadEvent]:
    """`events` for people to read: each payload with its sealed texts put back."""
    texts = sealed_texts(session, [e.seq for e in events if '"sealed":' in e.payload])
    out = []
    for e in events:
        try:
            data = e.data
        except ValueError:
            data = {}
        salt, kept = texts.get(e.seq, (None, None))
        out.append(ReadEvent(e, unseal(data, salt, kept) if isinstance(data, dict) else {}))
    return out


def events_about(session: Session, subject: str) -> list[ChainedEvent]:
    """Every event about `subject` (``request:ID``, ``reviewer:NAME``), in order."""
    rows = session.execute(
        sa.text(f"{SELECT_EVENTS} WHERE subject = :subject ORDER BY seq"), {"subject": subject}
    ).all()
    return [ChainedEvent(*row) for row in rows]


def find_events(
    session: Session,
    *,
    about: str = "",
    actor: str = "",
    action: str = "",
    since: str = "",
    until: str = "",
    limit: int = 1000,
) -> list[ChainedEvent]:
    """The newest `limit` events that match every filter given: `about` appears in the subject
    or the payload (a request id, a member), `actor` and `action` exactly, `since` / `until`
    as ISO dates or times compared with the recorded time (``until`` a date: to its end)."""
    where, params = [], {"limit": int(limit)}
    if about:
        where.append(
            "(subject LIKE :about ESCAPE '\\' OR payload LIKE :about ESCAPE '\\' OR seq IN "
            f"(SELECT seq FROM {TEXT_TABLE} WHERE texts LIKE :about ESCAPE '\\'))"
        )
        escaped = about.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params["about"] = f"%{escaped}%"  # type: ignore[assignment]
    if actor:
        where.append("actor = :actor")
        params["actor"] = actor  # type: ignore[assignment]
    if action:
        where.append("action = :action")
        params["action"] = action  # type: ignore[assignment]
    if since:
        where.append("at >= :since")
        params["since"] = since  # type: ignore[assignment]
    if until:
        where.append("at <= :until")
        params["until"] = until + ("T99" if len(until) == 10 else "")  # type: ignore[assignment]
    sql = SELECT_EVENTS + (" WHERE " + " AND ".join(where) if where else "")
    rows = session.execute(sa.text(f"{sql} ORDER BY seq DESC LIMIT :limit"), params).all()
    return [ChainedEvent(*row) for row in rows]


def last_event_about(session: Session, subject: str, actions: Sequence[str]) -> ChainedEvent | None:
    """The latest event about `subject` whose action is one of `actions`."""
    row = session.execute(
        sa.text(
            f"{SELECT_EVENTS} WHERE subject = :subject AND action IN :actions "
            "ORDER BY seq DESC LIMIT 1"
        ).bindparams(sa.bindparam("actions", expanding=True)),
        {"subject": subject, "actions": list(actions)},
    ).first()
    return None if row is None else ChainedEvent(*row)


def last_event_before(session: Session, action: str, seq: int) -> ChainedEvent | None:
    """The latest `action` event before event `seq`."""
    row = session.execute(
        sa.text(f"{SELECT_EVENTS} WHERE action = :action AND seq < :seq ORDER BY seq DESC LIMIT 1"),
        {"action": action, "seq": seq},
    ).first()
    return None if row is None else ChainedEvent(*row)


def signed_sizes(session: Session, sizes: Sequence[int]) -> set[int]:
    """Which of `sizes` a checkpoint row covers exactly (its signature is `verify`'s to check)."""
    if not sizes:
        return set()
    rows = session.execute(
        sa.text(f"SELECT DISTINCT size FROM {CHECKPOINT_TABLE} WHERE size IN :sizes").bindparams(
            sa.bindparam("sizes", expanding=True)
        ),
        {"sizes": list(sizes)},
    ).all()
    return {int(r[0]) for r in rows}
