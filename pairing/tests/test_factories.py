"""Every factory of pairing builds a row that passes the model's own validation, with both sides
of a pair (or a proposal, an exclusion, a ranking) in the same cohort."""

import pytest

from programmes.tests.factories import ProgrammeFactory

from .factories import (
    CheckInFactory,
    ExcludedPairFactory,
    MatchRunFactory,
    MenteeRankingFactory,
    PairFactory,
    PairGoalFactory,
    PairingSettingsFactory,
    ProposedPairFactory,
    RunEventFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "factory",
    [
        PairFactory,
        CheckInFactory,
        PairGoalFactory,
        PairingSettingsFactory,
        MatchRunFactory,
        ProposedPairFactory,
        ExcludedPairFactory,
        RunEventFactory,
        MenteeRankingFactory,
    ],
)
def test_factory_builds_a_valid_row(factory):
    row = factory()
    row.full_clean()


def test_a_proposal_pairs_people_of_the_runs_cohort(coordinator):
    programme = ProgrammeFactory(coordinators=[coordinator])
    proposal = ProposedPairFactory(run__cohort__programme=programme)
    assert proposal.run.created_by == coordinator
    assert proposal.mentor.cohort == proposal.mentee.cohort == proposal.run.cohort
    assert (proposal.mentor.role, proposal.mentee.role) == ("mentor", "mentee")


def test_a_ranking_names_a_mentor_of_the_mentees_cohort():
    ranking = MenteeRankingFactory()
    assert ranking.mentor.cohort == ranking.mentee.cohort
