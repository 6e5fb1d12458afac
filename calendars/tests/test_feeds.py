"""Calendar feeds: every feed is parsed with icalendar and checked against RFC 5545's rules."""

import datetime as dt
import re

import icalendar
import pytest
import time_machine
from django.urls import reverse

from calendars import services
from calendars.models import CalendarFeed
from community.models import Event, GroupMember, StandupGroup
from pairing.models import Pair
from pairing.tests.factories import CheckInFactory
from people.services import person_erase
from programmes.models import Enrolment
from programmes.tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


@pytest.fixture
def world(cohort, mentor, mentee, coordinator):
    cohort.status = "running"
    cohort.save()
    pair = Pair.objects.create(
        cohort=cohort,
        mentor=Enrolment.objects.get(user=mentor, cohort=cohort),
        mentee=Enrolment.objects.get(user=mentee, cohort=cohort),
        started_on=dt.date(2027, 1, 11),
    )
    session = Event.objects.create(
        cohort=cohort,
        kind="session",
        title="Show, tell; and learn",
        description="A long description that goes on and on, " * 6,
        first_date=dt.date(2027, 3, 29),  # the day after the clocks change in London
        start_time=dt.time(10, 0),
        duration_minutes=60,
        time_zone="Europe/London",
    )
    mine = StandupGroup.objects.create(cohort=cohort, name="Group 1", number=1, published=True)
    GroupMember.objects.create(group=mine, enrolment=Enrolment.objects.get(user=mentee))
    other = StandupGroup.objects.create(cohort=cohort, name="Group 2", number=2, published=True)
    stranger = EnrolmentFactory(cohort=cohort, role="mentor").user
    GroupMember.objects.create(group=other, enrolment=Enrolment.objects.get(user=stranger))
    standup = Event.objects.create(
        cohort=cohort,
        group=mine,
        title="Stand-up",
        first_date=dt.date(2027, 2, 3),
        start_time=dt.time(9, 30),
        time_zone="Europe/London",
        weekly=True,
        repeat_until=dt.date(2027, 4, 2),
    )
    theirs = Event.objects.create(
        cohort=cohort,
        group=other,
        title="Their stand-up",
        first_date=dt.date(2027, 2, 4),
        start_time=dt.time(9, 30),
        time_zone="Europe/London",
        weekly=True,
        repeat_until=dt.date(2027, 4, 2),
    )
    return {"pair": pair, "session": session, "standup": standup, "theirs": theirs}


def _fetch(client, user, cohort=None):
    feed = services.feed_get_or_create(user=user, cohort=cohort)
    path = reverse("calendars:feed", kwargs={"token": services.feed_token(feed)})
    client.logout()  # no session needed
    response = client.get(path)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content


def _events(raw: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(raw)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def _check_rfc5545(raw: bytes) -> None:
    """Content lines end in CRLF and are folded at 75 octets; every VEVENT has UID, DTSTAMP in
    UTC and SEQUENCE; TEXT values escape commas and semicolons; each TZID has a VTIMEZONE."""
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line
    unfolded = re.sub(rb"\r\n[ \t]", b"", raw).decode()
    cal = icalendar.Calendar.from_ical(raw)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    zones = {str(z["TZID"]) for z in cal.walk("VTIMEZONE")}
    for event in cal.walk("VEVENT"):
        assert event["UID"] and event.get("SEQUENCE") is not None
        assert event.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)
        start = event["DTSTART"]
        if "TZID" in start.params:
            assert start.params["TZID"] in zones
    for line in unfolded.split("\r\n"):
        if line.startswith("DTSTAMP"):
            assert re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", line), line
        if line.startswith(("SUMMARY", "DESCRIPTION")):
            value = line.split(":", 1)[1]
            assert not re.search(r"(?<!\\)[,;]", value), line


