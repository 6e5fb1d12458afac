"""factory_boy factories for surveys. A schedule's template belongs to the schedule's programme
and an invitation's schedule to its person's cohort unless a test says otherwise."""

import datetime as dt
import uuid

import factory

from feedback.models import (
    Audience,
    Question,
    QuestionType,
    SurveyInvitation,
    SurveySchedule,
    SurveyTemplate,
    SurveyVersion,
    Trigger,
)
from people.tests.factories import UserFactory
from programmes.tests.factories import CohortFactory, ProgrammeFactory


class SurveyTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyTemplate

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Survey {n}")
    anonymous = False
    audience = Audience.BOTH


class SurveyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyVersion

    template = factory.SubFactory(SurveyTemplateFactory)
    number = 1
    published = True


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    version = factory.SubFactory(SurveyVersionFactory)
    order = factory.Sequence(lambda n: n + 1)
    type = QuestionType.SCALE_1_5
    text = factory.Sequence(lambda n: f"Question {n}?")


class SurveyScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveySchedule

    cohort = factory.SubFactory(CohortFactory)
    template = factory.SubFactory(
        SurveyTemplateFactory, programme=factory.SelfAttribute("..cohort.programme")
    )
    trigger = Trigger.COHORT_START
    offset_days = 10
    audience = Audience.BOTH
    close_after_days = 14


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    schedule = factory.SubFactory(SurveyScheduleFactory)
    user = factory.SubFactory(UserFactory)
    role = "mentee"
    due_on = factory.LazyAttribute(
        lambda o: o.schedule.cohort.starts_on + dt.timedelta(days=o.schedule.offset_days)
    )
    closes_on = factory.LazyAttribute(
        lambda o: o.due_on + dt.timedelta(days=o.schedule.close_after_days)
    )
    batch = factory.LazyFunction(uuid.uuid4)
