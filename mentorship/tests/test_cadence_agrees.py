"""The check-in cadence, written once in pairing/cadence.py and read by the pair page, the
dashboards and the reminder rules."""

import datetime as dt

from pairing import cadence

START = dt.date(2026, 10, 1)


def test_the_next_check_in_is_a_cadence_after_the_last_one_or_after_the_start():
    assert cadence.next_due(started_on=START, last_met_on=None, cadence_days=14) == dt.date(
        2026, 10, 15
    )
    assert cadence.next_due(
        started_on=START, last_met_on=dt.date(2026, 11, 9), cadence_days=14
    ) == dt.date(2026, 11, 23)


def test_due_today_is_not_overdue_and_an_ended_pair_never_is():
    due = dt.date(2026, 10, 15)
    assert not cadence.is_overdue(active=True, due=due, today=due)
    assert cadence.is_overdue(active=True, due=due, today=due + dt.timedelta(days=1))
    assert not cadence.is_overdue(active=False, due=due, today=due + dt.timedelta(days=30))


def test_days_since_is_empty_before_the_first_meeting_but_days_silent_counts_from_the_start():
    today = dt.date(2026, 10, 31)
    assert cadence.days_since(None, today) is None
    assert cadence.days_since(dt.date(2026, 10, 21), today) == 10
    assert cadence.days_silent(started_on=START, last_met_on=None, today=today) == 30
    assert (
        cadence.days_silent(started_on=START, last_met_on=dt.date(2026, 10, 21), today=today) == 10
    )


def test_status_puts_the_three_together():
    status = cadence.status(
        started_on=START,
        last_met_on=dt.date(2026, 10, 10),
        cadence_days=14,
        active=True,
        today=dt.date(2026, 10, 30),
    )
    assert status == cadence.CadenceStatus(
        next_due=dt.date(2026, 10, 24), days_since=20, overdue=True
    )


def test_the_dashboards_and_the_reminders_count_silence_the_same_way():
    """insights' "silent" and rhythm's nudge both start from the cadence module's anchor."""
    from insights import definitions
    from rhythm.data import PairRow, Person

    person = Person(user_id=1, email="a@example.gov.uk", name="A")
    row = PairRow(pk=1, cohort_id=1, mentor=person, mentee=person, started_on=START)
    assert row.anchor == cadence.anchor(started_on=START, last_met_on=None)
    facts = definitions.PairFacts(
        pk=1,
        cohort_id=1,
        mentee_id=1,
        mentee_name="",
        status="active",
        started_on=START,
        ended_on=None,
        end_reason="",
        checkins=0,
        first_met=None,
        last_met=None,
    )
    just_silent = START + dt.timedelta(days=2 * 14 + 1)
    assert definitions.at_risk_reasons(facts, 14, just_silent) == [definitions.REASON_NEVER_MET]
    assert definitions.at_risk_reasons(facts, 14, just_silent - dt.timedelta(days=1)) == []
