"""before-account: the requester's records dated before their account existed; after-export:
records dated after the export was generated.

Rows that carry the requester's id (in a table that says whose each row is) and recordings that
are not another account's, dated more than a day before the ticket's `account_created_at`,
cannot be the requester's: a previous holder of the id, a recycled account, or rows mixed in
from elsewhere. A warning: the identity side's creation date may itself be wrong, so a
reviewer looks before anything is delivered. Records dated more than a day after the day the
manifest says the export was generated cannot be in it honestly either: another export's
records, or a clock gone wrong (a warning too); what is planned ahead (a reminder, a calendar
event) counts by the day it was made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from reviewer.domain.archive.times import parse_export_time
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
from reviewer.domain.model import ExportIndex, Finding, Recording, Request, Severity, Table

CODE = "before-account"
AFTER_CODE = "after-export"
DATE_KEYS = frozenset(
    {"timestamp", "date", "time", "datetime", "orderdate", "createdat", "searchedat", "at"}
)
# When a record was made, where a table says so beside the day it is about
CREATED_KEYS = frozenset({"createdat", "created", "createdon", "creationdate", "creationtime"})
# Tables of what is planned ahead (an Alexa reminder, an alarm, a calendar event, a delivery):
# their days may lie after the export; only the day each was made (`CREATED_KEYS`) may not
_PLANNED = re.compile(r"remind|alarm|timer|calendar|event|appointment|schedul|deliver", re.I)
_ISO_DAY = re.compile(r"\A\d{4}-\d{2}-\d{2}")
SLACK = timedelta(days=1)  # time zones apart


def check(request: Request, index: ExportIndex) -> list[Finding]:
    findings: list[Finding] = []
    created = request.requester.account_created_at
    generated = _generated_at(index)
    if created is None and generated is None:
        return findings
    dated = _requester_days(request, index)
    if created is not None:
        before = (created - SLACK).isoformat()  # a date string: ISO days compare as text
        rows, recs, days = _outside(dated, before, later=False)
        if rows or recs:
            findings.append(
                Finding(
                    code=CODE,
                    severity=Severity.WARNING,
                    title="Records dated before the requester's account existed",
                    detail=(
                        f"{_what(rows, recs)} date from as early as {min(days)}, before the "
                        f"requester's account was created on {created:%Y-%m-%d}: they cannot "
                        "be the requester's unless that date is wrong. Find out whose they are."
                    ),
                    members=tuple(sorted(rows)) + tuple(recording_members(recs)),
                )
            )
    if generated is not None:
        after = (generated + SLACK).isoformat()
        rows, recs, days = _outside(dated, after, later=True)
        if rows or recs:
            findings.append(
                Finding(
                    code=AFTER_CODE,
                    severity=Severity.WARNING,
                    title="Records dated after the export was made",
                    detail=(
                        f"{_what(rows, recs)} date from as late as {max(days)}, after the "
                        f"export was generated on {generated:%Y-%m-%d} (its manifest says so): "
                        "no record can be younger than its export. Another export's records, "
                        "or a clock gone wrong; find out which before delivery."
                    ),
                    members=tuple(sorted(rows)) + tuple(recording_members(recs)),
                )
            )
    return findings


@dataclass(slots=True)
class _TableDays:
    """The ISO days of the requester's rows in one table that says whose each row is: the
    day each row is about (`about`, None without a date column) and the day each was made
    (`made`: its `CREATED_KEYS` column's; without one, `made_unsaid`, the same as `about`,
    which a table of what is planned ahead does not give)."""

    path: str
    about: list[str] | None
    made: list[str] | None
    made_unsaid: bool


def _requester_days(
    request: Request, index: ExportIndex
) -> tuple[list[_TableDays], list[tuple[Recording, str]]]:
    """The requester's dated records, read once for both limits: the days of their rows per
    table (in tables that say whose each row is), and the recordings that are not another
    account's with their days."""
    tables: list[_TableDays] = []
    for path, table in all_tables(index):
        date_col, created, recordings = _date_columns(table.columns)
        owner = customer_column(table)
        if owner is None or recordings:  # whose rows they are is not said: a photo's date, say
            continue  # (recordings: below)
        if date_col is None and created is None:
            continue
        mine = _requester_rows(table, owner, request)
        about = _days(table, date_col, mine) if date_col is not None else None
        if created is None:
            tables.append(_TableDays(path, about, about, True))
        else:
            made = about if created == date_col else _days(table, created, mine)
            tables.append(_TableDays(path, about, made, False))
    recs = [
        (r, r.timestamp.date().isoformat())
        for r in index.recordings
        if r.timestamp is not None and not is_foreign_recording(r, request)
    ]
    return tables, recs


