"""Bring a store's schema to the latest (or a given) migration, programmatically."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


@functools.cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(
    engine: Engine, revision: str = "head", clock: Callable[[], datetime] | None = None
) -> None:
    """Migrate to `revision` in one transaction (DDL is transactional on both databases).

    A store already at the latest revision is left alone without running Alembic. `clock` gives
    the time of any row a migration writes (the service passes its own)."""
    if revision == "head" and current_revision(engine) == head_revision():
        return
    cfg = _config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # one migrator at a time across terminals
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727270001)")
        cfg.attributes["connection"] = conn
        cfg.attributes["clock"] = clock
        command.upgrade(cfg, revision)
