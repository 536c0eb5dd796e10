"""The triggers in force, from one place: `reviewer.store.triggers`.

Migrations 0003-0010 created the store's triggers one concern at a time. This one drops every
trigger and trigger function they made, by name, and creates the set `reviewer.store.triggers`
lists: the same rules with the same messages, so a store made before and one made now hold the
same set, and a reader finds every rule the database enforces in that one module.

`TRIGGER_SET_DIGEST` is the digest (`triggers.set_digest()`) of the set this migration
installs. Once `reviewer.store.triggers` changes, a later migration installs the new set and
records its digest (tests/test_store_triggers.py fails until one does); this one then leaves
the triggers as they were, since the new set may need that later migration's schema.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

from reviewer.store import triggers

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER_SET_DIGEST = "bb170c1a9383237f490f227bc771f51ce53406dcd8dc3e8817288e666b52fd6b"


def upgrade() -> None:
    if triggers.set_digest() == TRIGGER_SET_DIGEST:
        triggers.install(op.get_bind())


def downgrade() -> None:
    """Nothing to undo: 0010 enforced the same rules, with the same messages."""