def test_the_mentees_feed_lists_what_they_see_and_nothing_else(client, world, mentee):
    raw = _fetch(client, mentee)
    _check_rfc5545(raw)
    events = _events(raw)
    summaries = sorted(str(e["SUMMARY"]) for e in events.values())
    assert "Mentoring check-in with Morgan Mentor" in summaries
    assert "Stand-up – Data Science Accelerator" in summaries
    assert "Show, tell; and learn – Data Science Accelerator" in summaries
    assert not any("Their stand-up" in s for s in summaries)  # another group's
    assert sum("Spring 2027" in s for s in summaries) == 4  # the milestones

    checkin = events[f"checkin-next-{world['pair'].pk}@127.0.0.1"]
    start = checkin.decoded("DTSTART")
    assert start.utcoffset() == dt.timedelta(0)  # an instant, in UTC
    assert re.search(rb"DTSTART:\d{8}T\d{6}Z", raw)
    # Fortnightly cadence from the start on 11 January: due 25 January, overdue, so from today.
    assert start.date() >= TODAY.date()
    assert checkin.decoded("DTEND") - start == dt.timedelta(hours=1)
    assert "/pairs/" in str(checkin["URL"])

    session = events[world["session"].uid]
    assert session["DTSTART"].params["TZID"] == "Europe/London"
    # 10:00 in London on 29 March 2027 is 09:00 UTC (summer time began the day before).
    assert session.decoded("DTSTART").astimezone(dt.UTC).hour == 9
    standup = events[world["standup"].uid]
    assert standup["RRULE"]["FREQ"] == ["WEEKLY"]
    milestone = next(e for e in events.values() if "half-way" in str(e["SUMMARY"]))
    assert type(milestone.decoded("DTSTART")) is dt.date  # all day


def test_long_text_is_folded_and_escaped(client, world, mentee):
    raw = _fetch(client, mentee)
    assert b"\r\n " in raw  # the long description is folded
    assert b"Show\\, tell\\; and learn" in raw


def test_uids_sequence_and_dtstamp_are_stable_across_fetches(client, world, mentee, today):
    first = _events(_fetch(client, mentee))
    with time_machine.travel(today + dt.timedelta(hours=2), tick=False):
        second = _events(_fetch(client, mentee))
    assert first.keys() == second.keys()
    for uid, event in first.items():
        assert event["SEQUENCE"] == second[uid]["SEQUENCE"] == 0
        assert event.decoded("DTSTAMP") == second[uid].decoded("DTSTAMP")


def test_a_change_keeps_the_uid_and_bumps_the_sequence(client, world, mentee, today):
    uid = f"checkin-next-{world['pair'].pk}@127.0.0.1"
    before = _events(_fetch(client, mentee))
    CheckInFactory(pair=world["pair"], met_on=dt.date(2027, 2, 1))  # the next is due 15 Feb
    session = world["session"]
    session.start_time = dt.time(14, 0)
    session.save()
    later = today + dt.timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        after = _events(_fetch(client, mentee))
    assert after.keys() == before.keys()
    for key in (uid, session.uid):
        assert after[key]["SEQUENCE"] == 1
        assert after[key].decoded("DTSTAMP") == later
        assert after[key].decoded("DTSTART") != before[key].decoded("DTSTART")
    assert after[uid].decoded("DTSTART").date() >= dt.date(2027, 2, 15)
    assert after[world["standup"].uid]["SEQUENCE"] == 0  # unchanged


def test_an_ended_pair_cancels_its_checkin(client, world, mentee, mentor):
    uid = f"checkin-next-{world['pair'].pk}@127.0.0.1"
    _fetch(client, mentee)
    Pair.objects.filter(pk=world["pair"].pk).update(
        status=Pair.Status.ENDED, ended_on=dt.date(2027, 2, 1), end_reason="mentee_left"
    )
    raw = _fetch(client, mentee)
    _check_rfc5545(raw)
    event = _events(raw)[uid]
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1
    again = _events(_fetch(client, mentee))[uid]  # published as cancelled, not bumped again
    assert again["SEQUENCE"] == 1


