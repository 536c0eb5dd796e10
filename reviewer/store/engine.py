"""The engine factory: a SQLAlchemy engine from a store URL, never at import time.

SQLite: every connection gets WAL, ``synchronous=FULL``, ``foreign_keys=ON`` and a busy
timeout; transactions start with ``BEGIN IMMEDIATE`` (the pysqlite driver's own transaction
handling is turned off, SQLAlchemy's documented recipe) so a read-then-write never loses a race,
except on connections marked ``readonly`` which use a plain deferred ``BEGIN``.
PostgreSQL (psycopg 3): READ COMMITTED, with ``SELECT ... FOR UPDATE`` on the rows a
transaction decides on.

A SQLite store's folder (when this creates it) is 0700 and its database file 0600, made here
before SQLite would make it 0644: SQLite gives the -wal, -shm and -journal files the database
file's mode (`reviewer.domain.private`).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, create_engine, event

from reviewer.domain.private import create_private_file, make_private_dir
from reviewer.store.paths import is_sqlite, resolve_url, sqlite_file

BUSY_TIMEOUT_MS = 30_000
READONLY = {"reviewer_readonly": True}


def make_engine(url: str | None) -> Engine:
    url = resolve_url(url)
    if is_sqlite(url):
        file = sqlite_file(url)
        if file is not None:
            make_private_dir(file.parent)
            create_private_file(file)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            json_serializer=_compact_json,
        )
        _sqlite_recipe(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, json_serializer=_compact_json)


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _sqlite_recipe(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("reviewer_readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
