"""The statutory clock as the ICO counts it: month ends, weekends, bank holidays of the
requester's country and region, the requester's time zone, extensions, pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from reviewer.domain.deadline import (
    Clock,
    ClockChange,
    ClockChangeKind,
    clock_of,
    extension_refusal,
    months_after,
    notice_refusal,
    pause_refusal,
    resume_refusal,
)
from reviewer.domain.model import Address, Request, Requester


def ticket(
    received: str,
    *,
    country: str = "DE",
    region: str = "",
    zone: str = "",
    verified: str | None = None,
    due: str | None = None,
) -> Request:
    requester = Requester(
        customer_id="A1",
        time_zone=zone,
        addresses=(Address(country=country, region=region),) if country else (),
    )
    return Request(
        request_id="DSAR-1",
        requester=requester,
        received_at=datetime.fromisoformat(received),
        verified_at=datetime.fromisoformat(verified) if verified else None,
        due_at=datetime.fromisoformat(due) if due else None,
    )


def clock(request: Request, *changes: ClockChange, now: str = "2024-01-02T12:00:00+00:00") -> Clock:
    result = clock_of(request, changes, datetime.fromisoformat(now))
    assert result is not None
    return result


def change(kind: ClockChangeKind, at: str, months: int = 0, reason: str = "r") -> ClockChange:
    return ClockChange(kind, datetime.fromisoformat(at), "bob", reason, months)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: the month's last day
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 2, 29), 1, date(2024, 3, 29)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),  # across the year's end
        (date(2024, 1, 31), 3, date(2024, 4, 30)),
    ],
)
def test_the_corresponding_date_or_the_months_last_day(
    start: date, months: int, expected: date
) -> None:
    assert months_after(start, months) == expected


@pytest.mark.parametrize(
    ("received", "country", "region", "due"),
    [
        # 31 January 2024: 29 February exists that year (a Thursday).
        ("2024-01-31T10:00:00+00:00", "DE", "", date(2024, 2, 29)),
        # 31 January 2023: no 31 February, so the month's last day, Tuesday 28 February.
        ("2023-01-31T10:00:00+00:00", "DE", "", date(2023, 2, 28)),
        # 31 March 2024: no 31 April, so 30 April (a Tuesday).
        ("2024-03-31T10:00:00+00:00", "GB", "", date(2024, 4, 30)),
        # 2 August 2018 gives Sunday 2 September: the next working day, Monday the 3rd.
        ("2018-08-02T09:14:00+00:00", "DE", "", date(2018, 9, 3)),
        # 29 February 2024 gives Good Friday, 29 March, then the weekend, then Easter
        # Monday (a holiday in Germany and in England, not across the United Kingdom).
        ("2024-02-29T10:00:00+00:00", "DE", "", date(2024, 4, 2)),
        ("2024-02-29T10:00:00+00:00", "GB", "ENG", date(2024, 4, 2)),
        ("2024-02-29T10:00:00+00:00", "GB", "", date(2024, 4, 1)),
        # German Unity Day, Thursday 3 October 2024: a holiday in Germany only.
        ("2024-09-03T10:00:00+00:00", "DE", "", date(2024, 10, 4)),
        ("2024-09-03T10:00:00+00:00", "GB", "ENG", date(2024, 10, 3)),
        # England's summer bank holiday, Monday 26 August 2024: not a German one.
        ("2024-07-26T10:00:00+00:00", "GB", "ENG", date(2024, 8, 27)),
        ("2024-07-26T10:00:00+00:00", "DE", "", date(2024, 8, 26)),
        # Christmas and Boxing Day in Britain: Friday 27 December.
        ("2024-11-25T10:00:00+00:00", "GB", "", date(2024, 12, 27)),
    ],
)
def test_due_by_the_ico_rule(received: str, country: str, region: str, due: date) -> None:
    c = clock(ticket(received, country=country, region=region), now=received)
    assert c.due == due
    assert c.first_due == due
    assert c.due.weekday() < 5


def test_the_day_is_the_requesters_own() -> None:
    # 23:30 UTC on 31 January is already 1 February in Berlin.
    late = "2024-01-31T23:30:00+00:00"
    assert clock(ticket(late, zone="Europe/Berlin"), now=late).start == date(2024, 2, 1)
    assert clock(ticket(late, zone="Europe/Berlin"), now=late).due == date(2024, 3, 1)
    assert clock(ticket(late), now=late).due == date(2024, 2, 29)


def test_an_unknown_time_zone_or_country_is_said_and_counts_safely() -> None:
    c = clock(ticket("2018-08-02T09:14:00+00:00", country="ZZ", zone="Mars/Olympus"))
    assert "no bank holidays known for ZZ" in c.jurisdiction.describe()
    assert "unknown time zone 'Mars/Olympus'" in c.jurisdiction.describe()
    assert c.due == date(2018, 9, 3)  # weekends still count


def test_identity_verified_on_a_later_day_starts_the_clock() -> None:
    c = clock(ticket("2024-03-01T10:00:00+00:00", verified="2024-03-05T16:00:00+00:00"))
    assert (c.start, c.started_by) == (date(2024, 3, 5), "identity verified")
    assert c.due == date(2024, 4, 5)
    same_day = clock(ticket("2024-03-01T10:00:00+00:00", verified="2024-03-01T10:05:00+00:00"))
    assert (same_day.start, same_day.started_by) == (date(2024, 3, 1), "received")


def test_the_tickets_own_due_date_is_compared() -> None:
    c = clock(ticket("2018-08-02T09:14:00+00:00", due="2018-09-01T09:14:00+00:00"))
    assert c.upstream_differs
    assert c.upstream_warning == (
        "the ticket says due 2018-09-01; the statutory date is 2018-09-03 (2 days earlier)"
    )
    agreed = clock(ticket("2018-08-02T09:14:00+00:00", due="2018-09-03T00:00:00+00:00"))
    assert not agreed.upstream_differs and agreed.upstream_warning == ""


def test_an_extension_counts_from_the_start_and_asks_for_a_notice() -> None:
    request = ticket("2024-01-31T10:00:00+00:00")
    ext = change(ClockChangeKind.EXTEND, "2024-02-10T09:00:00+00:00", months=2)
    c = clock(request, ext, now="2024-02-10T10:00:00+00:00")
    assert c.extended and c.extended_months == 2
    assert c.due == date(2024, 4, 30)  # three months from 31 January: 30 April
    assert c.first_due == date(2024, 2, 29)
    assert c.notice_due == date(2024, 2, 29) and c.notice_outstanding
    told = change(ClockChangeKind.NOTICE_SENT, "2024-02-11T09:00:00+00:00")
    assert not clock(request, ext, told, now="2024-02-12T10:00:00+00:00").notice_outstanding


def test_extension_limits() -> None:
    request = ticket("2024-01-31T10:00:00+00:00")
    early = clock(request, now="2024-02-10T10:00:00+00:00")
    assert extension_refusal(early, 2, "complex request") is None
    assert extension_refusal(early, 3, "complex") == "an extension is by 1 or 2 months"
    assert "needs its reasons" in str(extension_refusal(early, 1, "  "))
    one = change(ClockChangeKind.EXTEND, "2024-02-10T09:00:00+00:00", months=1)
    once = clock(request, one, now="2024-02-11T10:00:00+00:00")
    assert extension_refusal(once, 1, "still complex") is None
    refusal = extension_refusal(once, 2, "more")
    assert refusal is not None and "already extended by 1" in refusal
    # On the first due date itself it may still be decided; the day after, not.
    on_the_day = clock(request, now="2024-02-29T20:00:00+00:00")
    assert extension_refusal(on_the_day, 1, "complex") is None
    late = clock(request, now="2024-03-01T08:00:00+00:00")
    assert "2024-02-29, which has passed" in str(extension_refusal(late, 1, "complex"))


def test_a_pause_moves_every_date_by_the_days_it_stood_still() -> None:
    request = ticket("2024-01-31T10:00:00+00:00")
    pause = change(ClockChangeKind.PAUSE, "2024-02-05T09:00:00+00:00", reason="ID asked")
    paused = clock(request, pause, now="2024-02-12T09:00:00+00:00")
    assert paused.paused and paused.paused_since == date(2024, 2, 5)
    assert paused.paused_days == 7
    assert paused.due == date(2024, 3, 7)  # 29 February + 7 days, a Thursday
    # While paused, the days left stand still.
    later = clock(request, pause, now="2024-02-13T09:00:00+00:00")
    assert later.due == date(2024, 3, 8)
    assert later.days_left == paused.days_left
    resume = change(ClockChangeKind.RESUME, "2024-02-15T09:00:00+00:00")
    resumed = clock(request, pause, resume, now="2024-02-20T09:00:00+00:00")
    assert not resumed.paused and resumed.paused_days == 10
    assert resumed.due == date(2024, 3, 11)  # 29 February + 10 = Saturday 9 March -> Monday
    assert resumed.days_left == (date(2024, 3, 11) - date(2024, 2, 20)).days


def test_pause_and_resume_refusals() -> None:
    request = ticket("2024-01-31T10:00:00+00:00")
    running = clock(request, now="2024-02-05T09:00:00+00:00")
    assert pause_refusal(running, "identity documents asked") is None
    assert "needs its reason" in str(pause_refusal(running, ""))
    assert resume_refusal(running) == "the clock is not paused"
    pause = change(ClockChangeKind.PAUSE, "2024-02-05T09:00:00+00:00")
    paused = clock(request, pause, now="2024-02-06T09:00:00+00:00")
    assert "already paused, since 2024-02-05" in str(pause_refusal(paused, "again"))
    assert resume_refusal(paused) is None
    overdue = clock(request, now="2024-03-05T09:00:00+00:00")
    assert overdue.overdue and overdue.days_left == -5
    assert "overdue since 2024-02-29" in str(pause_refusal(overdue, "too late"))


def test_notice_refusals_and_a_second_extension_needs_a_second_notice() -> None:
    request = ticket("2024-01-31T10:00:00+00:00")
    assert "not extended" in str(notice_refusal(clock(request)))
    first = change(ClockChangeKind.EXTEND, "2024-02-02T09:00:00+00:00", months=1)
    told = change(ClockChangeKind.NOTICE_SENT, "2024-02-03T09:00:00+00:00")
    c = clock(request, first, told, now="2024-02-04T09:00:00+00:00")
    assert "already recorded as sent on 2024-02-03" in str(notice_refusal(c))
    second = change(ClockChangeKind.EXTEND, "2024-02-05T09:00:00+00:00", months=1)
    again = clock(request, first, told, second, now="2024-02-06T09:00:00+00:00")
    assert again.notice_outstanding and notice_refusal(again) is None


def test_no_receipt_time_no_clock() -> None:
    request = Request(request_id="DSAR-1", requester=Requester(customer_id="A1"))
    assert clock_of(request, (), datetime(2024, 1, 1, tzinfo=UTC)) is None


def test_the_clock_as_json_carries_what_status_shows() -> None:
    request = ticket("2024-01-31T10:00:00+00:00", due="2024-02-29T10:00:00+00:00")
    c = clock(
        request,
        change(ClockChangeKind.EXTEND, "2024-02-02T09:00:00+00:00", months=1, reason="complex"),
        now=(datetime(2024, 2, 2, 12, tzinfo=UTC) + timedelta(days=1)).isoformat(),
    )
    doc = c.as_dict()
    assert doc["due"] == "2024-04-02"  # Easter Sunday 31 March, Easter Monday, then Tuesday
    assert doc["extended"] is True and doc["paused"] is False
    assert doc["days_left"] == (date.fromisoformat(doc["due"]) - date(2024, 2, 3)).days
    assert doc["history"] == [
        {
            "kind": "extend",
            "at": "2024-02-02T09:00:00+00:00",
            "by": "bob",
            "reason": "complex",
            "months": 1,
        }
    ]
