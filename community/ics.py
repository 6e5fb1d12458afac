"""iCalendar files for events (RFC 5545), built with the icalendar package. No Django.

One VEVENT per event with a stable UID, so a second invitation (after an edit) updates the
same calendar entry rather than adding another; a weekly event carries an RRULE up to its last
date, in the event's own time zone (with a VTIMEZONE), so it follows the clock change.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import icalendar

from lib.nolinks import defuse

PRODID = "-//Mentorship//Community events//EN"


@dataclass(frozen=True)
class IcsEvent:
    uid: str
    title: str
    first_date: dt.date
    start_time: dt.time
    duration_minutes: int
    time_zone: str
    weekly: bool = False
    last_date: dt.date | None = None
    description: str = ""
    location: str = ""
    url: str = ""
    sequence: int = 0
    organizer_email: str = ""


def event_ics(event: IcsEvent, *, stamp: dt.datetime | None = None) -> str:
    tz = zoneinfo.ZoneInfo(event.time_zone)
    start = dt.datetime.combine(event.first_date, event.start_time, tzinfo=tz)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp or dt.datetime.now(dt.UTC))
    vevent.add("sequence", event.sequence)
    # Title, description and place are typed by people: defused so no calendar app links them;
    # the event's own join link (url) is the one link the file carries.
    vevent.add("summary", defuse(event.title))
    vevent.add("dtstart", start)
    vevent.add("dtend", start + dt.timedelta(minutes=event.duration_minutes))
    if event.weekly and event.last_date:
        # UNTIL in UTC, at the end of the last date, as RFC 5545 asks when DTSTART has a zone.
        until = dt.datetime.combine(event.last_date, dt.time(23, 59, 59), tzinfo=tz)
        vevent.add("rrule", {"freq": "weekly", "until": until.astimezone(dt.UTC)})
    if event.location or event.url:
        vevent.add("location", defuse(event.location) if event.location else event.url)
    if event.url:
        vevent.add("url", event.url)
    description = defuse(event.description)
    if event.url:
        description = f"{description}\n\nJoin: {event.url}".strip()
    if description:
        vevent.add("description", description)
    if event.organizer_email:
        vevent.add("organizer", f"mailto:{event.organizer_email}")
    cal.add_component(vevent)
    # A VTIMEZONE covering the event's own years keeps the file small.
    last = event.last_date or event.first_date
    cal.add_missing_timezones(
        first_date=dt.date(event.first_date.year, 1, 1), last_date=dt.date(last.year + 1, 1, 1)
    )
    return cal.to_ical().decode()
