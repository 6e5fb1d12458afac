"""Hostile input on the community forms: stand-up groups (generate, move), events and weekly
stand-ups (coordinator), the directory (search, listing, the contact relay) and show-and-tell
(mentee)."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given

from community.forms import (
    ContactForm,
    DirectoryListingForm,
    DirectorySearchForm,
    EventForm,
    GenerateGroupsForm,
    MoveForm,
    ProjectSummaryForm,
    StandupScheduleForm,
)
from community.models import ContactMessage, DirectoryListing, GroupMember, StandupGroup
from programmes.models import Enrolment
from programmes.tests.factories import EnrolmentFactory

from .support import (
    PROFILE,
    SHORT,
    Valid,
    assert_all_or_nothing,
    assert_refused_cleanly,
    cohort_at,
    cohort_url,
    covers,
    form_data,
    get,
    sending,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(cohort, mentor, mentee, time_machine):
    """The cohort runs, a week before its end (show-and-tell is open); both are listed."""
    cohort_at(cohort, "running", time_machine, dt.datetime(2027, 3, 26, 12, tzinfo=dt.UTC))
    for user in (mentor, mentee):
        DirectoryListing.objects.create(enrolment=Enrolment.objects.get(user=user), opted_in=True)
    return cohort


def _group_one(cohort):
    return StandupGroup.objects.get_or_create(cohort=cohort, number=1, name="Group 1")[0]


GROUPS = Valid(min_size="2", max_size="3", seed="7")


@covers(GenerateGroupsForm, via="community:groups_generate", persona="coordinator")
@SHORT
@given(data=GROUPS.bodies())
def test_generate_groups_form_with_hostile_values(client, coordinator, running, data):
    url = cohort_url("community:groups_generate", running)
    attempt = submit(client, url, data, persona=coordinator)
    assert_all_or_nothing(
        attempt,
        effect={"community.standupgroup", "community.groupmember"},
        must_accept=GROUPS.all_valid(data),
    )


@covers(MoveForm, via="community:groups_move", persona="coordinator")
@SHORT
@given(data=form_data(group="GROUP"))
def test_move_form_with_hostile_values(client, coordinator, running, other_cohort, data):
    group = _group_one(running)
    foreign = EnrolmentFactory(cohort=other_cohort, role="mentee")
    mine = Enrolment.objects.filter(cohort=running).first()
    for enrolment in (mine, foreign):  # one of the cohort, one from another programme
        body = {"enrolment": str(enrolment.pk)}
        body.update({f"m{enrolment.pk}-enrolment": str(enrolment.pk)})
        for key, value in data.items():
            body[f"m{enrolment.pk}-{key}"] = str(group.pk) if value == "GROUP" else value
        url = cohort_url("community:groups_move", running)
        with sending(client, url, body, persona=coordinator) as attempt:
            members = list(GroupMember.objects.values_list("enrolment_id", flat=True))
        assert_all_or_nothing(attempt, effect={"community.groupmember"})
        assert foreign.pk not in members


EVENT = Valid(
    {
        "event-kind": "hub-day",
        "event-title": "Hub day",
        "event-first_date": "2027-03-30",
        "event-start_time": "10:00",
        "event-duration_minutes": "60",
        "event-time_zone": "Europe/London",
        "event-location": "1 Horse Guards Road",
        "event-video_url": "https://meet.example/abc",
        "event-description": "Bring your laptop",
    }
)


@covers(EventForm, via="community:events", persona="coordinator")
@SHORT
@given(data=EVENT.bodies(**{"event-weekly": "", "event-repeat_until": "2027-04-02"}))
def test_event_form_with_hostile_values(client, coordinator, running, data):
    attempt = submit(client, cohort_url("community:events", running), data, persona=coordinator)
    assert_all_or_nothing(
        attempt,
        effect={"community.event", "notifications.email"},
        must_accept=EVENT.all_valid(data),
    )


STANDUP = Valid(
    {
        "standup-first_date": "2027-03-29",
        "standup-start_time": "09:30",
        "standup-duration_minutes": "30",
        "standup-time_zone": "Europe/London",
        "standup-video_url": "https://meet.example/standup",
        "standup-location": "",
    }
)


@covers(StandupScheduleForm, via="community:standups_schedule", persona="coordinator")
@SHORT
@given(data=STANDUP.bodies())
def test_standup_schedule_form_with_hostile_values(client, coordinator, running, data):
    GroupMember.objects.get_or_create(
        group=_group_one(running), enrolment=Enrolment.objects.filter(cohort=running).first()
    )
    url = cohort_url("community:standups_schedule", running)
    attempt = submit(client, url, data, persona=coordinator)
    assert_all_or_nothing(
        attempt,
        effect={"community.event", "notifications.email"},
        must_accept=STANDUP.all_valid(data),
    )


@covers(DirectorySearchForm, via="community:directory", persona="mentee")
@PROFILE
@given(data=form_data(q="Mentor", skill="1"))
def test_directory_search_with_hostile_values(client, mentee, running, data):
    url = reverse("community:directory", args=[running.pk])
    attempt = submit(client, url, data, persona=mentee, send=get)
    assert_refused_cleanly(attempt)  # a search never writes


@covers(DirectoryListingForm, via="community:directory_listing", persona="mentee")
@PROFILE
@given(data=form_data(opted_in="on", show_email="on"))
def test_directory_listing_form_with_hostile_values(client, mentee, running, data):
    DirectoryListing.objects.filter(enrolment__user=mentee).update(opted_in=False)
    url = reverse("community:directory_listing", args=[running.pk])
    attempt = submit(client, url, data, persona=mentee)
    assert_all_or_nothing(attempt, effect={"community.directorylisting"})


MESSAGE = Valid(subject="Your project", body="Could we talk about SQL?")


@covers(ContactForm, via="community:contact", persona="mentee")
@PROFILE
@given(data=MESSAGE.bodies())
def test_contact_relay_form_with_hostile_values(client, mentee, mentor, running, data):
    recipient = Enrolment.objects.get(user=mentor)
    url = reverse("community:contact", args=[running.pk, recipient.pk])
    with sending(client, url, data, persona=mentee) as attempt:
        sent = list(ContactMessage.objects.values_list("subject", "body"))
    assert_all_or_nothing(
        attempt,
        effect={"community.contactmessage", "notifications.email"},
        must_accept=MESSAGE.all_valid(data),
    )
    # A message and its email together, or neither; never a NUL or an unbounded body.
    assert ("community.contactmessage" in attempt.changed) == (
        "notifications.email" in attempt.changed
    )
    assert all("\x00" not in s + b and len(s) <= 120 and len(b) <= 3000 for s, b in sent)


SUMMARY = Valid(title="Forecasting demand", summary="A model of demand", outcomes="Used weekly")


@covers(ProjectSummaryForm, via="community:show_and_tell", persona="mentee")
@PROFILE
@given(data=SUMMARY.bodies(action="publish"))
def test_show_and_tell_form_with_hostile_values(client, mentee, running, data):
    url = reverse("community:show_and_tell", args=[running.pk])
    attempt = submit(client, url, data, persona=mentee)
    assert_all_or_nothing(
        attempt,
        # Publishing feeds duplicate-project detection through the mentee's project.
        effect={"community.projectsummary", "recruitment.project"},
        must_accept=SUMMARY.all_valid(data),
    )
