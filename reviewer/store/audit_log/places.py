"""Where a store's audit trail lives: its table names, the key dir and checkpoint file for the
session's database, and the tag that names the store in that file."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from reviewer.domain.audit import AuditError
from reviewer.store import paths

# The table names of `reviewer.store.audit_tables` (not imported here: verifying needs no ORM).
EVENT_TABLE = "audit_event"
CHECKPOINT_TABLE = "audit_checkpoint"
TEXT_TABLE = "audit_text"
SELECT_EVENTS = (
    f"SELECT seq, at, actor, action, subject, payload, prev_hash, hash FROM {EVENT_TABLE}"
)


def url_of(session: Session) -> sa.URL:
    return session.get_bind().engine.url


def key_dir_for(session: Session) -> Path:
    """The directory holding the signing key and the checkpoint file for this store."""
    url = url_of(session)
    if (
        url.get_backend_name() == "sqlite"
        and paths.sqlite_file(url.render_as_string(hide_password=False)) is None
    ):
        raise AuditError("an in-memory store has no place for its audit key; give a key dir")
    return paths.key_dir(url.render_as_string(hide_password=False))


def store_tag(session: Session) -> str:
    """Names this database in the checkpoint file, which several stores may share."""
    url = url_of(session)
    if url.get_backend_name() == "sqlite":
        return Path(url.database or ":memory:").name
    return f"{url.get_backend_name()}://{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def checkpoint_file(key_dir: Path) -> Path:
    return key_dir / paths.CHECKPOINT_FILE
