"""A suggested check-in slot and its calendar invitation (.ics). Pure apart from icalendar.

The slot is the first half hour, on or after the due date, at which a one-hour meeting fits inside
both people's working hours (09:00-17:00 in each one's time zone, weekdays that are not UK bank
holidays). The event's UID is stable per pair and due date, so a calendar that receives the
invitation twice keeps one event.
"""

import datetime as dt
from functools import lru_cache

from icalendar import Calendar, Event

from lib.nolinks import defuse
from notifications.windows import WORK_END, WORK_START, is_working_day, zone

MEETING_MINUTES = 60
SEARCH_DAYS = 14
STEP = dt.timedelta(minutes=30)


def _fits(start: dt.datetime, end: dt.datetime, time_zone: str, holidays) -> bool:
    tz = zone(time_zone)
    a, b = start.astimezone(tz), end.astimezone(tz)
    return (
        a.date() == b.date()
        and is_working_day(a.date(), holidays)
        and a.time() >= WORK_START
        and b.time() <= WORK_END
    )


@lru_cache(maxsize=4096)
def suggest_slot(
    due: dt.date, zones: tuple[str, ...], holidays: frozenset[dt.date]
) -> tuple[dt.datetime, bool]:
    """(start in UTC, whether it suits everyone). When no slot suits all within two weeks
    (time zones too far apart), the first slot in the first person's hours is suggested."""
    length = dt.timedelta(minutes=MEETING_MINUTES)
    # From the earliest moment any of the zones has reached the due date.
    start = min(dt.datetime.combine(due, dt.time(0), tzinfo=zone(z)) for z in zones)
    start = start.astimezone(dt.UTC)
    end_search = start + dt.timedelta(days=SEARCH_DAYS)
    t = start
    while t < end_search:
        if all(
            t.astimezone(zone(z)).date() >= due and _fits(t, t + length, z, holidays) for z in zones
        ):
            return t, True
        t += STEP
    return suggest_slot(due, zones[:1], holidays)[0], False


def checkin_ics(
    *,
    uid: str,
    start: dt.datetime,
    summary: str,
    description: str,
    url: str,
    stamp: dt.datetime,
    minutes: int = MEETING_MINUTES,
) -> str:
    """An iCalendar file with one event: a suggestion to add to a calendar (METHOD:PUBLISH), not
    a meeting request that expects replies."""
    cal = Calendar()
    cal.add("prodid", "-//Mentorship//Programme rhythm//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", (start + dt.timedelta(minutes=minutes)).astimezone(dt.UTC))
    # Names in the summary and description are people's own text: no calendar app may link them.
    event.add("summary", defuse(summary))
    event.add("description", defuse(description))
    event.add("url", url)
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    return cal.to_ical().decode()
