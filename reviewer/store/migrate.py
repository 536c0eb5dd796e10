"""Bring a store's schema to the latest (or a given) migration, programmatically."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from reviewer.store.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@functools.cache
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


_REVISION = re.compile(r"^revision(?::[^=\n]*)?\s*=\s*[\"']([^\"']+)[\"']\s*$", re.M)
_DOWN = re.compile(r"^down_revision(?::[^=\n]*)?\s*=\s*(.*?)\s*$", re.M)


@functools.cache
def declared_head() -> str | None:
    """The latest revision as the migration files declare it (their `revision` and
    `down_revision` lines, read as text: neither Alembic nor the migrations are imported), or
    None when the files do not name exactly one head plainly (then ask Alembic)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("[!_]*.py"):
        source = path.read_text(encoding="utf-8")
        rev, down = _REVISION.findall(source), _DOWN.findall(source)
        if len(rev) != 1 or len(down) != 1:
            return None
        revisions.add(rev[0])
        if down[0] != "None":
            quoted = re.fullmatch(r"[\"']([^\"']+)[\"']", down[0])
            if quoted is None:
                return None  # a merge of several revisions, or something computed
            downs.add(quoted.group(1))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 and downs <= revisions else None


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every revision the migration files declare (read as text, as `declared_head` does)."""
    found: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("[!_]*.py"):
        found.update(_REVISION.findall(path.read_text(encoding="utf-8")))
    return frozenset(found)


class NewerStore(StoreError):
    """The store was migrated by a later version of the reviewer than this one."""


def current_revision(engine: Engine) -> str | None:
    """The store's schema revision; None when it has none (a new, empty database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(rows) > 1:
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as conn:  # several heads: Alembic says so in its own words
            return MigrationContext.configure(conn).get_current_revision()
    return str(rows[0][0]) if rows else None


def upgrade(
    engine: Engine, revision: str = "head", clock: Callable[[], datetime] | None = None
) -> None:
    """Migrate to `revision` in one transaction (DDL is transactional on both databases).

    A store already at the latest revision is left alone without running Alembic. `clock` gives
    the time of any row a migration writes (the service passes its own)."""
    if revision == "head":
        current = current_revision(engine)
        if current is not None and current == (declared_head() or head_revision()):
            return
        if current is not None and current not in known_revisions():
            # A later version of the reviewer migrated it (personal signatures began at
            # 0017): this one would write what that one refuses.
            raise NewerStore(
                f"the store's schema is at revision {current}, newer than this version of the "
                f"reviewer knows (up to {declared_head() or head_revision()}): upgrade the "
                "reviewer on this terminal"
            )
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # one migrator at a time across terminals
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727270001)")
        cfg.attributes["connection"] = conn
        cfg.attributes["clock"] = clock
        command.upgrade(cfg, revision)
