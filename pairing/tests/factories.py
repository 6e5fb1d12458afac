import datetime as dt

import factory

from pairing.models import CheckIn, Pair
from programmes.tests.factories import CohortFactory, EnrolmentFactory


class PairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pair

    cohort = factory.SubFactory(CohortFactory)
    mentor = factory.SubFactory(
        EnrolmentFactory, cohort=factory.SelfAttribute("..cohort"), role="mentor"
    )
    mentee = factory.SubFactory(
        EnrolmentFactory, cohort=factory.SelfAttribute("..cohort"), role="mentee"
    )
    started_on = dt.date(2026, 9, 14)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    pair = factory.SubFactory(PairFactory)
    author = factory.LazyAttribute(lambda o: o.pair.mentee.user)
    met_on = dt.date(2026, 10, 1)
    duration_minutes = 60
    worked_on = "Cleaned the survey data"
    rating = 4
    wellbeing = 4
    protected_time_kept = True
