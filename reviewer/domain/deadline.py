"""The statutory clock of a request (GDPR Art. 12(3)), counted the way the ICO counts it.
Pure: no I/O; the bank holidays come from the `holidays` package's tables.

- **Start.** The day the request was received, in the requester's time zone (UTC where the
  ticket names none); or the day the requester's identity was verified, when that came on a
  later day (the controller asked for it, and the clock starts when it arrives).
- **Due.** The corresponding calendar date of the next month; the month's last day when that
  date does not exist (31 January gives 28 or 29 February); moved to the next working day
  when it falls on a weekend or on a bank holiday of the requester's country (and region,
  when the ticket names one: without a region only the nationwide holidays count, so the date
  is never later than the law allows).
- **Extension.** By one or two further months, three in all from the start at most, decided
  by the first due date, with reasons; the requester must be told by the first due date.
- **Pause.** The clock stops while the controller waits for the requester (identity, a
  clarification); every due date moves by the calendar days it stood still.

`clock_of(request, changes, now)` computes a request's `Clock` from its ticket and its
recorded `ClockChange`s; `extension_refusal`, `pause_refusal` and `resume_refusal` say why a
change may not be made (None: it may).
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reviewer.domain.model import Request, Requester

FIRST_MONTHS = 1  # the time limit: one month from the start
MAX_EXTENSION_MONTHS = 2  # "extendable by two further months" (three in all)
EXTENSION_CHOICES = (1, 2)


class ClockChangeKind(StrEnum):
    EXTEND = "extend"
    PAUSE = "pause"
    RESUME = "resume"
    NOTICE_SENT = "notice-sent"  # the requester was told of the extension and its reasons

    @property
    def words(self) -> str:
        return _KIND_WORDS[self]


_KIND_WORDS = {
    ClockChangeKind.EXTEND: "extended",
    ClockChangeKind.PAUSE: "paused",
    ClockChangeKind.RESUME: "resumed",
    ClockChangeKind.NOTICE_SENT: "extension notice sent",
}


@dataclass(frozen=True, slots=True)
class ClockChange:
    """One recorded change of a request's clock: who, when (aware), why."""

    kind: ClockChangeKind
    at: datetime
    by: str
    reason: str = ""
    months: int = 0  # an extension's months

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "at": self.at.astimezone(UTC).isoformat(),
            "by": self.by,
            "reason": self.reason,
            "months": self.months,
        }


