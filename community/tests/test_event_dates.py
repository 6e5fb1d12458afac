"""A new event is refused when its first occurrence is already over (in the event's time zone),
or when it would start after the cohort has ended: said on the date, with what was typed kept,
and no one is invited."""

import datetime as dt

import pytest
from django.urls import reverse

from community import services
from community.models import Event
from notifications.models import Email

from .conftest import add_people

pytestmark = pytest.mark.django_db

PAST = "This would already be over: choose a date and time still to come."
# Today is Tuesday 2 February 2027, 12:00 in London (the ``today`` fixture).
SESSION = {
    "event-kind": "other",
    "event-title": "Data ethics session",
    "event-first_date": "2027-02-02",
    "event-start_time": "14:00",
    "event-duration_minutes": 60,
    "event-time_zone": "Europe/London",
    "event-location": "Drummond Gate, London",
}


def _post(client, coordinator, cohort, **changes):
    client.force_login(coordinator)
    url = reverse("community:events", args=[cohort.programme.slug, cohort.pk])
    return client.post(url, {**SESSION, **{f"event-{k}": v for k, v in changes.items()}})


@pytest.mark.parametrize(
    "changes",
    [
        {"first_date": "2027-01-28"},  # last week
        {"start_time": "09:00"},  # this morning
        {"start_time": "10:00", "weekly": "on"},  # a weekly event whose first date is over
        {"start_time": "10:00", "time_zone": "Asia/Tokyo"},  # 10:00 in Tokyo is 01:00 here
    ],
)
def test_an_event_already_over_is_refused_on_its_date_with_what_was_typed_kept(
    client, coordinator, running, today, changes
):
    add_people(running, 2)
    response = _post(client, coordinator, running, **changes)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"first_date": [PAST]}
    page = response.content.decode()
    assert PAST in page and 'value="Data ethics session"' in page
    assert f'value="{changes.get("first_date", "2027-02-02")}"' in page
    assert not Event.objects.exists() and not Email.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {},  # this afternoon
        {"start_time": "11:30"},  # on now, until 12:30
        {"start_time": "10:00", "time_zone": "America/New_York"},  # 15:00 here, still to come
    ],
)
def test_an_event_still_to_come_or_under_way_is_created(
    client, coordinator, running, today, changes
):
    assert _post(client, coordinator, running, **changes).status_code == 302
    assert Event.objects.count() == 1


def test_weekly_stand_ups_from_a_past_date_are_refused(client, coordinator, running, today):
    add_people(running, 10)
    services.groups_generate(cohort=running, by=coordinator, min_size=5, max_size=8)
    services.groups_publish(cohort=running, by=coordinator)
    client.force_login(coordinator)
    url = reverse("community:standups_schedule", args=[running.programme.slug, running.pk])
    response = client.post(
        url,
        {
            "standup-first_date": "2027-01-26",
            "standup-start_time": "10:00",
            "standup-duration_minutes": 30,
            "standup-time_zone": "Europe/London",
            "standup-location": "Hub",
        },
    )
    assert response.status_code == 200
    assert response.context["standup_form"].errors == {"first_date": [PAST]}
    assert not Event.objects.exists() and not Email.objects.exists()


def test_a_one_off_event_after_the_cohort_ends_is_refused(client, coordinator, running, today):
    assert running.ends_on == dt.date(2027, 4, 2)
    response = _post(client, coordinator, running, first_date="2027-04-03")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "first_date": ["The cohort ends on 2 Apr 2027: choose a date on or before it."]
    }
    assert 'value="2027-04-03"' in response.content.decode()
    assert not Event.objects.exists()
    assert _post(client, coordinator, running, first_date="2027-04-02").status_code == 302


def test_a_weekly_event_starting_after_the_cohort_ends_is_refused(
    client, coordinator, running, today
):
    response = _post(client, coordinator, running, first_date="2027-04-06", weekly="on")
    assert response.context["form"].errors == {
        "first_date": ["The cohort ends on 2 Apr 2027: choose a date on or before it."]
    }
    assert not Event.objects.exists()


def test_an_existing_event_whose_date_has_passed_still_takes_attendance(
    client, coordinator, hub_day, today
):
    """The refusal is for new events: a past event stays usable (its attendance is taken)."""
    client.force_login(coordinator)
    url = reverse("community:event_attendance", args=[hub_day.pk])
    response = client.post(url, {"occurrence": "2027-01-14", "present": []})
    assert response.status_code == 302
