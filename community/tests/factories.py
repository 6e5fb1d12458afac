"""factory_boy factories for groups, events, the directory and show-and-tell. Members and
listings belong to an enrolment of the group's (or message's) cohort."""

import datetime as dt

import factory

from community.models import (
    ContactMessage,
    DirectoryListing,
    Event,
    EventKind,
    GroupMember,
    ProjectSummary,
    StandupGroup,
)
from people.tests.factories import UserFactory
from programmes.tests.factories import CohortFactory, EnrolmentFactory


class StandupGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandupGroup

    cohort = factory.SubFactory(CohortFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"Group {o.number}")


class GroupMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMember

    group = factory.SubFactory(StandupGroupFactory)
    enrolment = factory.SubFactory(EnrolmentFactory, cohort=factory.SelfAttribute("..group.cohort"))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    cohort = factory.SubFactory(CohortFactory)
    kind = EventKind.HUB_DAY
    title = factory.Sequence(lambda n: f"Hub day {n}")
    first_date = dt.date(2027, 1, 14)
    start_time = dt.time(10)
    created_by = factory.SubFactory(UserFactory)


class DirectoryListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DirectoryListing

    enrolment = factory.SubFactory(EnrolmentFactory)
    opted_in = True


class ContactMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactMessage

    recipient = factory.SubFactory(EnrolmentFactory)
    cohort = factory.SelfAttribute("recipient.cohort")
    sender = factory.SubFactory(UserFactory)
    subject = "Hello"
    body = "Could we talk about your project?"


class ProjectSummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectSummary

    enrolment = factory.SubFactory(EnrolmentFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    summary = "What we built."
