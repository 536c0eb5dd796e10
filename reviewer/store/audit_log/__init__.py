"""The audit trail in the store: append events, sign checkpoints, verify, export.

Each concern has its own module (`appending`, `checkpoint_lines`, `reading`, `verifying`,
`places`); everything the rest of the program uses is importable from here.

What the rest of the store calls (every function takes the caller's SQLAlchemy/SQLModel
`Session`; nothing here commits, the caller's transaction does)::

    from reviewer.store import audit_log

    event = audit_log.append(session, actor, action, subject, {"key": "value"})
    cp = audit_log.checkpoint(session)          # sign the current head (on release, say)
    size, head = audit_log.head(session)        # Head(size, hash)
    result = audit_log.verify(session)          # VerifyResult: ok, size, head, bad_seq, reason
    result = audit_log.verify(session, workers=os.cpu_count())   # large logs, several processes
    rows = audit_log.export_csv(session, path)
    shown = audit_log.readable(session, events)   # ReadEvent: the payload with its texts back
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

from reviewer.domain.audit import DECISION_ACTIONS, AuditError, VerifyResult
from reviewer.store.audit_log.appending import (
    AUDIT_LOCK_ID,
    CHECKPOINT_EVERY,
    Head,
    append,
    checkpoint,
    head,
    hold_head,
    latest_checkpoint,
)
from reviewer.store.audit_log.checkpoint_lines import checkpoint_line
from reviewer.store.audit_log.places import (
    CHECKPOINT_TABLE,
    EVENT_TABLE,
    TEXT_TABLE,
    checkpoint_file,
    key_dir_for,
    store_tag,
)
from reviewer.store.audit_log.reading import (
    db_checkpoints,
    events_about,
    export_csv,
    find_events,
    iter_events,
    last_event_about,
    last_event_before,
    readable,
    sealed_texts,
    signed_sizes,
    stream,
)
from reviewer.store.audit_log.verifying import verify

_stream = stream  # the store's cross-check streams its own queries the same way

__all__ = [
    "AUDIT_LOCK_ID",
    "CHECKPOINT_EVERY",
    "CHECKPOINT_TABLE",
    "DECISION_ACTIONS",
    "EVENT_TABLE",
    "TEXT_TABLE",
    "AuditError",
    "Head",
    "VerifyResult",
    "append",
    "checkpoint",
    "checkpoint_file",
    "checkpoint_line",
    "db_checkpoints",
    "events_about",
    "export_csv",
    "find_events",
    "head",
    "hold_head",
    "iter_events",
    "key_dir_for",
    "last_event_about",
    "last_event_before",
    "readable",
    "sealed_texts",
    "latest_checkpoint",
    "signed_sizes",
    "store_tag",
    "stream",
    "verify",
]
