"""Digesters: a fully read member's kept bytes turned into what the index holds, one module
per kind (`audio`, `pdf`, `tables`, `text` with `mail`, and `containers` for gzip, tar and
SQLite members). Each takes the bytes in a one-item list that it empties, so a large
member's bytes can go as soon as they are decoded; the planner (`reviewer.archive.planner`)
says which digester a member goes to."""

from __future__ import annotations

from collections.abc import Callable

from reviewer.archive.context import Context
from reviewer.domain.model import Member

# (context, member, [kept bytes], real inflated size, last bytes of the stream)
Digester = Callable[[Context, Member, list[bytes], int, bytes], None]
