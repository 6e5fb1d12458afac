"""Issue 17 (items 1 and 16): a survey answer sent twice from the same page is saved once and
answered "already done"; a schedule whose answer window has passed is refused in words."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from feedback import services
from feedback.models import Response, SurveyInvitation, SurveySchedule

from .conftest import answer_all, make_schedule, post_data

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2027, 1, 22, 10, 0), tick=False)
def test_the_same_answer_page_sent_twice_is_saved_once_and_says_so(
    client, template, running_cohort, mentor, mentee
):
    schedule = make_schedule(running_cohort, template)
    services.survey_invitations_create(today=dt.date(2027, 1, 21), schedules=[schedule], send=False)
    invitation = SurveyInvitation.objects.get(schedule=schedule, user=mentee)
    url = reverse("feedback:answer", args=[invitation.token])
    client.force_login(mentee)
    page = client.get(url).content.decode()
    assert re.search(r'<form method="post" novalidate autocomplete="off"', page)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    version = services.current_version(template)
    data = {**post_data(version, answer_all(version)), "form_token": token}
    client.post(url, data)
    again = client.post(url, data, follow=True)
    assert again.status_code == 200
    assert "This was already done: Thank you: your answers are saved." in again.content.decode()
    assert Response.objects.count() == 1


@time_machine.travel(dt.datetime(2027, 3, 1, 10, 0), tick=False)
def test_a_schedule_whose_window_has_passed_is_refused_in_words(
    client, coordinator, template, running_cohort
):
    """The cohort started on 11 January: 10 days after, open 14 days, closed on 4 February."""
    client.force_login(coordinator)
    url = reverse("feedback:cohort", args=[running_cohort.programme.slug, running_cohort.pk])
    client.get(url)  # the page adds the default schedules first
    before = SurveySchedule.objects.count()
    response = client.post(
        url,
        {
            "template": template.pk,
            "audience": "both",
            "trigger": "cohort_start",
            "offset_days": 10,
            "every_n_checkins": 1,
            "close_after_days": 14,
            "active": "on",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "close on 4 February 2027, which has passed: nobody would be invited" in html
    assert "Survey scheduled." not in html
    assert SurveySchedule.objects.count() == before


@time_machine.travel(dt.datetime(2027, 3, 1, 10, 0), tick=False)
def test_the_demo_seed_emails_the_open_invitations_it_creates_once(programme, pair):
    from feedback.demo import survey_demo_seed
    from notifications.models import Email

    first = survey_demo_seed(programme=programme, answer_share=0)
    open_invitations = SurveyInvitation.objects.filter(answered_at__isnull=True)
    assert first["invited"] and open_invitations.exists()
    emailed = set(
        Email.objects.filter(kind="survey-invitation").values_list("idempotency_key", flat=True)
    )
    assert emailed == {f"survey-invitation:{i.pk}" for i in open_invitations}
    again = survey_demo_seed(programme=programme, answer_share=0)
    assert again["invited"] == again["emailed"] == 0
    assert Email.objects.filter(kind="survey-invitation").count() == len(emailed)
