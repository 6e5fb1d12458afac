"""Nobody learns who has or has not answered an anonymous survey (issue 15, item 2): the
coordinator's schedule page shows counts of reminders for an anonymous survey, never people."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from feedback.models import SurveyInvitation, SurveySchedule, SurveyTemplate, SurveyVersion
from people.tests.factories import UserFactory
from programmes.models import Cohort
from programmes.tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 10, 16, 10, tzinfo=dt.UTC)


@pytest.fixture
def running(programme):
    cohort = CohortFactory(
        programme=programme, starts_on=dt.date(2026, 10, 5), ends_on=dt.date(2026, 12, 25)
    )
    Cohort.objects.filter(pk=cohort.pk).update(status="running")
    cohort.refresh_from_db()
    return cohort


def _invite(cohort, *, anonymous, names):
    template = SurveyTemplate.objects.create(
        programme=cohort.programme, name=f"Pulse {anonymous}", anonymous=anonymous
    )
    SurveyVersion.objects.create(template=template, number=1, published=True)
    schedule = SurveySchedule.objects.create(
        cohort=cohort, template=template, trigger="cohort_start", close_after_days=30
    )
    people = []
    for name in names:
        person = UserFactory(full_name=name)
        EnrolmentFactory(cohort=cohort, user=person, role="mentee", status="accepted")
        SurveyInvitation.objects.create(
            schedule=schedule, user=person, role="mentee", due_on=dt.date(2026, 10, 12),
            closes_on=dt.date(2026, 11, 10), batch=uuid.uuid4(),
        )  # fmt: skip
        people.append(person)
    return people


@time_machine.travel(NOW, tick=False)
def test_the_schedule_page_counts_anonymous_survey_reminders_and_names_nobody(
    client, coordinator, running
):
    hidden = _invite(running, anonymous=True, names=["Anna Anonymous", "Ben Anonymous"])
    shown = _invite(running, anonymous=False, names=["Ida Identified"])
    client.force_login(coordinator)
    url = reverse("rhythm:cohort_schedule", args=[running.programme.slug, running.pk])
    page = client.get(url).content.decode()
    for person in hidden:
        assert person.full_name not in page and person.email not in page
    assert "2 people (anonymous survey: names are not shown)" in page
    assert shown[0].full_name in page  # identified surveys still name who is due a reminder

    # One of them answers: the count drops, and still nobody is named.
    SurveyInvitation.objects.filter(user=hidden[0]).update(answered_at=NOW)
    page = client.get(url).content.decode()
    assert "1 person (anonymous survey: names are not shown)" in page
    assert hidden[1].full_name not in page and hidden[1].email not in page


@time_machine.travel(dt.datetime(2026, 10, 5, 10, tzinfo=dt.UTC), tick=False)
def test_a_mentor_with_two_mentees_gets_reminders_that_say_which_pair(running):
    """Each of a mentor's two pairs has its own invitation: each reminder says which pair
    (found walking as the mentor: the invitations did not; the reminders did not either)."""
    from notifications.models import Email
    from pairing.tests.factories import PairFactory
    from rhythm import services

    mentor = EnrolmentFactory(cohort=running, role="mentor", status="accepted")
    template = SurveyTemplate.objects.create(programme=running.programme, name="30-day check")
    SurveyVersion.objects.create(template=template, number=1, published=True)
    schedule = SurveySchedule.objects.create(
        cohort=running, template=template, trigger="pair_start", close_after_days=30
    )
    for name in ("Nia Mentee", "Bea Mentee"):
        mentee = EnrolmentFactory(
            cohort=running, role="mentee", status="accepted", user=UserFactory(full_name=name)
        )
        pair = PairFactory(
            cohort=running, mentor=mentor, mentee=mentee, started_on=running.starts_on
        )
        SurveyInvitation.objects.create(
            schedule=schedule, user=mentor.user, role="mentor", pair=pair,
            due_on=dt.date(2026, 10, 5), closes_on=dt.date(2026, 11, 10), batch=uuid.uuid4(),
        )  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 10, 20, 10, tzinfo=dt.UTC), tick=False):
        services.rhythm_run(rule_names=["survey-reminder"])
    bodies = sorted(
        Email.objects.filter(user=mentor.user, kind="survey-reminder").values_list(
            "body_text", flat=True
        )
    )
    assert len(bodies) == 2
    assert "about your pair with Bea Mentee." in bodies[0] + bodies[1]
    assert "about your pair with Nia Mentee." in bodies[0] + bodies[1]
    assert not any("Bea Mentee" in b and "Nia Mentee" in b for b in bodies)
