"""A coordinator's create forms on the survey pages, sent twice from the same page (the back
button and "Send again", a double click), act once and say "This was already done"."""

import re

import pytest
from django.urls import reverse

from feedback.models import Question, SurveySchedule, SurveyTemplate

from .conftest import make_template, schedule_form

pytestmark = pytest.mark.django_db


def _token(client, url: str) -> str:
    page = client.get(url).content.decode()
    assert re.search(r'<form method="post" novalidate autocomplete="off"', page)
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def test_scheduling_a_survey_twice_from_the_same_page_schedules_it_once(
    client, coordinator, cohort
):
    template = make_template(cohort.programme, name="Weekly pulse")
    client.force_login(coordinator)
    url = reverse("feedback:cohort", args=[cohort.programme.slug, cohort.pk])
    data = schedule_form(template, form_token=_token(client, url))
    first = client.post(url, data, follow=True)
    assert "Survey scheduled." in first.content.decode()
    again = client.post(url, data, follow=True)
    assert again.status_code == 200
    assert "This was already done: Survey scheduled." in again.content.decode()
    assert SurveySchedule.objects.filter(cohort=cohort, template=template).count() == 1


def test_creating_a_survey_twice_from_the_same_page_creates_it_once(client, coordinator, programme):
    client.force_login(coordinator)
    url = reverse("feedback:templates", args=[programme.slug])
    data = {
        "name": "Exit interview",
        "description": "",
        "audience": "both",
        "form_token": _token(client, url),
    }
    client.post(url, data)
    again = client.post(url, data, follow=True)
    html = again.content.decode()
    assert "This was already done: “Exit interview” created: now add its questions." in html
    assert "already exists" not in html and "already has a survey" not in html
    assert SurveyTemplate.objects.filter(programme=programme, name="Exit interview").count() == 1
    template = SurveyTemplate.objects.get(programme=programme, name="Exit interview")
    assert again.redirect_chain[-1][0] == reverse(
        "feedback:builder", args=[programme.slug, template.pk]
    )


def test_adding_a_question_twice_from_the_same_page_adds_it_once(client, coordinator, programme):
    template = make_template(programme, name="Builder", questions=[], publish=False)
    client.force_login(coordinator)
    url = reverse("feedback:builder", args=[programme.slug, template.pk])
    data = {
        "type": "free_text",
        "text": "What went well?",
        "help_text": "",
        "required": "on",
        "choices": "",
        "form_token": _token(client, url),
    }
    client.post(url, data)
    again = client.post(url, data, follow=True)
    assert "This was already done: Question added." in again.content.decode()
    assert Question.objects.filter(version__template=template, text="What went well?").count() == 1


def test_a_survey_name_taken_is_refused_in_plain_words(client, coordinator, cohort):
    """Seen walking as the coordinator: 'Survey template with this Programme and Name already
    exists.'"""
    make_template(cohort.programme, name="Weekly pulse")
    client.force_login(coordinator)
    url = reverse("feedback:templates", args=[cohort.programme.slug])
    for name in ("Weekly pulse", "weekly Pulse"):  # the same name in other letters too
        response = client.post(url, {"name": name, "form_token": "", "audience": "both"})
        assert response.status_code == 200
        assert (
            "This programme already has a survey with this name: choose another name."
            in response.content.decode()
        )
