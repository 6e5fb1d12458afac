"""Hand-built data for the dashboards: a cohort with pairs, check-ins and surveys."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from insights import surveys
from pairing.tests.factories import CheckInFactory, PairFactory
from programmes.tests.factories import CohortFactory, EnrolmentFactory

needs_surveys = pytest.mark.skipif(
    not surveys.available(), reason="the feedback app's survey models are not installed yet"
)


def make_pairs(cohort, n, *, checkins_each=0, start=None):
    """n pairs, each with its own mentor and mentee, and some check-ins."""
    start = start or cohort.starts_on
    pairs = []
    for i in range(n):
        pair = PairFactory(cohort=cohort, started_on=start)
        for k in range(checkins_each):
            CheckInFactory(
                pair=pair,
                met_on=start + dt.timedelta(days=7 * (k + 1)),
                rating=4,
                wellbeing=1 + (i + k) % 5,
            )
        pairs.append(pair)
    return pairs


def make_survey(cohort, *, anonymous, responses, nps_scores=(), scale=(), comments=()):
    """A template with one version of a 1-5, an NPS and a free-text question, a schedule of the
    cohort, invitations for ``responses`` people (all answered) and one more unanswered."""
    from feedback.models import (
        Answer,
        Question,
        QuestionType,
        Response,
        SurveyInvitation,
        SurveySchedule,
        SurveyTemplate,
        SurveyVersion,
    )
    from feedback.publication import release_ready

    template = SurveyTemplate.objects.create(
        programme=cohort.programme, name=f"Survey {uuid.uuid4().hex[:6]}", anonymous=anonymous
    )
    version = SurveyVersion.objects.create(template=template, number=1, published=True)
    q_scale = Question.objects.create(version=version, type=QuestionType.SCALE_1_5, text="Useful?")
    q_nps = Question.objects.create(version=version, type=QuestionType.NPS_0_10, text="Recommend?")
    q_text = Question.objects.create(version=version, type=QuestionType.FREE_TEXT, text="Else?")
    schedule = SurveySchedule.objects.create(
        cohort=cohort, template=template, trigger="cohort_start", offset_days=14
    )
    due = cohort.starts_on + dt.timedelta(days=14)
    for i in range(responses + 1):
        person = EnrolmentFactory(cohort=cohort, role="mentee").user
        answered = i < responses
        invitation = SurveyInvitation.objects.create(
            schedule=schedule,
            user=person,
            role="mentee",
            due_on=due,
            closes_on=due + dt.timedelta(days=14),
            answered_at=timezone.now() if answered else None,
            batch=uuid.uuid4(),
        )
        if not answered:
            continue
        response = Response.objects.create(
            schedule=schedule,
            version=version,
            role="mentee",
            invitation=None if anonymous else invitation,
            user=None if anonymous else person,
            submitted_at=None if anonymous else timezone.now(),
        )
        if i < len(scale):
            Answer.objects.create(response=response, question=q_scale, number=scale[i])
        if i < len(nps_scores):
            Answer.objects.create(response=response, question=q_nps, number=nps_scores[i])
        if i < len(comments):
            Answer.objects.create(response=response, question=q_text, text=comments[i])
        # What feedback.services.survey_submit does after storing an answer.
        release_ready(schedule_id=schedule.pk, version_id=version.pk)
    return schedule


@pytest.fixture
def past_cohort(programme):
    """A finished cohort, safely in the past."""
    return CohortFactory(
        programme=programme,
        name="Spring 2025",
        applications_open=dt.date(2024, 11, 1),
        applications_close=dt.date(2024, 12, 15),
        starts_on=dt.date(2025, 1, 13),
        ends_on=dt.date(2025, 4, 4),
    )
