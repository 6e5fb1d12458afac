"""A suggested check-in slot and its calendar invitation (.ics). Pure.

The slot is the first half hour, on or after the due date, at which a one-hour meeting fits inside
both people's working hours (09:00-17:00 in each one's time zone, weekdays that are not UK bank
holidays). The event's UID is stable per pair and due date, so a calendar that receives the
invitation twice keeps one event.

The invitation is written here, not with the icalendar package: one rhythm run writes one per
active pair (20,000 in a national programme), and icalendar's generic writer cost 2.6 ms each
(a fifth of the run). The text is byte for byte what icalendar 7 writes for the same event
(rhythm/tests/test_ics.py compares them): the same property order, RFC 5545 text escaping and
line folding.
"""

import datetime as dt
from functools import lru_cache

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
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:" + _text("-//Mentorship//Programme rhythm//EN"),
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        # Names in the summary and description are people's own text: no calendar app may link
        # them.
        "SUMMARY:" + _text(defuse(summary)),
        "DTSTART:" + _utc(start),
        "DTEND:" + _utc(start + dt.timedelta(minutes=minutes)),
        "DTSTAMP:" + _utc(stamp),
        "UID:" + _text(uid),
        "DESCRIPTION:" + _text(defuse(description)),
        "TRANSP:OPAQUE",
        "URL:" + url,
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)


def _utc(moment: dt.datetime) -> str:
    """A UTC date-time (RFC 5545 3.3.5, form 2), to the second."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 3.3.11 says (and in icalendar's order: a literal ``\\N``
    is a line break, then backslashes, semicolons, commas and line breaks)."""
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str, limit: int = 75) -> str:
    """RFC 5545 3.1 folding as icalendar does it: pieces under ``limit`` octets, never ending a
    piece on a backslash or caret (an escape stays whole), joined by CRLF and a space."""
    if line.isascii():  # one octet a character: cut by length
        pieces, i, width = [], 0, limit - 1
        while len(line) - i > width:
            piece = line[i : i + width]
            if piece[-1] in "\\^":
                piece = piece[:-1]
            pieces.append(piece)
            i += len(piece)
        pieces.append(line[i:])
        return "\r\n ".join(pieces)
    pieces = []
    current: list[str] = []
    size = 0
    for char in line:
        n = len(char.encode())
        if current and size + n >= limit:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                pieces.append("".join(current))
                current, size = [carried], len(carried.encode())
            else:
                pieces.append("".join(current))
                current, size = [], 0
        current.append(char)
        size += n
    if current:
        pieces.append("".join(current))
    return "\r\n ".join(pieces)
