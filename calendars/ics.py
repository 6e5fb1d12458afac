"""One feed as an iCalendar file (RFC 5545), built with the icalendar package. No Django.

Each event is a JSON-ready dict (what FeedEntry stores), so a cancelled event can be published
again from what the feed last said about it:

- ``start``/``end``: ISO dates for all-day events; ISO date-times with ``tz`` either "UTC"
  (an aware instant) or an IANA zone (wall-clock time, with a VTIMEZONE in the file);
- ``rrule_until``: the last date of a weekly event, or "".
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar

PRODID = "-//Mentorship//Calendar feed//EN"


def _moment(value: str, tz: str):
    if "T" not in value:
        return dt.date.fromisoformat(value)
    moment = dt.datetime.fromisoformat(value)
    if tz == "UTC":
        return moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=zoneinfo.ZoneInfo(tz))


def feed_ics(*, name: str, entries: list[tuple[dict, int, dt.datetime, bool]]) -> str:
    """``entries``: (event, sequence, dtstamp, cancelled) in the order to write them."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-published-ttl", dt.timedelta(hours=1))
    years = set()
    for event, sequence, stamp, cancelled in entries:
        start = _moment(event["start"], event.get("tz", "UTC"))
        end = _moment(event["end"], event.get("tz", "UTC"))
        years.add(start.year)
        vevent = icalendar.Event()
        vevent.add("uid", event["uid"])
        vevent.add("dtstamp", stamp.astimezone(dt.UTC))
        vevent.add("sequence", sequence)
        vevent.add("summary", event["summary"])
        vevent.add("dtstart", start)
        vevent.add("dtend", end)
        if event.get("rrule_until"):
            tz = zoneinfo.ZoneInfo(event["tz"])
            last = dt.date.fromisoformat(event["rrule_until"])
            until = dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=tz)
            vevent.add("rrule", {"freq": "weekly", "until": until.astimezone(dt.UTC)})
            years.add(last.year)
        if event.get("description"):
            vevent.add("description", event["description"])
        if event.get("location"):
            vevent.add("location", event["location"])
        if event.get("url"):
            vevent.add("url", event["url"])
        vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        vevent.add(
            "transp",
            "TRANSPARENT"
            if isinstance(start, dt.date) and not isinstance(start, dt.datetime)
            else "OPAQUE",
        )
        cal.add_component(vevent)
    if years:
        cal.add_missing_timezones(
            first_date=dt.date(min(years), 1, 1), last_date=dt.date(max(years) + 1, 12, 31)
        )
    return cal.to_ical().decode()
