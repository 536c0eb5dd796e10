"""before-account: the requester's records dated before their account existed.

Rows that carry the requester's id (in a table that says whose each row is) and recordings that
are not another account's, dated more than a day before the ticket's `account_created_at`,
cannot be the requester's: a previous holder of the id, a recycled account, or rows mixed in
from elsewhere. A warning: the identity side's creation date may itself be wrong, so a
reviewer looks before anything is delivered.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from reviewer.domain.archive.tabular import parse_export_time
from reviewer.domain.checks._common import (
    all_tables,
    customer_column,
    is_foreign_recording,
    is_requester_id,
    listing,
    norm_key,
    plural,
    recording_members,
)
from reviewer.domain.model import ExportIndex, Finding, Request, Severity

CODE = "before-account"
DATE_KEYS = frozenset(
    {"timestamp", "date", "time", "datetime", "orderdate", "createdat", "searchedat", "at"}
)
_ISO_DAY = re.compile(r"\A\d{4}-\d{2}-\d{2}")
SLACK = timedelta(days=1)  # time zones apart


def check(request: Request, index: ExportIndex) -> list[Finding]:
    created = request.requester.account_created_at
    if created is None:
        return []
    before = (created - SLACK).isoformat()  # a date string: ISO days compare as text
    rows_by_table: dict[str, int] = {}
    earliest = created
    for path, table in all_tables(index):
        date_col = next((c for c in table.columns if norm_key(c) in DATE_KEYS), None)
        owner = customer_column(table)
        if (
            date_col is None
            or owner is None  # whose rows they are is not said: a photo's date, say
            or any(norm_key(c) == "utteranceid" for c in table.columns)  # judged below
        ):
            continue
        at, owner_at = table.col(date_col), table.col(owner)
        n = 0
        for row in table.rows:
            if not is_requester_id(row[owner_at], request):
                continue  # another account's row: foreign-records says so
            day = _day(row[at])
            if day is not None and day < before:
                n += 1
                earliest = min(earliest, date.fromisoformat(day))
        if n:
            rows_by_table[path] = n
    recs = [
        r
        for r in index.recordings
        if r.timestamp is not None
        and not is_foreign_recording(r, request)
        and r.timestamp.date().isoformat() < before
    ]
    for r in recs:
        assert r.timestamp is not None
        earliest = min(earliest, r.timestamp.date())
    if not rows_by_table and not recs:
        return []
    parts = [f"{plural(n, 'row')} in {path}" for path, n in sorted(rows_by_table.items())]
    if recs:
        parts.append(plural(len(recs), "recording"))
    return [
        Finding(
            code=CODE,
            severity=Severity.WARNING,
            title="Records dated before the requester's account existed",
            detail=(
                f"{listing(parts)} date from as early as {earliest:%Y-%m-%d}, before the "
                f"requester's account was created on {created:%Y-%m-%d}: they cannot be the "
                "requester's unless that date is wrong. Find out whose they are."
            ),
            members=tuple(sorted(rows_by_table)) + tuple(recording_members(recs)),
        )
    ]


def _day(cell: str) -> str | None:
    """The ISO day a cell's time falls on ("2011-09-15"), or None when it holds no time."""
    text = cell.strip()
    if _ISO_DAY.match(text):
        return text[:10]
    stamp = parse_export_time(text) if text else None
    return stamp.date().isoformat() if stamp is not None else None
