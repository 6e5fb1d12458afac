"""Rows from other apps that the personal-data and audit tests need, made directly."""

import datetime as dt

from django.utils import timezone

from feedback.models import (
    Answer,
    Question,
    QuestionType,
    Response,
    SurveySchedule,
    SurveyTemplate,
    SurveyVersion,
    Trigger,
)


def answered_response(*, user, cohort, text: str, number: int = 4, anonymous: bool = False):
    """A submitted survey with a 1-5 score and a free-text answer."""
    template = SurveyTemplate.objects.create(
        programme=cohort.programme,
        name=f"Mid-point {'anonymous ' if anonymous else ''}{SurveyTemplate.objects.count()}",
        anonymous=anonymous,
    )
    version = SurveyVersion.objects.create(template=template, number=1, published=True)
    score = Question.objects.create(
        version=version, order=1, type=QuestionType.SCALE_1_5, text="Q1"
    )
    free = Question.objects.create(version=version, order=2, type=QuestionType.FREE_TEXT, text="Q2")
    schedule = SurveySchedule.objects.create(
        cohort=cohort, template=template, trigger=Trigger.COHORT_START, close_after_days=14
    )
    response = Response.objects.create(
        schedule=schedule,
        version=version,
        user=None if anonymous else user,
        role="" if anonymous else "mentee",
        submitted_at=None if anonymous else timezone.now(),
    )
    Answer.objects.create(response=response, question=score, number=number)
    Answer.objects.create(response=response, question=free, text=text)
    return response


def a_date(days: int) -> dt.date:
    return dt.date(2026, 9, 14) + dt.timedelta(days=days)
