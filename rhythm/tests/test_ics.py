"""rhythm.ics writes the check-in invitation itself (icalendar's generic writer was a fifth of a
rhythm run): the text must stay byte for byte what icalendar writes for the same event, and
icalendar must read it back to the same values."""

import datetime as dt
import random

from icalendar import Calendar, Event

from lib.nolinks import defuse
from rhythm.ics import checkin_ics


def icalendar_reference(*, uid, start, summary, description, url, stamp, minutes=60) -> str:
    """What rhythm.ics wrote with icalendar before: the reference."""
    cal = Calendar()
    cal.add("prodid", "-//Mentorship//Programme rhythm//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", start.astimezone(dt.UTC))
    event.add("dtend", (start + dt.timedelta(minutes=minutes)).astimezone(dt.UTC))
    event.add("summary", defuse(summary))
    event.add("description", defuse(description))
    event.add("url", url)
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    return cal.to_ical().decode()


ALPHABET = "abc XYZ 019 ,;:\\^\n\r\t\"'<>&é€𝄞 ßñ—.@/" + "\\N"


def texts(rng: random.Random, n: int):
    yield ""
    yield "x" * 200
    yield "\\" * 150
    yield "a" * 61 + "\\;" + "b" * 100  # an escape across the fold
    yield "é" * 80
    yield "Jo O'Neil, Ana; Bob \\ Carol\r\nline two\rline three\\N"
    for _ in range(n):
        yield "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 400)))


def test_invitation_is_byte_for_byte_what_icalendar_writes():
    rng = random.Random(19)
    tz = dt.timezone(dt.timedelta(hours=5, minutes=30))
    for i, text in enumerate(texts(rng, 300)):
        kw = {
            "uid": f"checkin-{i}-2026-12-29@example,{text[:10]}",
            "start": dt.datetime(2026, 12, 29, 14, 30, 7, 123456, tzinfo=tz),
            "summary": f"Mentoring check-in: {text[:90]} and {text[::-1][:90]}",
            "description": f"Programme, cohort. {text} Log it: https://x.example/pairs/{i}/",
            "url": f"https://x.example/pairs/{i}/?a=1,b;c",
            "stamp": dt.datetime(2026, 12, 24, 9, 1, 2, 999, tzinfo=dt.UTC),
        }
        assert checkin_ics(**kw) == icalendar_reference(**kw), text


def test_icalendar_reads_the_invitation_back():
    start = dt.datetime(2026, 12, 29, 14, tzinfo=dt.UTC)
    ics = checkin_ics(
        uid="checkin-7-2026-12-29@example",
        start=start,
        summary="Ana; Bob, and \\ Carol " * 5,
        description="Line one\nline two, é " * 10,
        url="https://x.example/pairs/7/",
        stamp=start,
    )
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["summary"]) == "Ana; Bob, and \\ Carol " * 5
    assert str(event["description"]) == "Line one\nline two, é " * 10
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == start + dt.timedelta(hours=1)
