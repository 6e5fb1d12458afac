"""A survey's settings and a schedule, created or changed through their pages: the form checks
each field as typed and the service validates the whole once (the forms are no ModelForms; see
docs/architecture.md, "forms"). What was stored is what was typed."""

import pytest
from django.urls import reverse

from feedback.models import SurveySchedule, SurveyTemplate

from .conftest import make_schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def validated(validations):
    return validations({SurveyTemplate: (), SurveySchedule: ()})


SETTINGS = {"name": "Halfway", "description": "How is it going?", "audience": "both"}


def test_a_survey_is_created_and_changed_with_one_validation_each(
    client, coordinator, programme, validated
):
    client.force_login(coordinator)
    response = client.post(reverse("feedback:templates", args=[programme.slug]), SETTINGS)
    assert response.status_code == 302 and validated == [("SurveyTemplate",)]
    survey = SurveyTemplate.objects.get(name="Halfway")
    validated.clear()
    edit = reverse("feedback:template_edit", args=[programme.slug, survey.pk])
    assert 'value="Halfway"' in client.get(edit).content.decode()  # filled with its settings
    response = client.post(edit, {**SETTINGS, "name": "Half way", "anonymous": "on"})
    assert response.status_code == 302 and validated == [("SurveyTemplate",)]
    survey.refresh_from_db()
    assert (survey.name, survey.anonymous) == ("Half way", True)


def test_a_schedule_is_changed_with_one_validation(
    client, coordinator, running_cohort, template, validated
):
    schedule = make_schedule(running_cohort, template)
    client.force_login(coordinator)
    url = reverse(
        "feedback:schedule_edit",
        args=[running_cohort.programme.slug, running_cohort.pk, schedule.pk],
    )
    response = client.post(
        url,
        {
            "template": template.pk,
            "audience": "mentees",
            "trigger": "checkins",
            "offset_days": 0,
            "every_n_checkins": 3,
            "close_after_days": 10,
            "active": "on",
        },
    )
    assert response.status_code == 302 and validated == [("SurveySchedule",)]
    schedule.refresh_from_db()
    assert (schedule.audience, schedule.trigger, schedule.every_n_checkins) == (
        "mentees",
        "checkins",
        3,
    )
