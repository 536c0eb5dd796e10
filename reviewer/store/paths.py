"""Where the store and its audit key live.

- The database: `--db URL`, else `$REVIEWER_DB`, else SQLite at
  ``platformdirs.user_data_dir("dsar-reviewer")/reviewer.db``.
- The audit signing key and the checkpoint file are kept apart from the database's rows: for a
  SQLite store, beside the database file; for PostgreSQL, in ``$REVIEWER_HOME`` if set, else
  the user data dir.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

APP_NAME = "dsar-reviewer"
DB_FILE = "reviewer.db"
AUDIT_KEY_FILE = "audit-signing.key"
CHECKPOINT_FILE = "audit-checkpoints.jsonl"


def data_dir() -> Path:
    home = os.environ.get("REVIEWER_HOME")
    if home:
        return Path(home)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def default_url() -> str:
    return f"sqlite:///{data_dir() / DB_FILE}"


def resolve_url(url: str | None) -> str:
    """The store URL to use: the argument, else $REVIEWER_DB, else the default SQLite file.

    A bare path is taken as a SQLite file; ``postgresql://`` uses psycopg 3.
    """
    url = url or os.environ.get("REVIEWER_DB") or default_url()
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for an in-memory store or another backend)."""
    if not is_sqlite(url):
        return None
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


def key_dir(url: str) -> Path:
    """Where the audit key and the checkpoint file live for the store at `url`."""
    file = sqlite_file(resolve_url(url))
    if file is not None:
        return file.parent
    return data_dir()


def audit_key_path(url: str) -> Path:
    return key_dir(url) / AUDIT_KEY_FILE


def checkpoint_path(url: str) -> Path:
    return key_dir(url) / CHECKPOINT_FILE