def _outside(
    dated: tuple[list[_TableDays], list[tuple[Recording, str]]], limit: str, later: bool
) -> tuple[dict[str, int], list[Recording], list[str]]:
    """The requester's records whose ISO day lies before `limit` (after it, `later`): rows
    per table, recordings, and their days. `later` judges the day each record was made, not
    the day it is about (see `_PLANNED`)."""
    tables, dated_recs = dated
    rows_by_table: dict[str, int] = {}
    days: list[str] = []
    for t in tables:
        table_days = t.made if later else t.about
        if not table_days:
            continue
        if later:
            out = [d for d in table_days if d > limit]
            if out and t.made_unsaid and _PLANNED.search(t.path):
                continue  # what is planned ahead: its days may lie after the export
        else:
            out = [d for d in table_days if d < limit]
        if out:
            rows_by_table[t.path] = len(out)
            days.extend(out)
    recs = []
    for r, day in dated_recs:
        if (day > limit) if later else (day < limit):
            recs.append(r)
            days.append(day)
    return rows_by_table, recs, days


@lru_cache(maxsize=4096)  # thousands of small tables share a few headers
def _date_columns(columns: tuple[str, ...]) -> tuple[str | None, str | None, bool]:
    """A table's date column, its column of when each record was made, and whether it is a
    table of recordings (they are judged as recordings)."""
    date_col = next((c for c in columns if norm_key(c) in DATE_KEYS), None)
    created = next((c for c in columns if norm_key(c) in CREATED_KEYS), None)
    return date_col, created, any(norm_key(c) == "utteranceid" for c in columns)


def _requester_rows(table: Table, owner: str, request: Request) -> list[tuple[str, ...]]:
    """The rows of `table` whose `owner` cell is the requester (another account's row:
    foreign-records says so). A table repeats a few accounts: each is judged once."""
    at = table.col(owner)
    mine = {cell for cell in set(table.values(owner)) if is_requester_id(cell, request)}
    return [row for row in table.rows if row[at] in mine]


def _days(table: Table, column: str, rows: list[tuple[str, ...]]) -> list[str]:
    """The ISO days of `rows` in `column` (those that hold a time)."""
    at = table.col(column)
    return [day for row in rows if (day := _day(row[at])) is not None]


def _what(rows: dict[str, int], recs: list[Recording]) -> str:
    parts = [f"{plural(n, 'row')} in {path}" for path, n in sorted(rows.items())]
    if recs:
        parts.append(plural(len(recs), "recording"))
    return listing(parts)


def _generated_at(index: ExportIndex) -> date | None:
    """The day the manifest says the export was generated, if it says so readably."""
    manifest = index.manifest
    value = manifest.get("generated_at") if isinstance(manifest, dict) else None
    stamp = parse_export_time(value) if isinstance(value, str) else None
    return stamp.date() if stamp is not None else None


def _day(cell: str) -> str | None:
    """The ISO day a cell's time falls on ("2011-09-15"), or None when it holds no time."""
    text = cell.strip()
    if _ISO_DAY.match(text):
        return text[:10]
    stamp = parse_export_time(text) if text else None
    return stamp.date().isoformat() if stamp is not None else None
