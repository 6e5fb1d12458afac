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
from pairing.models import MenteeRanking, Pair, PairGoal, PairingSettings
from people.tests.factories import UserFactory
from programmes.models import Cohort, Enrolment
from programmes.tests.factories import EnrolmentFactory

from .support import (
    PROFILE,
    SHORT,
    Attempt,
    assert_all_or_nothing,
    covers,
    form_data,
    hostile,
    is_valid_example,
    post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(cohort, mentor, mentee, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))
    return Pair.objects.create(
        cohort=cohort,
        mentor=Enrolment.objects.get(user=mentor),
        mentee=Enrolment.objects.get(user=mentee),
        started_on=dt.date(2026, 10, 1),
    )


@pytest.fixture
def other_pair(other_cohort):
    return Pair.objects.create(
        cohort=other_cohort,
        mentor=EnrolmentFactory(cohort=other_cohort, role="mentor"),
        mentee=EnrolmentFactory(cohort=other_cohort, role="mentee"),
        started_on=dt.date(2026, 10, 1),
    )


@covers(GoalForm, via="pairing:goal_add", persona="mentee")
@PROFILE
@given(data=form_data(text="Publish the first estimates"))
def test_goal_form_with_hostile_values(client, pair, mentee, data):
    client.force_login(mentee)
    with Attempt() as attempt:
        attempt.response = post(client, reverse("pairing:goal_add", args=[pair.pk]), data)
        goals = list(PairGoal.objects.filter(pair=pair).values_list("text", flat=True))
    valid = is_valid_example(data, text="Publish the first estimates")
    assert_all_or_nothing(attempt, effect={"pairing.pairgoal"}, must_accept=valid)
    assert len(goals) <= 1 and all("\x00" not in g and len(g) <= 300 for g in goals)


@covers(GoalProgressForm, via="pairing:goal_progress", persona="mentor")
@PROFILE
@given(data=form_data(progress="done"))
def test_goal_progress_form_with_hostile_values(client, pair, mentor, data):
    goal = PairGoal.objects.create(pair=pair, text="Learn SQL")
    client.force_login(mentor)
    with Attempt() as attempt:
        attempt.response = post(
            client, reverse("pairing:goal_progress", args=[pair.pk, goal.pk]), data
        )
        progress = PairGoal.objects.get(pk=goal.pk).progress
    assert_all_or_nothing(
        attempt, effect={"pairing.pairgoal"}, must_accept=is_valid_example(data, progress="done")
    )
    assert progress in PairGoal.Progress.values


@covers(EndPairForm, via="pairing:pair_end", persona="coordinator")
@PROFILE
@given(data=form_data(reason="completed", note="Went well"))
def test_end_pair_form_with_hostile_values(client, coordinator, pair, data):
    client.force_login(coordinator)
    url = reverse("pairing:pair_end", args=[pair.cohort.programme.slug, pair.cohort_id, pair.pk])
    with Attempt() as attempt:
        attempt.response = post(client, url, data)
        ended = Pair.objects.get(pk=pair.pk)
    valid = is_valid_example(data, reason="completed", note="Went well")
    # Ending a pair may email both sides; either all of it happens or none.
    assert_all_or_nothing(
        attempt,
        effect={
            "pairing.pair",
            "notifications.email",
            "programmes.enrolment",
            "programmes.enrolmentmove",
        },
        must_accept=valid,
    )
    if attempt.changed:
        assert ended.status != Pair.Status.ACTIVE and "\x00" not in (ended.end_note or "")
    else:
        assert ended.status == Pair.Status.ACTIVE


WEIGHTS = dict.fromkeys(
    ["skill_fit", "mutual", "interests", "project_fit", "seniority", "practicalities"], "2"
)


@covers(PairingSettingsForm, via="pairing:settings", persona="coordinator")
@PROFILE
@given(
    data=form_data(
        **WEIGHTS,
        min_grade_gap="0",
        max_grade_gap="4",
        forbid_same_team="on",
        choice_mode="on",
    )
)
def test_pairing_settings_form_with_hostile_values(client, coordinator, programme, data):
    client.force_login(coordinator)
    PairingSettings.objects.get_or_create(programme=programme)
    with Attempt() as attempt:
        attempt.response = post(client, reverse("pairing:settings", args=[programme.slug]), data)
        row = PairingSettings.objects.get(programme=programme)
    valid = is_valid_example(
        data, **WEIGHTS, min_grade_gap="0", max_grade_gap="4", choice_mode="on"
    )
    assert_all_or_nothing(attempt, effect={"pairing.pairingsettings"}, must_accept=valid)
    assert row.min_grade_gap <= row.max_grade_gap
    assert all(0 <= float(v) <= 10 for v in row.weights.values())


@pytest.fixture
def ranking(cohort, mentee, mentor, other_cohort, time_machine):
    """Choice mode on, the cohort matching, three mentors to rank (and one in another cohort)."""
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))
    Cohort.objects.filter(pk=cohort.pk).update(status="matching")
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
    client.force_login(mentee)
    url = reverse("pairing:choose", args=[ranking["mentee"].cohort_id])
    targets = [*ranking["mentors"], ranking["foreign"]]
    data = {f"rank-{m.pk}": r for m, r in zip(targets, ranks, strict=False)}
    data["rank-abc"] = ranks[-1]
    with Attempt() as attempt:
        attempt.response = post(client, url, data)
        stored = list(
            MenteeRanking.objects.filter(mentee=ranking["mentee"]).values_list("mentor", "rank")
        )
    assert_all_or_nothing(attempt, effect={"pairing.menteeranking"})
    allowed = {m.pk for m in ranking["mentors"]}
    assert {mentor for mentor, _ in stored} <= allowed  # never a mentor from another cohort
    assert len({rank for _, rank in stored}) == len(stored)
