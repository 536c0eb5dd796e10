"""Alembic migrations of the store, run programmatically by `reviewer.store.migrate`."""
