"""Anonymity is decided by the answered version and never changes afterwards (issue 15, item 1),
tried as a curious coordinator would: re-point an anonymous survey's schedule at an identified
survey, then read the results page and the CSV hoping for names."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import SurveyInvitation, SurveySchedule
from people.tests.factories import UserFactory
from programmes.tests.factories import EnrolmentFactory

from .conftest import answer_all, make_schedule, make_template

pytestmark = pytest.mark.django_db
DUE = dt.date(2027, 1, 21)


def _answered(schedule, n):
    people = [UserFactory(full_name=f"Respondent {i}") for i in range(n)]
    for person in people:
        EnrolmentFactory(cohort=schedule.cohort, user=person)
    services.survey_invitations_create(today=DUE, schedules=[schedule], send=False)
    version = services.current_version(schedule.template)
    for invitation in SurveyInvitation.objects.filter(schedule=schedule, answered_at=None)[:n]:
        services.survey_submit(
            invitation=invitation, version=version, answers=answer_all(version), today=DUE
        )
    return people


def _edit_url(schedule):
    c = schedule.cohort
    return reverse("feedback:schedule_edit", args=[c.programme.slug, c.pk, schedule.pk])


def test_a_schedule_that_has_invited_people_cannot_be_repointed_at_another_survey(
    client, coordinator, running_cohort, anon_template, template
):
    schedule = make_schedule(running_cohort, anon_template)
    _answered(schedule, 1)
    client.force_login(coordinator)
    response = client.post(
        _edit_url(schedule),
        {
            "template": template.pk,
            "audience": "both",
            "trigger": schedule.trigger,
            "offset_days": schedule.offset_days,
            "every_n_checkins": 1,
            "close_after_days": 14,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "cannot be swapped" in response.content.decode()
    schedule.refresh_from_db()
    assert schedule.template_id == anon_template.pk


def test_a_schedule_with_no_invitation_yet_may_still_change_its_survey(
    client, coordinator, running_cohort, anon_template, template
):
    schedule = make_schedule(running_cohort, anon_template)
    services.schedule_update(schedule=schedule, data={"template": template})
    schedule.refresh_from_db()
    assert schedule.template_id == template.pk


def test_results_and_csv_read_anonymity_from_the_answered_version(
    client, coordinator, running_cohort, anon_template, programme
):
    """Data from before the refusal existed: the schedule was re-pointed after anonymous
    answers. Neither the results page nor the CSV may show who answered, nor a small group."""
    schedule = make_schedule(running_cohort, anon_template)
    people = _answered(schedule, 2)  # a group of 2: below the threshold of 3
    identified = make_template(programme, name="Identified check")
    SurveySchedule.objects.filter(pk=schedule.pk).update(template=identified)
    schedule.refresh_from_db()
    client.force_login(coordinator)
    c = schedule.cohort
    args = [c.programme.slug, c.pk, schedule.pk]
    page = client.get(reverse("feedback:results", args=args)).content.decode()
    export = client.get(reverse("feedback:export", args=args))
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    for person in people:
        assert person.email not in page and person.email not in body
    assert len(rows) == 1  # the header only: the anonymous group of 2 is too small to show
    assert "Great" not in page  # nor its free text


def test_the_cross_cohort_comparison_counts_only_this_surveys_answers(
    client, coordinator, running_cohort, anon_template, programme
):
    schedule = make_schedule(running_cohort, anon_template)
    _answered(schedule, 2)
    identified = make_template(programme, name="Identified check")
    SurveySchedule.objects.filter(pk=schedule.pk).update(template=identified)
    data = services_comparison(identified)
    assert all(row["responses"] == 0 for row in data["rows"])


def services_comparison(template):
    from feedback.selectors import template_comparison

    return template_comparison(template=template)