# ----------------------------------------------------------------------------- the calendar


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """Whose days the clock counts: the requester's time zone, country and region."""

    country: str  # ISO 3166-1 alpha-2, "" when the ticket says nothing
    region: str  # ISO 3166-2 subdivision code without the country, "" for nationwide
    zone_name: str  # IANA name, "UTC" when the ticket names none (or an unknown one)
    note: str = ""  # what could not be used, in words ("no bank holidays known for XX")

    @property
    def zone(self) -> tzinfo:
        return UTC if self.zone_name == "UTC" else ZoneInfo(self.zone_name)

    def day_of(self, moment: datetime) -> date:
        """The calendar day `moment` (aware; naive is UTC) falls on for the requester."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone).date()

    def holiday(self, day: date) -> str | None:
        """The bank holiday's name on `day`, or None."""
        return _holidays(self.country, self.region, day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday(day) is None

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def describe(self) -> str:
        where = self.country or "no country"
        if self.country and self.region:
            where += f"-{self.region}"
        text = f"{where}, {self.zone_name}"
        return f"{text} ({self.note})" if self.note else text


@functools.lru_cache(maxsize=256)
def _holidays(country: str, region: str, year: int) -> Mapping[date, str]:
    if not country:
        return {}
    import holidays

    try:
        return dict(holidays.country_holidays(country, subdiv=region or None, years=year))
    except NotImplementedError:
        return {}


@functools.cache
def _countries() -> frozenset[str]:
    """The countries the `holidays` package knows (ISO 3166 alpha-2 and alpha-3 codes), from
    its registry: listing them through the package would import all 250 countries' modules
    (0.1 s of every command that computes a clock)."""
    from holidays.registry import COUNTRIES

    return frozenset(
        code
        for names in COUNTRIES.values()
        for code in names[1:]
        if len(code) in (2, 3) and code.isalpha() and code.isupper()  # not class aliases
    )


@functools.lru_cache(maxsize=64)
def _regions(country: str) -> tuple[str, ...]:
    """The country's regions as the `holidays` package knows them (imports its module only)."""
    import holidays

    try:
        return tuple(holidays.country_holidays(country).subdivisions)
    except NotImplementedError:
        return ()


def jurisdiction_of(requester: Requester) -> Jurisdiction:
    """The requester's time zone (the ticket's `time_zone`), country and region (the first
    address that names a country; else the locale's region, `de-DE` -> DE)."""
    notes: list[str] = []
    country, region = "", ""
    for address in requester.addresses:
        if address.country.strip():
            country, region = address.country.strip().upper(), address.region.strip().upper()
            break
    if not country and "-" in requester.locale.replace("_", "-"):
        country = requester.locale.replace("_", "-").rsplit("-", 1)[1].upper()
    if country and country not in _countries():
        notes.append(f"no bank holidays known for {country}: weekends only")
    elif country and region and region not in _regions(country):
        notes.append(f"no region {region} in {country}: nationwide holidays only")
        region = ""
    zone_name = "UTC"
    if requester.time_zone.strip():
        try:
            ZoneInfo(requester.time_zone.strip())
            zone_name = requester.time_zone.strip()
        except (ZoneInfoNotFoundError, ValueError):
            notes.append(f"unknown time zone {requester.time_zone.strip()!r}: UTC")
    return Jurisdiction(country, region, zone_name, "; ".join(notes))


def months_after(start: date, months: int) -> date:
    """The corresponding calendar date `months` later; the month's last day when that month
    is too short (31 January + 1 month = 28 or 29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


# ----------------------------------------------------------------------------- the clock


@dataclass(frozen=True, slots=True)
class Clock:
    """A request's statutory clock as of `today`."""

    start: date
    started_by: str  # "received" or "identity verified"
    first_due: date  # one month from the start, moved by the days paused
    due: date  # with the extensions, moved by the days paused
    extended_months: int
    paused_since: date | None
    paused_days: int  # calendar days the clock stood still, today's pause included
    notice_due: date | None  # when the requester must be told of the extension
    notice_sent_at: datetime | None
    upstream_due: date | None  # what the ticket's `due_at` says, for comparison
    today: date
    jurisdiction: Jurisdiction
    history: tuple[ClockChange, ...]

    @property
    def paused(self) -> bool:
        return self.paused_since is not None

    @property
    def extended(self) -> bool:
        return self.extended_months > 0

    @property
    def days_left(self) -> int:
        """Days from today to the due date; negative when overdue. While the clock is paused
        this stands still: the due date moves a day for every day paused."""
        return (self.due - self.today).days

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def notice_outstanding(self) -> bool:
        """An extension the requester has not been told of yet."""
        return self.extended and self.notice_sent_at is None

    @property
    def upstream_differs(self) -> bool:
        """The ticket's due date is not the one the law gives (before any extension)."""
        return self.upstream_due is not None and self.upstream_due != self.first_due

    @property
    def upstream_warning(self) -> str:
        if not self.upstream_differs:
            return ""
        assert self.upstream_due is not None
        later = (self.upstream_due - self.first_due).days
        days = f"{abs(later)} day{'' if abs(later) == 1 else 's'}"
        side = f"{days} later" if later > 0 else f"{days} earlier"
        return (
            f"the ticket says due {self.upstream_due:%Y-%m-%d}; the statutory date is "
            f"{self.first_due:%Y-%m-%d} ({side})"
        )

    def status_words(self) -> str:
        """One line: "due 2018-09-03 (12 days left), extended by 2 months, paused since ..." """
        left = self.days_left
        days = f"{abs(left)} day{'' if abs(left) == 1 else 's'}"
        when = f"{days} left" if left >= 0 else f"{days} overdue"
        parts = [f"due {self.due:%Y-%m-%d} ({when})"]
        if self.extended:
            parts.append(f"extended by {self.extended_months} month(s)")
        if self.paused_since is not None:
            parts.append(f"paused since {self.paused_since:%Y-%m-%d}")
        if self.notice_outstanding:
            parts.append(f"extension notice due {self.notice_due:%Y-%m-%d}, not sent")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "due": f"{self.due:%Y-%m-%d}",
            "days_left": self.days_left,
            "start": f"{self.start:%Y-%m-%d}",
            "started_by": self.started_by,
            "first_due": f"{self.first_due:%Y-%m-%d}",
            "extended": self.extended,
            "extended_months": self.extended_months,
            "paused": self.paused,
            "paused_since": f"{self.paused_since:%Y-%m-%d}" if self.paused_since else None,
            "paused_days": self.paused_days,
            "overdue": self.overdue,
            "notice_due": f"{self.notice_due:%Y-%m-%d}" if self.notice_due else None,
            "notice_sent_at": self.notice_sent_at.astimezone(UTC).isoformat()
            if self.notice_sent_at
            else None,
            "upstream_due": f"{self.upstream_due:%Y-%m-%d}" if self.upstream_due else None,
            "upstream_warning": self.upstream_warning or None,
            "calendar": self.jurisdiction.describe(),
            "history": [change.as_dict() for change in self.history],
        }


