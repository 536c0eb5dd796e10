"""The shapes of the trigger set: a trigger, a PostgreSQL trigger function, and a group of
them guarding one table, for both databases (`DIALECTS`)."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

DIALECTS = ("sqlite", "postgresql")


def _sql(text: str) -> str:
    return textwrap.dedent(text).strip()


@dataclass(frozen=True)
class Trigger:
    """One trigger: its name, the table it guards, its rule in one sentence, its SQL.

    `sql` is the whole CREATE TRIGGER statement. On SQLite it is exactly what ``sqlite_master``
    keeps; on PostgreSQL exactly what ``pg_get_triggerdef`` gives back (the table unqualified)."""

    name: str
    table: str
    rule: str
    sql: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "sql", _sql(self.sql))
        if not self.sql.startswith(f"CREATE TRIGGER {self.name} ") or not re.search(
            rf"\sON {self.table}\s", self.sql
        ):
            raise ValueError(f"trigger {self.name}: its SQL must create it on {self.table}")


@dataclass(frozen=True)
class Function:
    """A PostgreSQL trigger function: its name, what it checks, its PL/pgSQL body."""

    name: str
    rule: str
    body: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", _sql(self.body))

    @property
    def source(self) -> str:
        """The function's source as PostgreSQL keeps it (``pg_proc.prosrc``)."""
        return f"\n{self.body}\n"

    @property
    def sql(self) -> str:
        return (
            f"CREATE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $${self.source}$$"
        )


@dataclass(frozen=True)
class Group:
    """The triggers guarding one table (or one pair of tables), for both databases."""

    title: str
    sqlite: tuple[Trigger, ...]
    postgresql_functions: tuple[Function, ...]
    postgresql: tuple[Trigger, ...]
    note: str = ""
