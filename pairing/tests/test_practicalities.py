"""The practicalities of the pairing score come from people's profiles: their working hours (in
their own time zone) and whether they want to meet in person (then locations are compared)."""

import datetime as dt

import pytest

from pairing import engine, matching
from people.tests.factories import UserFactory
from programmes.tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def _enrol(cohort, email, role, **profile_fields):
    user = UserFactory(email=email)
    profile = user.profile
    for name, value in {"grade": 4 if role == "mentee" else 7, **profile_fields}.items():
        setattr(profile, name, value)
    profile.full_clean(exclude=["user"])
    profile.save()
    return EnrolmentFactory(user=user, cohort=cohort, role=role, capacity=1)


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme)


def _practicalities(inputs):
    result = engine.score_matrices(inputs.people_mentees, inputs.people_mentors, inputs.config)
    return result.components["practicalities"]


def test_the_engine_gets_each_persons_hours_location_and_in_person_wish(cohort):
    _enrol(
        cohort,
        "early@example.gov.uk",
        "mentee",
        location="Newport",
        wants_in_person=True,
        work_start=dt.time(7, 30),
        work_end=dt.time(15, 30),
    )
    _enrol(cohort, "default@example.gov.uk", "mentor")
    inputs = matching.cohort_inputs(cohort)
    mentee, mentor = inputs.people_mentees[0], inputs.people_mentors[0]
    assert (mentee.work_start, mentee.work_end) == (7.5, 15.5)
    assert (mentee.location, mentee.wants_in_person) == ("Newport", True)
    # Somebody who never said: 9 to 17, remote is fine.
    assert (mentor.work_start, mentor.work_end, mentor.wants_in_person) == (9.0, 17.0, False)


def test_overlapping_hours_and_the_same_place_score_higher_and_are_explained(cohort):
    mentee = _enrol(
        cohort, "mentee@example.gov.uk", "mentee", location="Newport", wants_in_person=True
    )
    near = _enrol(cohort, "near@example.gov.uk", "mentor", location="Newport")
    far = _enrol(
        cohort,
        "far@example.gov.uk",
        "mentor",
        location="Edinburgh",
        work_start=dt.time(13),
        work_end=dt.time(21),
    )
    inputs = matching.cohort_inputs(cohort)
    scores = _practicalities(inputs)
    cols = inputs.mentor_index()
    assert scores[0, cols[near.pk]] > scores[0, cols[far.pk]]
    reasons = " ".join(matching.explain_pair(inputs, mentee, near)["reasons"])
    assert "both based in Newport" in reasons
    far_reasons = " ".join(matching.explain_pair(inputs, mentee, far)["reasons"])
    assert "working hours overlap 4 h" in far_reasons
