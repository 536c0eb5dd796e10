"""The audit trail in the store: append events, sign checkpoints, verify, export.

What the rest of the store calls (every function takes the caller's SQLAlchemy/SQLModel
`Session`; nothing here commits, the caller's transaction does)::

    from reviewer.store import audit_log

    event = audit_log.append(session, actor, action, subject, {"key": "value"})
    cp = audit_log.checkpoint(session)          # sign the current head (on release, say)
    size, head = audit_log.head(session)        # Head(size, hash)
    result = audit_log.verify(session)          # VerifyResult: ok, size, head, bad_seq, reason
    result = audit_log.verify(session, workers=os.cpu_count())   # large logs, several processes
    rows = audit_log.export_csv(session, path)
    for event in audit_log.iter_events(session, after_seq=0): ...   # ChainedEvent, in order

- `append` must run inside a write transaction: on SQLite the engine's ``BEGIN IMMEDIATE``
  (`reviewer.store.engine`) already holds the write lock; on PostgreSQL `append` takes
  ``pg_advisory_xact_lock(AUDIT_LOCK_ID)`` until the transaction ends. Either way concurrent
  writers form one chain. Call it in the same transaction as the change it records, so the
  event and the change commit (or vanish) together.
- Payload keys naming a secret (passphrase, password, secret ...) are refused with
  `AuditError`, never recorded; record the fact ("passphrase checked"), never the value.
- `append` signs a checkpoint after every decision (`reviewer.domain.audit.DECISION_ACTIONS`:
  sign-offs, rejections, releases and deliveries, account and policy changes, lockouts) and
  every `CHECKPOINT_EVERY` events; `checkpoint` signs one on demand (the release calls it and
  puts the result in the receipt). An event whose time is earlier than the head's is refused
  (`AuditError`). A checkpoint is stored in the
  ``audit_checkpoint`` table and, once the transaction commits, appended to the checkpoint
  file (`reviewer.store.paths.checkpoint_path`) beside the signing key: for a SQLite store the
  database file's directory, otherwise the user data dir. A line is written only after commit,
  so a rolled-back transaction never leaves a checkpoint the database lacks.
- `verify` reads the checkpoint file first, then the database, so call it in a fresh
  transaction; on SQLite pass a session on a connection opened with
  ``execution_options(**reviewer.store.engine.READONLY)`` so a long verify does not hold the
  write lock.
- `key_dir` arguments default to `reviewer.store.paths.key_dir` of the session's database.
  Checkpoint file lines carry a ``store`` tag (the SQLite file name, or host:port/database), so
  several stores may share one key dir.

Trust model. A checkpoint is evidence only because its signing key never lives in the database:
whoever can rewrite the rows cannot sign a new head. Each terminal keeps its own Ed25519 key pair
in its key dir (``audit-signing.key``, mode 0600, and ``audit-signing.pub``) and signs the
checkpoints its own actions cause. `verify` trusts exactly the public keys it finds in the key
dir it reads: every ``audit-signing*.pub`` there. So a key dir this code creates is 0700 and the
key files and the checkpoint file in it 0600, whatever the umask (`reviewer.domain.private`); a
folder you made yourself keeps its mode, so keep it yours alone.

- One terminal (a SQLite store, or a single PostgreSQL client): nothing to set up; the key pair
  is created on first use beside the store (SQLite) or in the user data dir (PostgreSQL).
- Team mode (one PostgreSQL store, reviewers at several terminals): the checkpoints in the
  database are signed by several keys. Copy each terminal's ``audit-signing.pub`` into every
  other terminal's key dir (and the auditor's) as ``audit-signing-<name>.pub``, ``<name>``
  naming the terminal (``audit-signing-desk2.pub``). Until then `verify` on one terminal
  reports the other terminals' checkpoints as signed by an untrusted key and fails. Copy public
  keys over a channel you trust (compare ``sha256sum`` of the file at both ends), never the
  ``.key`` file: a private key that leaves its terminal lets its holder sign any head.
- Each terminal's checkpoint file holds the checkpoints it signed; the database holds all of
  them. Keep the key dirs out of the database server's reach (another host or account), or
  the checkpoints prove nothing against its administrator.
- `verify` never raises for tampering: a bad chain, checkpoint or checkpoint file is a
  `VerifyResult` with ``ok=False``; ``bad_seq`` is None only when the checkpoint file or a
  public key file itself is unreadable. Database errors propagate.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import itertools
import json
import logging
import multiprocessing
import os
import threading
from collections.abc import Generator, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from reviewer.domain.audit import (
    DECISION_ACTIONS,
    GENESIS_HEX,
    AuditError,
    ChainedEvent,
    CheckedCheckpoints,
    Checkpoint,
    Segment,
    VerifyResult,
    canonical,
    check_checkpoints,
    distinct_checkpoints,
    judge,
    load_or_create_signing_key,
    load_trusted_keys,
    make_event,
    merge_checked,
    parse_checkpoint_lines,
    sign_checkpoint,
    walk_segment,
)
from reviewer.domain.private import make_private_dir, open_private_new
from reviewer.store import paths

__all__ = [
    "AUDIT_LOCK_ID",
    "CHECKPOINT_EVERY",
    "AuditError",
    "Head",
    "VerifyResult",
    "append",
    "checkpoint",
    "checkpoint_file",
    "checkpoint_line",
    "export_csv",
    "head",
    "iter_events",
    "key_dir_for",
    "latest_checkpoint",
    "store_tag",
    "verify",
]

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 100
# The table names of `reviewer.store.audit_tables` (not imported here: verifying needs no ORM).
EVENT_TABLE = "audit_event"
CHECKPOINT_TABLE = "audit_checkpoint"
# pg_advisory_xact_lock key that serialises appends on PostgreSQL (any fixed bigint will do).
AUDIT_LOCK_ID = int.from_bytes(
    hashlib.sha256(b"reviewer.audit.head").digest()[:8], "big", signed=True
)
STREAM_BATCH = 20_000
PARALLEL_MIN_EVENTS = 100_000  # below this, worker processes cost more than they save
CSV_COLUMNS = ("seq", "at", "actor", "action", "subject", "payload", "prev_hash", "hash")

_SELECT_EVENTS = (
    f"SELECT seq, at, actor, action, subject, payload, prev_hash, hash FROM {EVENT_TABLE}"
)
_PENDING = "reviewer.audit.pending_lines"
_HOOKED = "reviewer.audit.hooked"
_keys: dict[Path, Ed25519PrivateKey] = {}


class Head(NamedTuple):
    size: int
    hash: str


# ---------------------------------------------------------------------------------------------
# Where things live


def _url(session: Session) -> sa.URL:
    return session.get_bind().engine.url


def key_dir_for(session: Session) -> Path:
    """The directory holding the signing key and the checkpoint file for this store."""
    url = _url(session)
    if (
        url.get_backend_name() == "sqlite"
        and paths.sqlite_file(url.render_as_string(hide_password=False)) is None
    ):
        raise AuditError("an in-memory store has no place for its audit key; give a key dir")
    return paths.key_dir(url.render_as_string(hide_password=False))


def store_tag(session: Session) -> str:
    """Names this database in the checkpoint file, which several stores may share."""
    url = _url(session)
    if url.get_backend_name() == "sqlite":
        return Path(url.database or ":memory:").name
    return f"{url.get_backend_name()}://{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def checkpoint_file(key_dir: Path) -> Path:
    return key_dir / paths.CHECKPOINT_FILE


# ---------------------------------------------------------------------------------------------
# Writing


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
) -> ChainedEvent:
    """Record one event at the head of the chain; returns it as recorded. `at` is the event's
    time in the chain's format (`reviewer.domain.audit.format_at`); the store passes its
    clock's, so no time in the trail comes from anywhere else."""
    hold_head(session)
    last = session.execute(
        sa.text(f"SELECT seq, hash, at FROM {EVENT_TABLE} ORDER BY seq DESC LIMIT 1")
    ).first()
    size, prev, prev_at = (
        (0, GENESIS_HEX, "") if last is None else (int(last[0]), str(last[1]), str(last[2]))
    )
    event = make_event(size, prev, actor, action, subject, payload, at)
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
    _after_commit_write(session, checkpoint_file(directory), checkpoint_line(session, cp))
    return cp