def test_reset_stops_the_old_address(client, world, mentee):
    feed = services.feed_get_or_create(user=mentee)
    old = reverse("calendars:feed", kwargs={"token": services.feed_token(feed)})
    client.force_login(mentee)
    assert client.post(reverse("calendars:reset")).status_code == 302
    assert client.get(old).status_code == 404
    feed.refresh_from_db()
    assert (
        client.get(
            reverse("calendars:feed", kwargs={"token": services.feed_token(feed)})
        ).status_code
        == 200
    )
    assert not CalendarFeed.objects.filter(token_hash__in=[old.split("/")[-1]]).exists()


def test_the_token_is_stored_only_as_a_hash(world, mentee):
    feed = services.feed_get_or_create(user=mentee)
    token = services.feed_token(feed)
    assert token not in str(CalendarFeed.objects.filter(pk=feed.pk).values().get())
    assert feed.token_hash == services.token_hash(token)


def test_an_erased_or_deactivated_account_has_no_feed(client, world, mentee, mentor):
    feed = services.feed_get_or_create(user=mentee)
    path = reverse("calendars:feed", kwargs={"token": services.feed_token(feed)})
    person_erase(user=mentee, actor=None)
    assert client.get(path).status_code == 404
    feed = services.feed_get_or_create(user=mentor)
    path = reverse("calendars:feed", kwargs={"token": services.feed_token(feed)})
    mentor.is_active = False
    mentor.save()
    assert client.get(path).status_code == 404


def test_forged_tokens_are_404(client, world):
    assert client.get(reverse("calendars:feed", kwargs={"token": "x" * 43})).status_code == 404


def test_feeds_are_rate_limited(client, world, mentee, settings):
    settings.CALENDAR_FEED_RATE = 2
    feed = services.feed_get_or_create(user=mentee)
    path = reverse("calendars:feed", kwargs={"token": services.feed_token(feed)})
    assert [client.get(path).status_code for _ in range(3)] == [200, 200, 429]


def test_the_coordinators_cohort_feed(client, world, coordinator, cohort, outsider):
    client.force_login(coordinator)
    page = client.get(reverse("calendars:cohort", args=[cohort.programme.slug, cohort.pk]))
    assert page.status_code == 200
    assert "webcal://" in page.content.decode()
    raw = _fetch(client, coordinator, cohort)
    _check_rfc5545(raw)
    summaries = {str(e["SUMMARY"]) for e in _events(raw).values()}
    assert "Check-in: Morgan Mentor and Mina Mentee" in summaries
    assert "Their stand-up – Data Science Accelerator" in summaries
    client.force_login(outsider)
    assert (
        client.get(reverse("calendars:cohort", args=[cohort.programme.slug, cohort.pk])).status_code
        == 404
    )
    # No longer a coordinator: the cohort feed stops.
    feed = services.feed_get_or_create(user=coordinator, cohort=cohort)
    cohort.programme.coordinators.remove(coordinator)
    client.logout()
    token = services.feed_token(feed)
    assert client.get(reverse("calendars:feed", kwargs={"token": token})).status_code == 404


def test_the_profile_page_shows_the_feed_with_copy_and_reset(client, world, mentee):
    client.force_login(mentee)
    page = client.get(reverse("people:profile")).content.decode()
    feed = CalendarFeed.objects.get(user=mentee, cohort=None)
    assert f"webcal://127.0.0.1:8000/calendar/{services.feed_token(feed)}.ics" in page
    assert 'data-copy="calendar-feed-webcal"' in page
    assert reverse("calendars:reset") in page


def test_an_outsider_feed_is_empty(client, world, outsider):
    raw = _fetch(client, outsider)
    assert _events(raw) == {}


def test_people_does_not_import_calendars():
    import pathlib

    for path in pathlib.Path("people").rglob("*.py"):
        assert "import calendars" not in path.read_text(), path
        assert "from calendars" not in path.read_text(), path
