"""A new event, a directory listing and a show-and-tell summary, posted through their pages: the
form checks each field as typed and the service validates the model once (the forms are no
ModelForms; see docs/architecture.md, "forms"). An edit form shows what is stored."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from community.models import DirectoryListing, Event, ProjectSummary
from programmes.models import Enrolment

from .conftest import HUB_DAY
from .factories import ProjectSummaryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def validated(validations):
    return validations(
        {
            Event: ("title",),
            DirectoryListing: ("opted_in", "show_email"),
            ProjectSummary: ("title", "summary", "outcomes"),
        }
    )


def _checked(html: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, name
    return " checked" in tag.group(0)


def test_an_event_is_created_with_one_validation(client, coordinator, running, today, validated):
    client.force_login(coordinator)
    url = reverse("community:events", args=[running.programme.slug, running.pk])
    response = client.post(
        url,
        HUB_DAY,
    )
    assert response.status_code == 302 and validated == [("Event", "Hub day")]
    assert Event.objects.get().title == "Hub day"


def test_an_event_the_model_refuses_is_shown_with_the_models_message(
    client, coordinator, running, today
):
    """The duration's range is the model's (its validators and a constraint): the form runs the
    model field's validators and refuses it on the field, in plain words, not as an error page
    or a constraint's name; the model's clean() refuses a weekly event ending before it
    starts."""
    client.force_login(coordinator)
    url = reverse("community:events", args=[running.programme.slug, running.pk])
    response = client.post(
        url,
        {**HUB_DAY, "event-duration_minutes": 1},
    )
    assert response.status_code == 200 and not Event.objects.exists()
    assert response.context["form"].errors == {
        "duration_minutes": ["An event lasts between 5 and 600 minutes (10 hours)."]
    }
    weekly = {**HUB_DAY, "event-weekly": "on", "event-repeat_until": "2027-03-01"}
    response = client.post(url, weekly)
    assert response.status_code == 200 and not Event.objects.exists()
    assert response.context["form"].non_field_errors() == [
        "A weekly event cannot stop repeating before its first date: give a later “repeat "
        "until” date or leave it empty."
    ]
    assert "event_" not in response.content.decode().split("<form")[1]  # no constraint names


def test_a_directory_listing_is_shown_and_changed_with_one_validation(
    client, mentee, running, validated
):
    enrolment = Enrolment.objects.get(user=mentee, cohort=running)
    DirectoryListing.objects.create(enrolment=enrolment, opted_in=True, show_email=True)
    client.force_login(mentee)
    url = reverse("community:directory_listing", args=[running.pk])
    html = client.get(url).content.decode()
    assert _checked(html, "opted_in") and _checked(html, "show_email")  # what is stored
    # Unlisted, the address is hidden whatever was ticked: validated once, as it is saved.
    response = client.post(url, {"show_email": "on"})
    assert response.status_code == 302
    assert validated == [("DirectoryListing", False, False)]
    listing = DirectoryListing.objects.get(enrolment=enrolment)
    assert (listing.opted_in, listing.show_email) == (False, False)
    # Never listed yet (no row): the form is empty, and a listing is made, validated once.
    DirectoryListing.objects.all().delete()
    html = client.get(url).content.decode()
    assert not _checked(html, "opted_in") and not _checked(html, "show_email")
    validated.clear()
    assert client.post(url, {"opted_in": "on"}).status_code == 302
    assert validated == [("DirectoryListing", True, False)]
    assert DirectoryListing.objects.get(enrolment=enrolment).opted_in


def test_a_show_and_tell_summary_is_shown_and_changed_with_one_validation(
    client, mentee, running, validated
):
    enrolment = Enrolment.objects.get(user=mentee, cohort=running)
    ProjectSummaryFactory(enrolment=enrolment, title="Forecasting demand", outcomes="Weekly")
    url = reverse("community:show_and_tell", args=[running.pk])
    with time_machine.travel(dt.datetime(2027, 3, 25, 12, 0), tick=False):  # show-and-tell open
        client.force_login(mentee)
        html = client.get(url).content.decode()
        assert 'value="Forecasting demand"' in html and "Weekly</textarea>" in html
        response = client.post(
            url, {"title": "Forecasting demand better", "summary": "A model", "outcomes": ""}
        )
    assert response.status_code == 302
    assert validated == [("ProjectSummary", "Forecasting demand better", "A model", "")]
    summary = ProjectSummary.objects.get()
    assert (summary.title, summary.outcomes, summary.published) == (
        "Forecasting demand better",
        "",
        False,
    )


def test_a_weekly_event_cannot_repeat_past_the_cohorts_end(client, coordinator, running, today):
    """Its invitations and reminders would go to people whose cohort has ended (2 April 2027)."""
    client.force_login(coordinator)
    url = reverse("community:events", args=[running.programme.slug, running.pk])
    weekly = {
        **HUB_DAY,
        "event-first_date": "2027-02-09",
        "event-weekly": "on",
        "event-repeat_until": "2027-06-01",
    }
    response = client.post(url, weekly)
    assert response.status_code == 200 and not Event.objects.exists()
    assert response.context["form"].errors == {
        "repeat_until": ["The cohort ends on 2 Apr 2027: a weekly event stops on or before it."]
    }
    assert 'value="2027-06-01"' in response.content.decode()
    assert client.post(url, {**weekly, "event-repeat_until": "2027-04-02"}).status_code == 302
    assert Event.objects.get().repeat_until == dt.date(2027, 4, 2)


def test_todays_session_is_coming_up_until_it_ends(client, coordinator, mentee, running):
    """A session at 14:00 today is listed under "Coming up" in the morning (its attendance can
    already be taken: the facilitator may take it during the session), not only afterwards."""
    event = Event.objects.create(
        cohort=running,
        kind="hub-day",
        title="Hub day",
        location="Hub",
        first_date=dt.date(2027, 2, 2),
        start_time=dt.time(14),
        duration_minutes=60,
        time_zone="Europe/London",
        created_by=coordinator,
    )
    url = reverse("community:event", args=[event.pk])
    with time_machine.travel(dt.datetime(2027, 2, 2, 9, tzinfo=dt.UTC), tick=False):
        client.force_login(mentee)
        page = client.get(url).content.decode()
    coming_up = page.split("Coming up", 1)[1].split("</ul>", 1)[0]
    assert "Today, Tuesday 2 February 2027" in coming_up
    with time_machine.travel(dt.datetime(2027, 2, 2, 16, tzinfo=dt.UTC), tick=False):
        page = client.get(url).content.decode()
    assert "Coming up" not in page
    assert "Today, Tue 2 Feb 2027" in page  # the attendance sheet's date
