"""Each rule on plain data: no database."""

import datetime as dt

from rhythm import rules
from rhythm.data import (
    ApplicationRow,
    CheckInRow,
    CohortRow,
    InvitationRow,
    PairRow,
    ParticipantRow,
    Person,
    ProgrammeRow,
    Snapshot,
)
from rhythm.emails import mentor_next_time_load

D = dt.date
CORA = Person(1, "cora@example.gov.uk", "Cora")
MORGAN = Person(2, "morgan@example.gov.uk", "Morgan", "Europe/London")
MINA = Person(3, "mina@example.gov.uk", "Mina", "America/New_York")
PROGRAMME = ProgrammeRow(pk=1, name="DSA", slug="dsa", cadence_days=14, coordinators=(CORA,))
COHORT = CohortRow(
    pk=10,
    programme_id=1,
    name="Autumn",
    status="running",
    starts_on=D(2026, 10, 5),
    ends_on=D(2026, 12, 25),
)


def checkin(pk, met_on, rating=4, wellbeing=4, author=3, logged_on=None):
    return CheckInRow(pk, met_on, rating, wellbeing, author, logged_on or met_on)


def pair(*checkins, pk=7, **kw):
    return PairRow(
        pk=pk,
        cohort_id=10,
        mentor=MORGAN,
        mentee=MINA,
        started_on=D(2026, 10, 5),
        mentor_enrolment_id=20,
        mentee_enrolment_id=30,
        checkins=tuple(checkins),
        **kw,
    )


def snap(today, **kw):
    cohorts = kw.pop("cohorts", {10: COHORT})
    programmes = kw.pop("programmes", {1: PROGRAMME})
    return Snapshot(today=today, programmes=programmes, cohorts=cohorts, **kw)


def keys(messages):
    return [m.key for m in messages]


def test_checkin_due_tells_both_three_days_before_with_a_slot_in_both_working_hours():
    s = snap(D(2026, 10, 16), pairs=[pair()])
    out = rules.checkin_due(s, s.today)
    assert keys(out) == ["checkin-due:7:2026-10-19:mentor", "checkin-due:7:2026-10-19:mentee"]
    assert {m.due_on for m in out} == {D(2026, 10, 16)}
    assert {m.to for m in out} == {MORGAN.email, MINA.email}
    # 14:00 London is 09:00 New York (before the US clocks change on 1 November).
    assert out[0].ics["start"] == "2026-10-19T13:00:00+00:00"
    assert out[0].context["slot"] == "Monday 19 October 2026, 14:00 (Europe/London)"
    assert out[1].context["slot"] == "Monday 19 October 2026, 09:00 (America/New_York)"
    assert out[0].ics["uid"] == out[1].ics["uid"] == "checkin-7-2026-10-19@127.0.0.1"
    assert rules.checkin_due(snap(D(2026, 10, 15), pairs=[pair()]), D(2026, 10, 15)) == []


def test_checkin_due_follows_the_last_meeting_and_stops_at_the_cohort_end():
    s = snap(D(2026, 11, 13), pairs=[pair(checkin(1, D(2026, 11, 2)))])
    assert keys(rules.checkin_due(s, s.today))[0] == "checkin-due:7:2026-11-16:mentor"
    late = snap(D(2026, 12, 20), pairs=[pair(checkin(1, D(2026, 12, 14)))])
    assert rules.checkin_due(late, D(2027, 1, 31)) == []  # due 28 Dec, after the end


def test_nudge_after_two_silent_cadences_then_nothing_after_three():
    silent = pair(checkin(1, D(2026, 10, 12)))
    assert rules.checkin_nudge(snap(D(2026, 11, 8), pairs=[silent]), D(2026, 11, 8)) == []
    out = rules.checkin_nudge(snap(D(2026, 11, 9), pairs=[silent]), D(2026, 11, 9))
    assert keys(out) == ["checkin-nudge:7:2026-10-12:mentor", "checkin-nudge:7:2026-10-12:mentee"]
    assert out[0].context["days_silent"] == 28
    late = rules.run_rules(
        snap(D(2026, 11, 23), pairs=[silent]), D(2026, 11, 23), ["checkin-nudge"]
    )
    assert late == []  # three cadences: the coordinator's digest, not another email


