"""Times as exports write them: ISO 8601, Unix epoch seconds or milliseconds, a locale's day,
month and year where their order is certain, e-mail dates, the year first with slashes, the
month by its name, a 12-hour clock (`parse_export_time`); the
order of a column's or a catalogue's dates (`day_order`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from reviewer.domain.request import parse_datetime

_EPOCH = re.compile(r"\A\d{9,14}(?:\.\d+)?\Z")
# A day, month and year as people's locales write them: 14.11.2016 (always day first), 14/11/2016
# or 11/14/2016 and the same with dashes (read only where a number over 12 says which is the
# day), with a time and a zone after it or not
_CLOCK = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(?:\s*([AP])\.?M\.?)?)?"
_ZONE = r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?\Z"
_LOCAL_DATE = re.compile(r"\A(\d{1,2})([./-])(\d{1,2})\2(\d{4})" + _CLOCK + _ZONE, re.I)
# The year first with slashes or dots (2016/11/14 07:12:40, 2016.11.14), as East Asian and
# some database tools write it: always year, month, day
_YEAR_FIRST = re.compile(r"\A(\d{4})([./])(\d{1,2})\2(\d{1,2})" + _CLOCK + _ZONE, re.I)
# The month by its English name: "Nov 14, 2016, 7:12:40 AM", "November 14th 2016 07:12",
# "14 November 2016", with the weekday before it or not
_NAMED_MONTH = re.compile(
    r"\A(?:[A-Za-z]{3,9},?\s+)??(?:(\d{1,2})\s+([A-Za-z]{3,9})\.?|([A-Za-z]{3,9})\.?\s+(\d{1,2})"
    r"(?:st|nd|rd|th)?),?\s+(\d{4})" + _CLOCK + _ZONE,
    re.I,
)
_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


def _iso(year: int, month: int, day: int, clock: tuple[str | None, ...]) -> datetime | None:
    """The time of a date and the groups of `_CLOCK` and `_ZONE` (hour, minute, second,
    fraction, A or P, zone), read as ISO 8601 reads it; None when it is no time."""
    hour, minute, second, fraction, half, zone = clock
    h = int(hour or 0)
    if half:  # a 12-hour clock: 12 AM is midnight, 12 PM noon
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if half.upper() == "P" else 0)
    iso = f"{year:04d}-{month:02d}-{day:02d}T{h:02d}:{minute or '00'}:{second or '00'}"
    iso += fraction or ""
    z = (zone or "").upper()
    iso += "+00:00" if z in ("Z", "UTC", "GMT") else (z[:3] + ":" + z[-2:] if z else "")
    return parse_datetime(iso)


# "Mon, 14 Nov 2016 07:12:40 +0000", as e-mail and HTTP write it (RFC 2822)
_MAIL_DATE = re.compile(r"\A(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")


def _local_date(text: str, day_first: bool | None = None) -> datetime | None:
    """A time written with the day, month and year in a locale's order (see `_LOCAL_DATE`),
    or None when it is not one or the order cannot be told (by the date itself, or by
    `day_first`: what the other times of its column or document say)."""
    m = _LOCAL_DATE.match(text)
    if m is None:
        return None
    a, sep, b, year = int(m[1]), m[2], int(m[3]), int(m[4])
    if sep == "." or a > 12 or (day_first is True and b <= 12):
        day, month = a, b
    elif b > 12 or day_first is False:
        month, day = a, b
    else:
        return None  # 03/04/2016: the third of April or the fourth of March
    return _iso(year, month, day, m.groups()[4:])


def _other_date(text: str) -> datetime | None:
    """A time with the year first and slashes or dots (`_YEAR_FIRST`), or with the month by
    its name (`_NAMED_MONTH`); None when it is neither."""
    m = _YEAR_FIRST.match(text)
    if m is not None:
        return _iso(int(m[1]), int(m[3]), int(m[4]), m.groups()[4:])
    m = _NAMED_MONTH.match(text)
    if m is None:
        return None
    day, name = (m[1], m[2]) if m[1] else (m[4], m[3])
    month = _MONTHS.get(name.lower())
    if month is None:
        return None
    return _iso(int(m[5]), month, int(day), m.groups()[5:])


def day_order(values: Iterable[str]) -> bool | None:
    """Whether the times of one column or document write the day first (14/11/2016: True) or
    the month first (11/14/2016: False), as one of them shows by a number over 12; None when
    none shows it, or they disagree. One writer writes one order: with it, 03/04/2016 in the
    same column is read too."""
    first = second = False
    for value in values:
        m = _LOCAL_DATE.match(value.strip())
        if m is None or m[2] == ".":
            continue
        first = first or int(m[1]) > 12
        second = second or int(m[3]) > 12
    return first if first != second else None


def parse_export_time(value: str, day_first: bool | None = None) -> datetime | None:
    """A time as exports write it (tables and the transcript catalogue alike): ISO 8601 (a
    trailing Z or "UTC", with or without a space before it, allowed; eight digits are
    its basic date form), Unix epoch seconds (9 to 11 digits) or milliseconds (12 to 14),
    which would otherwise be misread as a date ("1541106000000" is no year 1541), a locale's
    day, month and year where their order is certain (`_LOCAL_DATE`, a 12-hour clock too),
    an e-mail's date (RFC 2822, read by the standard library), the year first with slashes
    or dots, or the month by its English name ("Nov 14, 2016, 7:12:40 AM"). None when it is none of them. `day_first`:
    the order of day and month its column or document shows (`day_order`)."""
    text = value.strip()
    if _EPOCH.match(text):
        number = float(text)
        seconds = number / 1000 if number >= 1e11 else number
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if text.isdigit() and len(text) != 8:
        return None  # a bare number that is no time (eight digits: ISO's basic date, 20181101)
    if text.endswith("UTC"):
        text = text[:-3].rstrip() + "Z"
    found = parse_datetime(text)
    if found is None and text[:1].isdigit():
        found = _local_date(text, day_first)
    if found is None and _MAIL_DATE.match(text):
        try:
            found = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if found is None and text[:1].isalnum():
        found = _other_date(text)
    return found
