"""factory_boy factories for recruitment's models."""

import factory

from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory
from recruitment.models import BusinessPriority, Project, TalentPoolEntry


class BusinessPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessPriority
        django_get_or_create = ("programme", "name")

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Priority {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    """A mentee's project proposal (an applied mentee of a fresh cohort unless given)."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    enrolment = factory.SubFactory(EnrolmentFactory, role="mentee", status="applied")
    title = factory.Sequence(lambda n: f"Project {n}")
    description = "Forecast demand for a public service from administrative data."

    @factory.post_generation
    def priorities(self, create, extracted, **kwargs):
        if create and extracted:
            self.priorities.set(extracted)


class TalentPoolEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TalentPoolEntry

    programme = factory.SubFactory(ProgrammeFactory)
    email = factory.Sequence(lambda n: f"interested{n}@example.gov.uk")
    full_name = factory.Sequence(lambda n: f"Interested Person {n}")
    source = TalentPoolEntry.Source.INTEREST
