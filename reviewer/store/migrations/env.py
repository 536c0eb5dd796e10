"""Alembic environment: runs on the connection the store hands over (never reads an .ini)."""

from __future__ import annotations

from alembic import context

from reviewer.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
