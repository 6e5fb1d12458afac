"""When an event happens: pure date maths, no Django.

An event has a first date, a wall-clock start time in a named time zone and, if weekly, a last
possible date. Each occurrence is identified by its local date; its start instant is that date
and time in the event's zone, so a weekly 10:00 stand-up stays at 10:00 across the clock change.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo


def occurrence_dates(
    *,
    first: dt.date,
    weekly: bool,
    last: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dt.date]:
    """Dates of the occurrences between ``start`` and ``end`` (inclusive, both optional)."""
    if not weekly:
        dates = [first]
    else:
        lo = first if start is None or start <= first else start
        # First occurrence on or after lo.
        offset = (lo - first).days
        weeks = -(-offset // 7)
        day = first + dt.timedelta(weeks=weeks)
        dates = []
        stop = last if end is None else min(last, end)
        while day <= stop:
            dates.append(day)
            day += dt.timedelta(weeks=1)
    return [d for d in dates if (start is None or d >= start) and (end is None or d <= end)]


def is_occurrence(*, first: dt.date, weekly: bool, last: dt.date, day: dt.date) -> bool:
    if not weekly:
        return day == first
    return first <= day <= last and (day - first).days % 7 == 0


def starts_at(day: dt.date, time: dt.time, time_zone: str) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(time_zone))


def ends_at(day: dt.date, time: dt.time, time_zone: str, minutes: int) -> dt.datetime:
    """When the occurrence on ``day`` ends: its start plus its length in elapsed time (in UTC,
    so an occurrence across the clock change lasts as long as any other)."""
    return starts_at(day, time, time_zone).astimezone(dt.UTC) + dt.timedelta(minutes=minutes)


def next_occurrence(
    *,
    first: dt.date,
    weekly: bool,
    last: dt.date,
    time: dt.time,
    time_zone: str,
    minutes: int,
    now: dt.datetime,
) -> dt.date | None:
    """The date of the first occurrence that has not ended at ``now`` (an aware instant), or
    None. Today's occurrence in the event's zone is next until it ends, not all day; the day
    before is looked at too, for an occurrence that runs past midnight."""
    today_there = now.astimezone(zoneinfo.ZoneInfo(time_zone)).date()
    for day in occurrence_dates(
        first=first, weekly=weekly, last=last, start=today_there - dt.timedelta(days=1)
    ):
        if ends_at(day, time, time_zone, minutes) > now:
            return day
    return None