def test_survey_reminders_after_n_and_m_days_never_after_closing():
    inv = InvitationRow(
        5, 10, MINA, "Mid-point", invited_on=D(2026, 11, 2), closes_on=D(2026, 11, 8)
    )
    s = snap(D(2026, 11, 2), invitations=[inv])
    out = rules.survey_reminders(s, D(2026, 11, 30))
    assert [(m.key, m.due_on) for m in out] == [("survey-reminder:5:1", D(2026, 11, 5))]
    assert out[0].not_after == D(2026, 11, 8)  # the second, on 9 Nov, is after closing
    longer = InvitationRow(5, 10, MINA, "Mid-point", D(2026, 11, 2), D(2026, 11, 16))
    out = rules.survey_reminders(snap(D(2026, 11, 2), invitations=[longer]), D(2026, 11, 30))
    assert [m.due_on for m in out] == [D(2026, 11, 5), D(2026, 11, 9)]
    assert out[1].context["last"] is True
    custom = ProgrammeRow(pk=1, name="DSA", slug="dsa", survey_first_days=1, survey_second_days=2)
    out = rules.survey_reminders(
        snap(D(2026, 11, 2), invitations=[longer], programmes={1: custom}), D(2026, 11, 30)
    )
    assert [m.due_on for m in out] == [D(2026, 11, 3), D(2026, 11, 4)]
    # Both due and not sent (a late run): only the second, not two at once.
    out = rules.run_rules(
        snap(D(2026, 11, 10), invitations=[longer]), D(2026, 11, 10), ["survey-reminder"]
    )
    assert keys(out) == ["survey-reminder:5:2"]


def test_milestones_on_their_days_and_closing_links_to_the_talent_pool():
    people = [
        ParticipantRow(20, 10, "mentor", MORGAN),
        ParticipantRow(30, 10, "mentee", MINA),
        ParticipantRow(40, 10, "mentee", Person(4, "u@example.gov.uk", "Unmatched")),
    ]
    assert rules.milestone_dates(COHORT) == {
        "welcome": D(2026, 10, 5),
        "halfway": D(2026, 11, 14),
        "two-weeks": D(2026, 12, 11),
        "closing": D(2026, 12, 25),
    }
    s = snap(D(2026, 10, 5), participants=people, pairs=[pair()])
    assert len(rules.milestones(s, s.today)) == 3  # everyone accepted is welcomed
    s = snap(D(2026, 11, 14), participants=people, pairs=[pair()])
    assert keys(rules.milestones(s, s.today)) == [
        "milestone:halfway:10:2",
        "milestone:halfway:10:3",
    ]
    s = snap(D(2026, 12, 25), participants=people, pairs=[pair(active=False, completed=True)])
    out = rules.milestones(s, s.today)
    assert [m.template for m in out] == ["cohort-closing", "cohort-closing"]
    token = out[0].context["mentor_next_time_url"].rstrip("/").rsplit("/", 1)[-1]
    assert mentor_next_time_load(token) == (1, 2)
    s = snap(D(2026, 12, 25), participants=people, pairs=[pair(active=False)])
    assert rules.milestones(s, s.today) == []  # ended early: no thank-you for finishing


