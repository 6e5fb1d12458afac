"""The metric definitions on hand-built facts: no database."""

import datetime as dt

import pytest

from insights import definitions as d
from insights.definitions import PairFacts, Window

START = dt.date(2027, 1, 11)
END = dt.date(2027, 4, 2)


def facts(**kw) -> PairFacts:
    base = {
        "pk": 1,
        "cohort_id": 1,
        "mentee_id": 10,
        "mentee_name": "Mina",
        "status": "active",
        "started_on": START,
        "ended_on": None,
        "end_reason": "",
        "checkins": 0,
        "first_met": None,
        "last_met": None,
    }
    return PairFacts(**{**base, **kw})


def test_pair_with_no_checkin_is_at_risk_only_after_two_cadences():
    pair = facts()
    assert d.at_risk_reasons(pair, 14, START + dt.timedelta(days=28)) == []
    assert d.at_risk_reasons(pair, 14, START + dt.timedelta(days=29)) == [d.REASON_NEVER_MET]


def test_pair_silent_for_more_than_two_cadences_is_at_risk():
    met = START + dt.timedelta(days=7)
    pair = facts(last_met=met, first_met=met, checkins=1, ratings=(4,), wellbeing_by_person=((4,),))
    assert d.at_risk_reasons(pair, 14, met + dt.timedelta(days=28)) == []
    assert d.at_risk_reasons(pair, 14, met + dt.timedelta(days=29)) == [d.REASON_SILENT]


@pytest.mark.parametrize(
    ("scores", "falling"),
    [
        ((), False),
        ((3,), False),
        ((3, 4), False),  # one point down is noise
        ((2, 4), True),  # two points down
        ((1, 5, 5), True),
        ((3, 4, 5), True),  # three in a row, each lower
        ((3, 3, 5), False),
        ((5, 4, 3), False),  # rising
    ],
)
def test_falling_scores(scores, falling):
    assert d.is_falling(scores) is falling


def test_low_or_falling_wellbeing_and_falling_rating_are_reasons():
    today = START + dt.timedelta(days=20)
    recent = {"last_met": today, "first_met": START, "checkins": 3}
    low = facts(**recent, ratings=(4, 4), wellbeing_by_person=((2, 3),))
    assert d.at_risk_reasons(low, 14, today) == [d.REASON_WELLBEING_LOW]
    falling = facts(**recent, ratings=(2, 4), wellbeing_by_person=((3, 4, 5),))
    assert d.at_risk_reasons(falling, 14, today) == [d.REASON_RATING, d.REASON_WELLBEING_FALLING]


def test_wellbeing_is_per_person_and_a_mentors_five_never_hides_a_mentees_one():
    today = START + dt.timedelta(days=20)
    recent = {"last_met": today, "first_met": START, "checkins": 2}
    # The mentee logged 1 last week, the mentor 5 today: the pair's latest score is 5, but the
    # lowest of each person's latest is 1.
    pair = facts(**recent, ratings=(4, 4), wellbeing_by_person=((5,), (1,)))
    assert d.at_risk_reasons(pair, 14, today) == [d.REASON_WELLBEING_LOW]
    # One person's own scores falling is enough, whatever the other's.
    pair = facts(**recent, ratings=(4, 4), wellbeing_by_person=((5, 5), (3, 5)))
    assert d.at_risk_reasons(pair, 14, today) == [d.REASON_WELLBEING_FALLING]


def test_ended_or_future_pairs_are_never_at_risk():
    ended = facts(
        status="ended", ended_on=START, end_reason="poor_fit", wellbeing_by_person=((1,),)
    )
    assert d.at_risk_reasons(ended, 14, END) == []
    future = facts(started_on=END)
    assert d.at_risk_reasons(future, 14, START) == []


def test_pair_ended_on_its_first_day_lasted_zero_days_and_ended_early():
    pair = facts(status="ended", ended_on=START, end_reason="mentee_left")
    assert d.relationship_days(pair, END) == 0
    assert d.is_early_ending(pair, END)
    assert d.expected_checkins(pair, 14, Window(as_of=END)) == 0
    assert d.length_band(0) == "under 4 weeks"


def test_early_ending_needs_a_reason_other_than_completed_and_a_date_before_the_end():
    completed_early = facts(status="ended", ended_on=START, end_reason="completed")
    assert not d.is_early_ending(completed_early, END)
    assert d.is_completed(completed_early)
    on_end_date = facts(status="ended", ended_on=END, end_reason="workload")
    assert not d.is_early_ending(on_end_date, END)
    assert d.is_early_ending(facts(status="ended", ended_on=END - dt.timedelta(1)), END)


def test_expected_checkins_follow_the_cadence_inside_the_window():
    pair = facts()
    assert d.expected_checkins(pair, 14, Window(as_of=START + dt.timedelta(days=13))) == 0
    assert d.expected_checkins(pair, 14, Window(as_of=START + dt.timedelta(days=42))) == 3
    window = Window(as_of=START + dt.timedelta(days=42), start=START + dt.timedelta(days=28))
    assert d.expected_checkins(pair, 14, window) == 1


def test_summary_of_no_pairs_has_no_rates():
    s = d.summarise_pairs([], cadence_days=14, cohort_ends_on=END, window=Window(as_of=END))
    assert s.pairs == 0
    assert s.plan_rate is None
    assert s.checkins_per_pair is None
    assert s.length_median is None
    assert s.early_rate is None
    assert s.at_risk == []


def test_summary_counts_outcomes_repairings_and_plan():
    as_of = START + dt.timedelta(days=56)
    pairs = [
        facts(pk=1, mentee_id=1, status="ended", ended_on=START, end_reason="poor_fit"),
        facts(pk=2, mentee_id=1, checkins=4, first_met=START + dt.timedelta(3), last_met=as_of),
        facts(
            pk=3,
            mentee_id=2,
            status="ended",
            ended_on=as_of,
            end_reason="completed",
            checkins=2,
            first_met=START + dt.timedelta(7),
            last_met=START + dt.timedelta(20),
        ),
    ]
    s = d.summarise_pairs(pairs, cadence_days=14, cohort_ends_on=END, window=Window(as_of=as_of))
    assert (s.pairs, s.active, s.completed, s.early) == (3, 1, 1, 1)
    assert s.repaired_mentees == 1
    assert s.checkins == 6
    assert s.expected == 0 + 4 + 4
    assert s.plan_rate == 75.0
    assert s.days_to_first_median == 5.0
    assert s.never_met == 1
    assert s.end_reasons == {"poor_fit": 1, "completed": 1}
    assert s.early_rate == 50.0


def test_nps_and_rates():
    assert d.nps(5, 2, 10) == 30
    assert d.nps(0, 0, 0) is None
    assert d.rate(1, 3) == 33.3
    assert d.rate(1, 0) is None


def test_small_groups_are_suppressed_but_zero_is_shown():
    assert not d.suppressed(0)
    assert d.suppressed(1) and d.suppressed(4)
    assert not d.suppressed(5)
