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
from collections.abc import Callable
from datetime import date, timedelta

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
from reviewer.domain.model import ExportIndex, Finding, Recording, Request, Severity

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
    findings = []
    created = request.requester.account_created_at
    if created is not None:
        before = (created - SLACK).isoformat()  # a date string: ISO days compare as text
        rows, recs, days = _dated(request, index, lambda day: day < before)
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
    generated = _generated_at(index)
    if generated is not None:
        after = (generated + SLACK).isoformat()
        rows, recs, days = _dated(request, index, lambda day: day > after, made=True)
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


def _dated(
    request: Request, index: ExportIndex, outside: Callable[[str], bool], made: bool = False
) -> tuple[dict[str, int], list[Recording], list[str]]:
    """The requester's records whose ISO day is `outside`: rows per table (in tables that
    say whose each row is), recordings that are not another account's, and their days.
    `made`: the day each record was made, not the day it is about (see `_PLANNED`)."""
    rows_by_table: dict[str, int] = {}
    days: list[str] = []
    for path, table in all_tables(index):
        date_col = next((c for c in table.columns if norm_key(c) in DATE_KEYS), None)
        if made:
            created = next((c for c in table.columns if norm_key(c) in CREATED_KEYS), None)
            if created is not None:
                date_col = created
            elif _PLANNED.search(path):
                continue
        owner = customer_column(table)
        if (
            date_col is None
            or owner is None  # whose rows they are is not said: a photo's date, say
            or any(norm_key(c) == "utteranceid" for c in table.columns)  # recordings, below
        ):
            continue
        at, owner_at = table.col(date_col), table.col(owner)
        n = 0
        for row in table.rows:
            if not is_requester_id(row[owner_at], request):
                continue  # another account's row: foreign-records says so
            day = _day(row[at])
            if day is not None and outside(day):
                n += 1
                days.append(day)
        if n:
            rows_by_table[path] = n
    recs = []
    for r in index.recordings:
        if r.timestamp is None or is_foreign_recording(r, request):
            continue
        day = r.timestamp.date().isoformat()
        if outside(day):
            recs.append(r)
            days.append(day)
    return rows_by_table, recs, days


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
