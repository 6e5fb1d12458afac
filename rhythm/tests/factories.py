"""factory_boy factories for the programme rhythm's own rows."""

import factory

from programmes.tests.factories import CohortFactory, ProgrammeFactory
from rhythm.models import PausedKind, RhythmSettings


class RhythmSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RhythmSettings
        django_get_or_create = ["programme"]

    programme = factory.SubFactory(ProgrammeFactory)
    survey_reminder_first_days = 3
    survey_reminder_second_days = 7


class PausedKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PausedKind

    cohort = factory.SubFactory(CohortFactory)
    kind = "checkin-reminder"
