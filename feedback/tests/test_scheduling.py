"""The pure due-date maths, without a database."""

import datetime as dt

from feedback.scheduling import PairData, Person, ScheduleData, plan

START, END = dt.date(2027, 1, 11), dt.date(2027, 4, 2)
PEOPLE = [Person(1, "mentor"), Person(2, "mentee"), Person(3, "mentee")]


def schedule(trigger, *, offset=10, n=0, audience="both", close=14):
    return ScheduleData(7, trigger, audience, offset, n, close, START, END)


def test_cohort_start_survey_is_due_on_its_day_and_open_until_it_closes():
    s = schedule("cohort_start")
    assert plan(s, people=PEOPLE, pairs=[], today=dt.date(2027, 1, 20)) == []
    due = plan(s, people=PEOPLE, pairs=[], today=dt.date(2027, 1, 21))
    assert [(p.user_id, p.due_on, p.closes_on) for p in due] == [
        (1, dt.date(2027, 1, 21), dt.date(2027, 2, 4)),
        (2, dt.date(2027, 1, 21), dt.date(2027, 2, 4)),
        (3, dt.date(2027, 1, 21), dt.date(2027, 2, 4)),
    ]
    assert len(plan(s, people=PEOPLE, pairs=[], today=dt.date(2027, 2, 3))) == 3
    # A missed window is not sent late.
    assert plan(s, people=PEOPLE, pairs=[], today=dt.date(2027, 2, 4)) == []


def test_audience_picks_mentors_or_mentees():
    s = schedule("cohort_end", offset=0, audience="mentees")
    assert [p.user_id for p in plan(s, people=PEOPLE, pairs=[], today=END)] == [2, 3]
    s = schedule("cohort_end", offset=0, audience="mentors")
    assert [p.role for p in plan(s, people=PEOPLE, pairs=[], today=END)] == ["mentor"]


def test_pair_start_survey_is_per_pair_and_skips_pairs_that_ended_before_it():
    pairs = [
        PairData(100, 1, 2, START, None),
        PairData(101, 1, 3, START + dt.timedelta(days=5), None),
        PairData(102, 4, 5, START, START + dt.timedelta(days=3)),
    ]
    s = schedule("pair_start", offset=30)
    today = START + dt.timedelta(days=30)
    due = plan(s, people=[], pairs=pairs, today=today)
    assert {(p.pair_id, p.user_id) for p in due} == {(100, 1), (100, 2)}
    later = plan(s, people=[], pairs=pairs, today=today + dt.timedelta(days=5))
    assert {(p.pair_id, p.user_id) for p in later} == {(100, 1), (100, 2), (101, 1), (101, 3)}


def test_checkin_trigger_asks_once_per_nth_checkin():
    s = schedule("checkins", n=3)
    today = dt.date(2027, 2, 1)
    pairs = [PairData(1, 10, 11, START, None, checkins=2), PairData(2, 12, 13, START, None, 7)]
    due = plan(s, people=[], pairs=pairs, today=today)
    assert {(p.pair_id, p.user_id, p.occurrence) for p in due} == {(2, 12, 2), (2, 13, 2)}
    assert all(p.closes_on == today + dt.timedelta(days=14) for p in due)
