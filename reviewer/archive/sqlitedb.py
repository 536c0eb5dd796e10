"""SQLite members: every table read as a `Table`, under ``db.sqlite!table_name``.

The database is read from a private copy in memory (`sqlite3.Connection.deserialize`), never
from a file, with the connection made query-only and the schema untrusted; nothing in the
file is executed beyond ``SELECT *`` on the ordinary tables `sqlite_master` lists (views,
triggers and virtual tables are not run). Cells are strings (a blob that is text is read as
text), capped per cell like other tables; a table's cells are read up to one member's text
limit, and one cut there, or a database that takes too long, is `text-too-large`. A file
that does not open as a database is `zip-corrupt`, as a damaged member is.
"""

from __future__ import annotations

import sqlite3
import time

from reviewer.archive.context import Context
from reviewer.archive.inner import Block
from reviewer.domain.archive.sniff import looks_like_text
from reviewer.domain.archive.tabular import MAX_CELL, decode_text
from reviewer.domain.model import MemberKind, Table

TIME_LIMIT_S = 20.0  # reading one database's tables
BATCH = 1000


def read_sqlite(ctx: Context, holder: str, data: bytes) -> bool:
    """Read the database `data` held by the member `holder` into tables; False (with a
    finding) when it does not open as one."""
    hz = ctx.hazards
    copy = bytearray(data)
    if len(copy) > 19 and copy[18:20] == b"\x02\x02":  # WAL mode: read as a rollback journal
        copy[18:20] = b"\x01\x01"
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    deadline = time.monotonic() + TIME_LIMIT_S
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        try:
            conn.deserialize(bytes(copy))
            conn.execute("PRAGMA trusted_schema = OFF")
            conn.execute("PRAGMA query_only = ON")
            names = [
                str(row[0])
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                    "AND upper(coalesce(sql, '')) NOT LIKE 'CREATE VIRTUAL%'"
                )
            ]
        except sqlite3.Error as exc:
            hz.add("zip-corrupt", holder, f"{holder!r} does not open as an SQLite database ({exc})")
            return False
        block = Block(ctx, holder, "SQLite database")
        for name in names:
            member = block.add(name, 0, MemberKind.CSV, "SQLite table")
            if member is None:
                break
            member.read_bytes = _table(ctx, conn, member.path, name)
            member.readable = True
    finally:
        conn.close()
    return True


def _table(ctx: Context, conn: sqlite3.Connection, path: str, name: str) -> int:
    """Read one table into the index; the characters of its cells."""
    limit = ctx.limits.max_text_bytes
    quoted = '"' + name.replace('"', '""') + '"'
    rows: list[tuple[str, ...]] = []
    size = 0
    cut = ""
    columns: tuple[str, ...] = ()
    try:
        cursor = conn.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - a listed table's name
        columns = tuple(str(d[0]) for d in cursor.description or ())
        while not cut:
            batch = cursor.fetchmany(BATCH)
            if not batch:
                break
            for raw in batch:
                row = tuple(_cell(v) for v in raw)
                size += sum(map(len, row)) + len(row)
                if size > limit:
                    cut = f"its cells beyond the first {limit:,} characters"
                    break
                rows.append(row)
    except sqlite3.Error as exc:
        if not rows and "interrupted" not in str(exc):
            ctx.hazards.add("zip-corrupt", path, f"{path!r}: the table cannot be read ({exc})")
            return 0
        cut = f"the rows after the first {len(rows):,} ({exc})"
    ctx.index.tables[path] = Table(path, columns, rows)
    if cut:
        ctx.hazards.add(
            "text-too-large",
            path,
            f"{path}: the identity checks did not read {cut}; the rest could not be checked",
        )
    return size


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        head = value[:4096]
        return decode_text(value)[:MAX_CELL] if head and looks_like_text(head) else ""
    return str(value)[:MAX_CELL]