def test_recruitment_three_days_before_the_deadline_says_what_is_missing():
    recruiting = CohortRow(
        11,
        1,
        "Spring",
        "recruiting",
        D(2027, 1, 11),
        D(2027, 4, 2),
        applications_close=D(2026, 12, 15),
    )
    apps = [
        ApplicationRow(1, 11, "mentee", "applied", MINA, has_project=False),
        ApplicationRow(2, 11, "mentor", "invited", MORGAN, profile_missing=("a short bio",)),
        ApplicationRow(3, 11, "mentee", "applied", CORA),  # complete: nothing to say
    ]
    s = snap(D(2026, 12, 12), cohorts={11: recruiting}, applications=apps)
    out = rules.recruitment(s, s.today)
    assert keys(out) == ["application-deadline:1", "application-deadline:2"]
    assert out[0].context["missing_project"] and not out[0].context["unfinished"]
    assert out[1].context["unfinished"] and out[1].context["profile_missing"] == ["a short bio"]
    assert (
        rules.recruitment(
            snap(D(2026, 12, 11), cohorts={11: recruiting}, applications=apps), D(2026, 12, 11)
        )
        == []
    )


def test_pending_signoff_reminds_the_manager_and_tells_the_applicant():
    programme = ProgrammeRow(pk=1, name="DSA", slug="dsa", requires_signoff=True)
    recruiting = CohortRow(
        11,
        1,
        "Spring",
        "recruiting",
        D(2027, 1, 11),
        D(2027, 4, 2),
        applications_close=D(2026, 12, 15),
    )
    app = ApplicationRow(
        1,
        11,
        "mentee",
        "applied",
        MINA,
        manager_email="boss@example.gov.uk",
        manager_pending=True,
        applied_on=D(2026, 11, 20),
        signoff_url="http://x/s",
    )
    s = snap(
        D(2026, 11, 25), programmes={1: programme}, cohorts={11: recruiting}, applications=[app]
    )
    out = rules.recruitment(s, s.today)
    assert [(m.key, m.to) for m in out] == [
        ("signoff-reminder:1:boss@example.gov.uk", "boss@example.gov.uk"),
        ("signoff-pending:1", MINA.email),
    ]
    assert out[0].kind == "manager-signoff" and out[0].context["url"] == "http://x/s"


def test_low_wellbeing_emails_the_author_only():
    low = checkin(9, D(2026, 11, 2), wellbeing=2, author=3)
    fine = checkin(8, D(2026, 11, 2), wellbeing=3, author=2)
    s = snap(D(2026, 11, 2), pairs=[pair(fine, low)])
    out = rules.wellbeing(s, s.today)
    assert [(m.key, m.to) for m in out] == [("wellbeing:9", MINA.email)]
    assert "support" in out[0].context["support_information"] or out[0].context is not None


def test_digest_on_mondays_flags_risks_without_content():
    silent = pair(pk=1)
    low = pair(checkin(1, D(2026, 11, 20), wellbeing=1), pk=2)
    falling = pair(
        checkin(1, D(2026, 10, 19), rating=5),
        checkin(2, D(2026, 11, 2), rating=4),
        checkin(3, D(2026, 11, 16), rating=2),
        pk=3,
    )
    s = snap(D(2026, 11, 23), pairs=[silent, low, falling])
    out = rules.digest(s, s.today)
    assert keys(out) == ["digest:1:1:2026-W48"]
    (section,) = out[0].context["cohorts"]
    reasons = {r["url"].rstrip("/").rsplit("/", 1)[-1]: r["reasons"] for r in section["at_risk"]}
    assert reasons == {
        "1": ["No check-in yet, two cadences after the start"],
        "2": ["Low wellbeing (2 or less)"],
        "3": ["Falling meeting rating"],
    }
    assert rules.digest(snap(D(2026, 11, 28), pairs=[silent]), D(2026, 11, 28)) == []  # Saturday


def test_digest_says_how_many_people_cannot_be_emailed():
    from dataclasses import replace

    from django.template.loader import render_to_string

    s = snap(D(2026, 11, 23), cohorts={10: replace(COHORT, undeliverable=3)})
    (message,) = rules.digest(s, s.today)
    (section,) = message.context["cohorts"]
    assert section["undeliverable"] == 3
    assert section["cohort_url"].endswith("/programmes/dsa/cohorts/10/")
    text = render_to_string("emails/coordinator-digest-body.txt", message.context)
    assert "3 people cannot be emailed (address undeliverable)" in text
