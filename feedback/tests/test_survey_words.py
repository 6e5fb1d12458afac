"""Surveys say what they are about and when they go: a mentor with two mentees sees which pair
each invitation is about; a schedule with nobody invited yet says when invitations go; the
thank-you page says only thank you."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from feedback import services
from feedback.models import SurveyInvitation, Trigger
from pairing.models import Pair
from people.tests.factories import UserFactory
from programmes.tests.factories import EnrolmentFactory

from .conftest import answer_all, make_schedule, post_data

pytestmark = pytest.mark.django_db


def _a_second_mentee_and_a_pair_survey(running_cohort, template, pair):
    """The pair's mentor takes a second mentee, Nadia Second; a survey goes to every pair."""
    second = EnrolmentFactory(
        cohort=running_cohort,
        role="mentee",
        status="accepted",
        user=UserFactory(full_name="Nadia Second", email="nadia@example.gov.uk"),
    )
    Pair.objects.create(
        cohort=running_cohort, mentor=pair.mentor, mentee=second, started_on=pair.started_on
    )
    schedule = make_schedule(running_cohort, template, trigger=Trigger.PAIR_START, offset_days=0)
    return second, schedule


@time_machine.travel(dt.datetime(2027, 1, 12, 10, 0), tick=False)
def test_a_mentor_with_two_mentees_sees_which_pair_each_check_is_about(
    client, running_cohort, template, pair, mentor
):
    second, schedule = _a_second_mentee_and_a_pair_survey(running_cohort, template, pair)
    services.survey_invitations_create(
        today=running_cohort.starts_on + dt.timedelta(days=1), schedules=[schedule], send=False
    )
    invitations = SurveyInvitation.objects.filter(user=mentor)
    assert invitations.count() == 2
    client.force_login(mentor)
    listing = client.get(reverse("feedback:mine")).content.decode()
    first_name = pair.mentee.user.display_name
    assert f"about your pair with {first_name}" in listing
    assert "about your pair with Nadia Second" in listing
    about_nadia = invitations.get(pair__mentee=second)
    form = client.get(reverse("feedback:answer", args=[about_nadia.token])).content.decode()
    assert "About your pair with Nadia Second." in form


@time_machine.travel(dt.datetime(2027, 1, 12, 10, 0), tick=False)
def test_a_mentor_with_two_mentees_gets_two_emails_that_say_which_pair(
    running_cohort, template, pair, mentor
):
    """Seen walking as the mentor: two identical invitation emails, neither naming the mentee.
    Each body now says which pair it is about."""
    from notifications.models import Email

    second, schedule = _a_second_mentee_and_a_pair_survey(running_cohort, template, pair)
    services.survey_invitations_create(
        today=running_cohort.starts_on + dt.timedelta(days=1), schedules=[schedule], send=True
    )
    # Names stay out of subjects (mentorship/tests/test_email_misuse.py): the bodies say it.
    bodies = sorted(
        Email.objects.filter(user=mentor, kind="survey-invitation").values_list(
            "body_text", flat=True
        )
    )
    first_name = pair.mentee.user.display_name
    assert len(bodies) == 2
    assert any(f"about your pair with {first_name}." in b for b in bodies)
    assert any("about your pair with Nadia Second." in b for b in bodies)


@time_machine.travel(dt.datetime(2026, 8, 1, 10, 0), tick=False)
def test_a_new_schedule_with_nobody_invited_says_when_invitations_go(
    client, coordinator, cohort, template
):
    schedule = make_schedule(cohort, template, trigger=Trigger.COHORT_START, offset_days=10)
    client.force_login(coordinator)
    page = client.get(
        reverse("feedback:cohort", args=[cohort.programme.slug, cohort.pk])
    ).content.decode()
    due = cohort.starts_on + dt.timedelta(days=10)
    assert f"Invitations go out on {due:%-d %B %Y}" in page
    assert "once the cohort is running" in page
    schedule.active = False
    schedule.save()
    page = client.get(reverse("feedback:cohort", args=[cohort.programme.slug, cohort.pk]))
    assert "Paused: no invitations go out" in page.content.decode()


@time_machine.travel(dt.datetime(2027, 1, 22, 10, 0), tick=False)
def test_the_thank_you_page_does_not_also_say_already_answered(
    client, running_cohort, template, mentee
):
    schedule = make_schedule(running_cohort, template)
    services.survey_invitations_create(today=dt.date(2027, 1, 21), schedules=[schedule], send=False)
    invitation = SurveyInvitation.objects.get(user=mentee)
    version = services.current_version(template)
    client.force_login(mentee)
    url = reverse("feedback:answer", args=[invitation.token])
    thanks = client.post(url, post_data(version, answer_all(version)), follow=True)
    text = thanks.content.decode()
    assert "Thank you" in text and "are saved" in text
    assert "already answered" not in text
    # Coming back later says it was answered (and still thanks them).
    assert "already answered" in client.get(url).content.decode()


@pytest.mark.parametrize("key", ["mid-point", "end-of-programme"])
@time_machine.travel(dt.datetime(2027, 1, 22, 10, 0), tick=False)
def test_a_default_anonymous_survey_says_it_is_anonymous_once(
    client, key, coordinator, running_cohort, mentor, mentee, django_capture_on_commit_callbacks
):
    """The email and the answer page say "This survey is anonymous: …" from the flag; the
    default description no longer says "Anonymous: your answers are not linked to you" too."""
    from django.core import mail

    client.force_login(coordinator)
    client.get(reverse("feedback:cohort", args=[running_cohort.programme.slug, running_cohort.pk]))
    template = running_cohort.programme.survey_templates.get(key=key)
    schedule = make_schedule(running_cohort, template, key="")
    with django_capture_on_commit_callbacks(execute=True):
        services.survey_invitations_create(today=dt.date(2027, 1, 21), schedules=[schedule])
    invitation = SurveyInvitation.objects.get(schedule=schedule, user=mentee)
    email = next(m for m in mail.outbox if m.to == [mentee.email])
    for text in (email.body, email.alternatives[0][0]):
        assert text.lower().count("anonymous") == 1, text
        assert text.count("not linked to you") == 1
    client.force_login(mentee)
    page = client.get(reverse("feedback:answer", args=[invitation.token])).content.decode()
    main = page.split("<main", 1)[-1]
    assert "This survey is anonymous" in main
    assert "Anonymous: your answers" not in main and "not linked to you" not in main
