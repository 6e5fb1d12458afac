"""The "Next" date of an event on the coordinators' events page and the cohort community page:
the first occurrence that has not ended yet, in the event's time zone, not merely today's."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def _weekly(cohort, *, first, time, time_zone="Europe/London", minutes=30):
    return EventFactory(
        cohort=cohort,
        title="Stand-up",
        weekly=True,
        first_date=first,
        start_time=time,
        time_zone=time_zone,
        duration_minutes=minutes,
        location="Hub",
    )


def _next_dates(client, user, cohort, *, coordinator):
    client.force_login(user)
    if coordinator:
        url = reverse("community:events", args=[cohort.programme.slug, cohort.pk])
    else:
        url = reverse("community:cohort", args=[cohort.pk])
    response = client.get(url)
    assert response.status_code == 200
    return [event.next_date for event in response.context["events"]], response.content.decode()


@pytest.mark.parametrize(
    ("time", "time_zone", "minutes", "expected"),
    [
        # Tuesday 2 Feb 2027, 12:00 in London (UTC in winter).
        (dt.time(10), "Europe/London", 30, dt.date(2027, 2, 9)),  # ended at 10:30
        (dt.time(11, 45), "Europe/London", 30, dt.date(2027, 2, 2)),  # on now, until 12:15
        (dt.time(13), "Europe/London", 30, dt.date(2027, 2, 2)),  # later today
        (dt.time(10), "America/New_York", 30, dt.date(2027, 2, 2)),  # 15:00 UTC, to come
        (dt.time(10), "Asia/Tokyo", 30, dt.date(2027, 2, 9)),  # 01:00 UTC, long over
    ],
)
def test_next_is_the_first_occurrence_that_has_not_ended(
    client, coordinator, running, today, time, time_zone, minutes, expected
):
    _weekly(running, first=dt.date(2027, 1, 12), time=time, time_zone=time_zone, minutes=minutes)
    dates, page = _next_dates(client, coordinator, running, coordinator=True)
    assert dates == [expected]
    assert f"<td>{expected:%-d %b}</td>" in page


def test_a_participant_sees_next_weeks_stand_up_once_todays_has_finished(
    client, mentee, running, today
):
    _weekly(running, first=dt.date(2027, 1, 12), time=dt.time(10))
    dates, page = _next_dates(client, mentee, running, coordinator=False)
    assert dates == [dt.date(2027, 2, 9)] and "Next: Tue 9 Feb" in page


def test_an_occurrence_still_to_come_where_it_happens_is_next_after_midnight_here(
    client, coordinator, running
):
    """Tuesdays 18:00 in Los Angeles is Wednesday 02:00 in London: at 00:30 on Wednesday in
    London, Tuesday's has not started."""
    _weekly(running, first=dt.date(2027, 1, 12), time=dt.time(18), time_zone="America/Los_Angeles")
    with time_machine.travel(dt.datetime(2027, 2, 3, 0, 30, tzinfo=dt.UTC), tick=False):
        dates, _ = _next_dates(client, coordinator, running, coordinator=True)
    assert dates == [dt.date(2027, 2, 2)]


def test_a_one_off_event_shows_finished_once_it_has_ended(client, mentee, running):
    EventFactory(
        cohort=running, title="Hub day", first_date=dt.date(2027, 2, 2), start_time=dt.time(10)
    )
    with time_machine.travel(dt.datetime(2027, 2, 2, 12, tzinfo=dt.UTC), tick=False):
        dates, page = _next_dates(client, mentee, running, coordinator=False)
    assert dates == [None] and "Finished" in page
