"""Where the store and its audit key live.

- The database: `--db URL`, else `$REVIEWER_DB`, else SQLite at
  ``platformdirs.user_data_dir("dsar-reviewer")/reviewer.db``. A URL is ``sqlite:///PATH``
  or ``postgresql://USER@HOST/DB`` (psycopg 3); a plain path, with no ``://``, is a SQLite
  file. Anything else (another database, an in-memory SQLite store that would keep nothing) is
  refused with :class:`StoreUrlError`.
- The audit signing key and the checkpoint file are kept apart from the database's rows: for a
  SQLite store, beside the database file; for PostgreSQL, in ``$REVIEWER_HOME`` if set, else
  the user data dir.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from reviewer.store.errors import StoreError

APP_NAME = "dsar-reviewer"
DB_FILE = "reviewer.db"
AUDIT_KEY_FILE = "audit-signing.key"
CHECKPOINT_FILE = "audit-checkpoints.jsonl"
URL_FORMS = "sqlite:///PATH, postgresql://USER@HOST/DB, or a plain path to a SQLite file"
# What a store URL's driver may be once `resolve_url` rewrote postgresql:// to psycopg 3.
_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")


class StoreUrlError(StoreError):
    """The store URL names no store this program can keep data in."""


class NoStore(StoreError):
    """There is no store at the URL, and the command only reads one."""

    def __init__(self, where: str) -> None:
        self.where = where
        super().__init__(
            f"no store at {where} (create one with reviewer users add or reviewer ingest)"
        )


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

    A bare path is taken as a SQLite file; ``postgresql://`` uses psycopg 3. Raises
    StoreUrlError (one line naming the accepted forms) for any other database, a URL that does
    not parse, or an in-memory SQLite store.
    """
    if url is not None and not url.strip():
        # an empty --db (a script's unset variable): never the default store in its stead
        raise StoreUrlError(f"the store URL is empty: use {URL_FORMS}")
    url = url or os.environ.get("REVIEWER_DB") or default_url()
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    scheme = url.split("://", 1)[0]
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise StoreUrlError(f"not a store URL ({scheme}://...): use {URL_FORMS}") from None
    if parsed.drivername not in _DRIVERS:
        raise StoreUrlError(f"unsupported store URL {scheme}://...: use {URL_FORMS}")
    if parsed.drivername.startswith("sqlite") and parsed.database in (None, "", ":memory:"):
        raise StoreUrlError(
            f"{scheme}:// without a file is an in-memory store that keeps nothing: use {URL_FORMS}"
        )
    if parsed.drivername.startswith("sqlite") and parsed.query:
        # ("mode=ro" and the like would be ignored, the store written all the same)
        raise StoreUrlError(
            f"a SQLite store URL takes no options ({', '.join(sorted(parsed.query))}): use "
            f"{URL_FORMS}"
        )
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


CORRECTED_ENV = "REVIEWER_CORRECTED_DIR"


def corrected_dir(url: str) -> Path:
    """Where corrected archives are written: `$REVIEWER_CORRECTED_DIR` (in team mode, a folder
    every terminal sees at the same path), else `corrected/` in the store's data directory."""
    shared = os.environ.get(CORRECTED_ENV, "").strip()
    return Path(shared).expanduser() if shared else key_dir(url) / "corrected"
