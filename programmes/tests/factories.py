import datetime as dt

import factory

from people.tests.factories import UserFactory
from programmes.models import Cohort, Enrolment, Programme


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    organisation = "Office for National Statistics"

    @factory.post_generation
    def coordinators(self, create, extracted, **kwargs):
        if create and extracted:
            self.coordinators.set(extracted)


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    applications_open = dt.date(2026, 11, 1)
    applications_close = dt.date(2026, 12, 15)
    starts_on = dt.date(2027, 1, 11)
    ends_on = dt.date(2027, 4, 2)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    user = factory.SubFactory(UserFactory)
    cohort = factory.SubFactory(CohortFactory)
    role = "mentee"
    status = "accepted"
