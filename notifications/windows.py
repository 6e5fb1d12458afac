"""Send windows: when an email may reach a person. Pure: dates, times and time zones only.

It lives in the outbox, the lowest app, so every app that sends mail to people (the programme
rhythm, survey invitations) can use the same windows.

An email goes out in working hours (09:00-17:00) in the recipient's time zone, on a weekday that
is not a UK bank holiday (govuk-bank-holidays' bundled data: this never fetches from the web).
An email that falls due outside the window waits for the next window's start.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from govuk_bank_holidays.bank_holidays import BankHolidays

WORK_START = dt.time(9, 0)
WORK_END = dt.time(17, 0)
DEFAULT_TIME_ZONE = "Europe/London"
DIVISIONS = {
    "england-and-wales": BankHolidays.ENGLAND_AND_WALES,
    "scotland": BankHolidays.SCOTLAND,
    "northern-ireland": BankHolidays.NORTHERN_IRELAND,
}


@lru_cache(maxsize=8)
def bank_holidays(division: str = "england-and-wales") -> frozenset[dt.date]:
    """UK bank holidays of one division, from the data bundled with the package."""
    holidays = BankHolidays(use_cached_holidays=True).get_holidays(
        division=DIVISIONS.get(division, BankHolidays.ENGLAND_AND_WALES)
    )
    return frozenset(h["date"] for h in holidays)


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone, or London for a name this machine does not know."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def is_working_day(day: dt.date, holidays: frozenset[dt.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def in_window(moment: dt.datetime, time_zone: str, holidays: frozenset[dt.date]) -> bool:
    local = moment.astimezone(zone(time_zone))
    return is_working_day(local.date(), holidays) and WORK_START <= local.time() < WORK_END


def next_send_time(
    moment: dt.datetime, time_zone: str, holidays: frozenset[dt.date]
) -> dt.datetime:
    """``moment`` itself when it is inside the recipient's window, else the next window's start
    (09:00 local on the next working day). Aware in, aware (UTC) out."""
    tz = zone(time_zone)
    local = moment.astimezone(tz)
    day = local.date()
    if is_working_day(day, holidays):
        if WORK_START <= local.time() < WORK_END:
            return moment.astimezone(dt.UTC)
        if local.time() < WORK_START:
            return dt.datetime.combine(day, WORK_START, tzinfo=tz).astimezone(dt.UTC)
    day += dt.timedelta(days=1)
    while not is_working_day(day, holidays):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, WORK_START, tzinfo=tz).astimezone(dt.UTC)


def start_of_day(day: dt.date, time_zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone(time_zone))
