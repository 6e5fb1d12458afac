"""Hostile input on the pairing forms, posted as the pair, the coordinator or the ranking mentee:
goals and their progress, ending a pair, the programme's pairing settings, the mentee's ranking."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from pairing.forms import (
    EndPairForm,
    GoalForm,
    GoalProgressForm,
    MenteeRankingForm,
    PairingSettingsForm,
)
from pairing.models import GRADE_GAP_MAX, MenteeRanking, Pair, PairGoal, PairingSettings
from people.tests.factories import UserFactory
from programmes.models import Enrolment
from programmes.tests.factories import EnrolmentFactory

from .support import (
    PROFILE,
    SHORT,
    Valid,
    assert_all_or_nothing,
    cohort_at,
    cohort_url,
    covers,
    hostile,
    pair_of,
    sending,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)


@pytest.fixture
def pair(cohort, mentor, mentee, time_machine):
    time_machine.move_to(NOW)
    return pair_of(cohort, mentor, mentee, started_on=dt.date(2026, 10, 1))


GOAL = Valid(text="Publish the first estimates")


@covers(GoalForm, via="pairing:goal_add", persona="mentee")
@PROFILE
@given(data=GOAL.bodies())
def test_goal_form_with_hostile_values(client, pair, mentee, data):
    url = reverse("pairing:goal_add", args=[pair.pk])
    with sending(client, url, data, persona=mentee) as attempt:
        goals = list(PairGoal.objects.filter(pair=pair).values_list("text", flat=True))
    assert_all_or_nothing(attempt, effect={"pairing.pairgoal"}, must_accept=GOAL.all_valid(data))
    assert len(goals) <= 1 and all("\x00" not in g and len(g) <= 300 for g in goals)


PROGRESS = Valid(progress="done")


@covers(GoalProgressForm, via="pairing:goal_progress", persona="mentor")
@PROFILE
@given(data=PROGRESS.bodies())
def test_goal_progress_form_with_hostile_values(client, pair, mentor, data):
    goal = PairGoal.objects.create(pair=pair, text="Learn SQL")
    url = reverse("pairing:goal_progress", args=[pair.pk, goal.pk])
    with sending(client, url, data, persona=mentor) as attempt:
        progress = PairGoal.objects.get(pk=goal.pk).progress
    assert_all_or_nothing(
        attempt, effect={"pairing.pairgoal"}, must_accept=PROGRESS.all_valid(data)
    )
    assert progress in PairGoal.Progress.values


END = Valid(reason="completed", note="Went well")


@covers(EndPairForm, via="pairing:pair_end", persona="coordinator")
@PROFILE
@given(data=END.bodies())
def test_end_pair_form_with_hostile_values(client, coordinator, pair, data):
    url = cohort_url("pairing:pair_end", pair.cohort, pair.pk)
    with sending(client, url, data, persona=coordinator) as attempt:
        ended = Pair.objects.get(pk=pair.pk)
    # Ending a pair may email both sides; either all of it happens or none.
    assert_all_or_nothing(
        attempt,
        effect={
            "pairing.pair",
            "notifications.email",
            "programmes.enrolment",
            "programmes.enrolmentmove",
        },
        must_accept=END.all_valid(data),
    )
    if attempt.changed:
        assert ended.status != Pair.Status.ACTIVE and "\x00" not in (ended.end_note or "")
    else:
        assert ended.status == Pair.Status.ACTIVE


WEIGHTS = dict.fromkeys(
    ["skill_fit", "mutual", "interests", "project_fit", "seniority", "practicalities"], "2"
)
SETTINGS = Valid(**WEIGHTS, min_grade_gap="0", max_grade_gap="4", choice_mode="on")


@covers(PairingSettingsForm, via="pairing:settings", persona="coordinator")
@PROFILE
@given(data=SETTINGS.bodies(forbid_same_team="on"))
def test_pairing_settings_form_with_hostile_values(client, coordinator, programme, data):
    PairingSettings.objects.get_or_create(programme=programme)
    url = reverse("pairing:settings", args=[programme.slug])
    with sending(client, url, data, persona=coordinator) as attempt:
        row = PairingSettings.objects.get(programme=programme)
    assert_all_or_nothing(
        attempt, effect={"pairing.pairingsettings"}, must_accept=SETTINGS.all_valid(data)
    )
    assert 0 <= row.min_grade_gap <= row.max_grade_gap <= GRADE_GAP_MAX
    assert all(0 <= float(v) <= 10 for v in row.weights.values())


@pytest.fixture
def ranking(cohort, mentee, mentor, other_cohort, time_machine):
    """Choice mode on, the cohort matching, three mentors to rank (and one in another cohort)."""
    cohort_at(cohort, "matching", time_machine, NOW)
    PairingSettings.objects.update_or_create(
        programme=cohort.programme, defaults={"choice_mode": True, "min_grade_gap": 0}
    )
    for i in range(2):
        EnrolmentFactory(
            user=UserFactory(email=f"mentor{i}@example.gov.uk"), cohort=cohort, role="mentor"
        )
    foreign = EnrolmentFactory(cohort=other_cohort, role="mentor")
    mentors = list(Enrolment.objects.filter(cohort=cohort, role="mentor").order_by("pk"))
    return {"mentors": mentors, "foreign": foreign, "mentee": Enrolment.objects.get(user=mentee)}


@covers(MenteeRankingForm, via="pairing:choose", persona="mentee")
@SHORT
@given(
    ranks=st.lists(
        st.one_of(st.sampled_from(["1", "2", "3", ""]), hostile()),
        min_size=4,
        max_size=4,
    )
)
def test_mentee_ranking_form_with_hostile_values(client, ranking, mentee, ranks):
    targets = [*ranking["mentors"], ranking["foreign"]]
    data = {f"rank-{m.pk}": r for m, r in zip(targets, ranks, strict=False)}
    data["rank-abc"] = ranks[-1]
    url = reverse("pairing:choose", args=[ranking["mentee"].cohort_id])
    with sending(client, url, data, persona=mentee) as attempt:
        stored = list(
            MenteeRanking.objects.filter(mentee=ranking["mentee"]).values_list("mentor", "rank")
        )
    assert_all_or_nothing(attempt, effect={"pairing.menteeranking"})
    allowed = {m.pk for m in ranking["mentors"]}
    assert {mentor for mentor, _ in stored} <= allowed  # never a mentor from another cohort
    assert len({rank for _, rank in stored}) == len(stored)