def checkpoint_line(session: Session, cp: Checkpoint) -> str:
    """The checkpoint file's line for `cp` (tagged with this store)."""
    return canonical({**cp.to_dict(), "store": store_tag(session)}).decode("utf-8") + "\n"


def _after_commit_write(session: Session, path: Path, line: str) -> None:
    session.info.setdefault(_PENDING, []).append((path, line))
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        sa_event.listen(session, "after_commit", _write_pending)
        sa_event.listen(session, "after_rollback", _drop_pending)


def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _write_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None) or []
    for path, line in pending:
        try:
            fd = _open_checkpoint_file(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                _drop_torn_tail(fd)
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:  # the database copy stands; the file is the outside witness
            log.warning("could not append the audit checkpoint to %s: %s", path, exc.strerror)


def _open_checkpoint_file(path: Path) -> int:
    """The checkpoint file open for appending; created 0600 (its folder 0700) if missing. An
    existing file keeps its mode."""
    make_private_dir(path.parent)
    try:
        return open_private_new(path, os.O_RDWR | os.O_APPEND)
    except FileExistsError:
        return os.open(path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)


def _drop_torn_tail(fd: int) -> None:
    """Cut an unterminated last line: only a write cut short by a crash leaves one (every line
    is written whole, under the file lock), so the next line starts on a line of its own."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    start = max(size - 65536, 0)
    tail = os.pread(fd, size - start, start)
    cut = tail.rfind(b"\n")
    os.ftruncate(fd, start + cut + 1 if cut >= 0 else start)


# ---------------------------------------------------------------------------------------------
# Reading


def _stream(session: Session, sql: str) -> Generator[Any, None, None]:
    """Rows of `sql` straight from the driver, in batches (a server-side cursor on PostgreSQL;
    several may be open at once)."""
    yield from _driver_rows(session.connection(), sql)


_CURSORS = itertools.count()


def _driver_rows(conn: sa.Connection, sql: str) -> Generator[Any, None, None]:
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
    for row in _stream(session, f"{_SELECT_EVENTS} WHERE seq > {int(after_seq)} ORDER BY seq"):
        yield ChainedEvent(*row)


def _db_checkpoints(session: Session) -> list[Checkpoint]:
    rows = session.execute(
        sa.text(f"SELECT size, head, at, signature, key_id FROM {CHECKPOINT_TABLE}")
    ).all()
    return [Checkpoint(int(r[0]), *map(str, r[1:])) for r in rows]


def _file_checkpoints(path: Path, tag: str, *, witness: bool = False) -> list[Checkpoint]:
    """The checkpoints of the store tagged `tag` in a checkpoint file. A `witness` (another
    terminal's file, handed to the auditor) must exist and hold some of this store's."""
    try:
        with open(path, encoding="utf-8", errors="strict", newline="\n") as handle:
            text = handle.read()
    except FileNotFoundError:
        if witness:
            raise AuditError(f"no witness file {path}") from None
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditError(f"cannot read the checkpoint file {path}: {exc}") from None
    lines = text.split("\n")
    torn = lines.pop()  # "" when the file ends with a newline, as every whole write does
    if torn:
        try:
            json.loads(torn)
            lines.append(torn)
        except ValueError:
            pass  # a line cut short by a crash; the next write removes it
    mine: list[str] = []
    others: set[str] = set()
    for line in lines:
        try:
            store = json.loads(line).get("store") if line.strip() else None
        except (ValueError, AttributeError):
            store = tag  # unreadable: let the parser name the line
        if store == tag:
            mine.append(line)
        else:
            mine.append("")  # keeps line numbers right
            if isinstance(store, str):
                others.add(store)
    found = parse_checkpoint_lines(mine, str(path))
    if witness and not found:
        named = ", ".join(sorted(others)) or "none"
        raise AuditError(
            f"the witness file {path} holds no checkpoint of this store ({tag}); it names: {named}"
        )
    return found


def verify(
    session: Session,
    key_dir: Path | None = None,
    *,
    workers: int = 1,
    checkpoint_every: int = CHECKPOINT_EVERY,
    witnesses: Sequence[Path] = (),
) -> VerifyResult:
    """Walk the whole chain and check every checkpoint, from the database, the key dir's file
    and every `witnesses` file (other terminals' checkpoint files, collected by the auditor: a
    store cut back behind any checkpoint a witness holds fails here, even when its own
    checkpoint rows were cut with it).

    With `workers` > 1 and a large log on a file or server database, the chain is split into
    that many runs checked by worker processes (each on its own connection, so only committed
    events are seen); the runs are then linked end to end, exactly as one walk would be.
    `checkpoint_every`: the period `append` signs at; a checkpoint missing at a multiple of it
    is reported as removed (0 turns the rule off).
    """
    directory = key_dir if key_dir is not None else key_dir_for(session)
    try:
        tag = store_tag(session)
        from_file = _file_checkpoints(checkpoint_file(directory), tag)
        for witness in witnesses:
            from_file += _file_checkpoints(Path(witness), tag, witness=True)
        trusted = load_trusted_keys(directory)
    except AuditError as exc:  # a damaged witness is itself a finding, not a crash
        size, current = head(session)
        return VerifyResult(False, size, current, reason=str(exc))
    checkpoints = distinct_checkpoints(from_file + _db_checkpoints(session))
    url = _url(session)
    if workers > 1 and (
        url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")
    ):
        size = head(session).size
        if size >= PARALLEL_MIN_EVENTS:
            return _verify_parallel(
                url.render_as_string(hide_password=False),
                size,
                checkpoints,
                directory,
                workers,
                checkpoint_every,
            )
    checked = check_checkpoints(checkpoints, trusted)
    rows = _stream(session, f"{_SELECT_EVENTS} ORDER BY seq")
    return judge([walk_segment(rows, 1, GENESIS_HEX, checked.valid)], checked, checkpoint_every)


def _verify_parallel(
    url: str,
    size: int,
    checkpoints: list[Checkpoint],
    key_dir: Path,
    workers: int,
    checkpoint_every: int,
) -> VerifyResult:
    step = -(-size // workers)
    ranges = [(lo, min(lo + step - 1, size)) for lo in range(1, size + 1, step)]
    sizes = sorted({cp.size for cp in checkpoints})
    # fork is quickest, but only safe while this process runs a single thread (the CLI);
    # from a threaded program (the terminal app) the workers start clean instead.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        method = "fork"
    else:
        method = "forkserver" if "forkserver" in methods else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=len(ranges), mp_context=context) as pool:
        futures = [
            pool.submit(
                _verify_part,
                url,
                lo,
                hi,
                [s for s in sizes if lo <= s <= hi],
                str(key_dir),
                checkpoints[index :: len(ranges)],
            )
            for index, (lo, hi) in enumerate(ranges)
        ]
        parts = [future.result() for future in futures]
    return judge(
        [seg for seg, _ in parts], merge_checked(checked for _, checked in parts), checkpoint_every
    )


def _verify_part(
    url: str, lo: int, hi: int, want: list[int], key_dir: str, checkpoints: list[Checkpoint]
) -> tuple[Segment, CheckedCheckpoints]:
    """One worker's share: events lo..hi and a slice of the checkpoints' signatures."""
    from reviewer.store.engine import READONLY, make_engine

    try:
        checked = check_checkpoints(checkpoints, load_trusted_keys(Path(key_dir)))
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                conn.execution_options(**READONLY)
                conn.begin()
                rows = _driver_rows(
                    conn, f"{_SELECT_EVENTS} WHERE seq BETWEEN {int(lo)} AND {int(hi)} ORDER BY seq"
                )
                segment = walk_segment(
                    rows, lo, GENESIS_HEX if lo == 1 else None, set(want), last_seq=hi
                )
        finally:
            engine.dispose()
    except AuditError:
        raise
    except Exception as exc:  # noqa: BLE001 - crosses a process boundary as plain text
        raise AuditError(f"cannot read the audit trail: {type(exc).__name__}: {exc}") from None
    return segment, checked


def export_csv(session: Session, path: Path) -> int:
    """Write every event as CSV (one row per event, fields exactly as stored and hashed, so an
    auditor can recompute the chain from the file); returns the number of events. Written the
    store's one safe way (`reviewer.store.files.replacing`): a link, a pipe or a device is
    refused, and a failed write leaves the old file as it was."""
    from reviewer.store.files import TargetRefused, replacing

    count = 0
    try:
        with replacing(Path(path)) as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for row in _stream(session, f"{_SELECT_EVENTS} ORDER BY seq"):
                writer.writerow(row)
                count += 1
    except TargetRefused as exc:
        raise AuditError(str(exc)) from None
    return count


def events_about(session: Session, subject: str) -> list[ChainedEvent]:
    """Every event about `subject` (``request:ID``, ``reviewer:NAME``), in order."""
    rows = session.execute(
        sa.text(f"{_SELECT_EVENTS} WHERE subject = :subject ORDER BY seq"), {"subject": subject}
    ).all()
    return [ChainedEvent(*row) for row in rows]


def last_event_before(session: Session, action: str, seq: int) -> ChainedEvent | None:
    """The latest `action` event before event `seq`."""
    row = session.execute(
        sa.text(
            f"{_SELECT_EVENTS} WHERE action = :action AND seq < :seq ORDER BY seq DESC LIMIT 1"
        ),
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