def clock_start(request: Request, where: Jurisdiction) -> tuple[date, str] | None:
    """The day the clock starts and why, or None when the ticket gives no receipt time."""
    if request.received_at is None:
        return None
    start, why = where.day_of(request.received_at), "received"
    if request.verified_at is not None and where.day_of(request.verified_at) > start:
        start, why = where.day_of(request.verified_at), "identity verified"
    return start, why


def clock_of(request: Request, changes: Sequence[ClockChange], now: datetime) -> Clock | None:
    """The clock of `request` after `changes` (in the order they were made), as of `now`.
    None when the ticket gives no receipt time to count from."""
    where = jurisdiction_of(request.requester)
    started = clock_start(request, where)
    if started is None:
        return None
    start, why = started
    today = where.day_of(now)
    months, paused_days = 0, 0
    paused_since: date | None = None
    notice_sent: datetime | None = None
    for change in changes:
        day = where.day_of(change.at)
        if change.kind is ClockChangeKind.EXTEND:
            months += change.months
            notice_sent = None  # each extension is told to the requester, with its reasons
        elif change.kind is ClockChangeKind.PAUSE and paused_since is None:
            paused_since = day
        elif change.kind is ClockChangeKind.RESUME and paused_since is not None:
            paused_days += max(0, (day - paused_since).days)
            paused_since = None
        elif change.kind is ClockChangeKind.NOTICE_SENT:
            notice_sent = change.at
    if paused_since is not None:
        paused_days += max(0, (today - paused_since).days)
    stood = timedelta(days=paused_days)
    first_due = where.next_working_day(months_after(start, FIRST_MONTHS) + stood)
    due = where.next_working_day(months_after(start, FIRST_MONTHS + months) + stood)
    upstream = where.day_of(request.due_at) if request.due_at is not None else None
    return Clock(
        start=start,
        started_by=why,
        first_due=first_due,
        due=due,
        extended_months=months,
        paused_since=paused_since,
        paused_days=paused_days,
        notice_due=first_due if months else None,
        notice_sent_at=notice_sent,
        upstream_due=upstream,
        today=today,
        jurisdiction=where,
        history=tuple(changes),
    )


# ----------------------------------------------------------------------------- refusals


def extension_refusal(clock: Clock, months: int, reason: str) -> str | None:
    """Why the clock may not be extended by `months` now (None: it may)."""
    if months not in EXTENSION_CHOICES:
        return "an extension is by 1 or 2 months"
    if not reason.strip():
        return "an extension needs its reasons: the requester is told them"
    if clock.extended_months + months > MAX_EXTENSION_MONTHS:
        already = clock.extended_months
        return (
            f"at most {MAX_EXTENSION_MONTHS} further months in all (three from the start, "
            f"{clock.start:%Y-%m-%d}); this request is already extended by {already}"
        )
    if clock.today > clock.first_due:
        return (
            f"an extension must be decided by the first due date, {clock.first_due:%Y-%m-%d}, "
            "which has passed"
        )
    return None


def pause_refusal(clock: Clock, reason: str) -> str | None:
    """Why the clock may not be paused now (None: it may)."""
    if not reason.strip():
        return "a pause needs its reason (what the requester was asked for)"
    if clock.paused_since is not None:
        return f"the clock is already paused, since {clock.paused_since:%Y-%m-%d}"
    if clock.overdue:
        return (
            f"the request is overdue since {clock.due:%Y-%m-%d}: a clock that ran out cannot stop"
        )
    return None


def resume_refusal(clock: Clock) -> str | None:
    """Why the clock may not be resumed now (None: it may)."""
    if clock.paused_since is None:
        return "the clock is not paused"
    return None


def notice_refusal(clock: Clock) -> str | None:
    """Why an extension notice may not be recorded now (None: it may)."""
    if not clock.extended:
        return "the request is not extended: there is no extension to tell the requester of"
    if clock.notice_sent_at is not None:
        sent = f"{clock.notice_sent_at:%Y-%m-%d}"
        return f"the extension notice was already recorded as sent on {sent}"
    return None
