import datetime as dt

import factory

from pairing.engagement import summaries_rebuild
from pairing.models import (
    CheckIn,
    ExcludedPair,
    MatchRun,
    MenteeRanking,
    Pair,
    PairGoal,
    PairingSettings,
    ProposedPair,
    RunEvent,
)
from people.tests.factories import UserFactory
from programmes.tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory


def _coordinator_of(cohort):
    """The cohort's coordinator, or a new person when its programme has none."""
    return cohort.programme.coordinators.first() or UserFactory()


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

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # As pairing.services does for every check-in it writes: the pair's summary follows.
        checkin = super()._create(model_class, *args, **kwargs)
        summaries_rebuild([checkin.pair_id])
        return checkin


class PairGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PairGoal

    pair = factory.SubFactory(PairFactory)
    text = factory.Sequence(lambda n: f"Goal {n}: publish the first estimates")
    progress = PairGoal.Progress.NOT_STARTED
    order = factory.Sequence(lambda n: n)


class PairingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PairingSettings
        django_get_or_create = ["programme"]

    programme = factory.SubFactory(ProgrammeFactory)


class MatchRunFactory(factory.django.DjangoModelFactory):
    """A draft run with no proposals; add them with ``ProposedPairFactory(run=...)``."""

    class Meta:
        model = MatchRun

    cohort = factory.SubFactory(CohortFactory)
    created_by = factory.LazyAttribute(lambda o: _coordinator_of(o.cohort))
    status = MatchRun.Status.DRAFT
    progress = 100


class ProposedPairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProposedPair

    run = factory.SubFactory(MatchRunFactory)
    mentor = factory.SubFactory(
        EnrolmentFactory, cohort=factory.SelfAttribute("..run.cohort"), role="mentor"
    )
    mentee = factory.SubFactory(
        EnrolmentFactory, cohort=factory.SelfAttribute("..run.cohort"), role="mentee"
    )
    score = 0.75
    reasons = factory.LazyFunction(lambda: ["Shares the skills the project needs"])


class ExcludedPairFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExcludedPair

    cohort = factory.SubFactory(CohortFactory)
    mentor = factory.SubFactory(
        EnrolmentFactory, cohort=factory.SelfAttribute("..cohort"), role="mentor"
    )
    mentee = factory.SubFactory(
        EnrolmentFactory, cohort=factory.SelfAttribute("..cohort"), role="mentee"
    )
    created_by = factory.LazyAttribute(lambda o: _coordinator_of(o.cohort))


class RunEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RunEvent

    run = factory.SubFactory(MatchRunFactory)
    actor = factory.LazyAttribute(lambda o: o.run.created_by)
    action = "lock"
    detail = "Locked a pair"


class MenteeRankingFactory(factory.django.DjangoModelFactory):
    """Choice mode: the mentee ranks a mentor of the same cohort."""

    class Meta:
        model = MenteeRanking

    mentee = factory.SubFactory(EnrolmentFactory, role="mentee")
    mentor = factory.SubFactory(
        EnrolmentFactory, cohort=factory.SelfAttribute("..mentee.cohort"), role="mentor"
    )
    rank = factory.Sequence(lambda n: n + 1)
