"""Metric definitions on hand-built data in the database."""

import datetime as dt

import pytest
import time_machine

from insights import selectors
from insights.definitions import Window
from insights.tests.conftest import make_pairs, make_survey, needs_surveys
from pairing.tests.factories import CheckInFactory, PairFactory
from people.models import Grade
from people.tests.factories import UserFactory
from programmes.tests.factories import CohortFactory, EnrolmentFactory
from recruitment.models import BusinessPriority, Project, TalentPoolEntry

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 4, 10)


def test_cohort_with_no_pairs_has_zero_counts_and_no_rates(cohort):
    d = selectors.cohort_dashboard(cohort=cohort, window=Window(as_of=AS_OF))
    assert d.funnel.accepted == 0
    assert d.funnel.match_rate is None
    assert d.funnel.mentor_utilisation is None
    assert d.funnel.days_to_first_pair is None
    assert d.pairs.pairs == 0
    assert d.pairs.at_risk == []
    assert d.wellbeing["total"] == 0
    assert d.wellbeing["mean"] is None
    assert d.headline["Match rate %"] is None


def test_funnel_counts_match_rate_and_mentor_utilisation(past_cohort):
    c = past_cohort
    mentor = EnrolmentFactory(cohort=c, role="mentor", capacity=3)
    EnrolmentFactory(cohort=c, role="mentor", capacity=1, status="applied")  # not accepted
    matched = [EnrolmentFactory(cohort=c, role="mentee") for _ in range(2)]
    EnrolmentFactory(cohort=c, role="mentee")  # accepted, no pair
    EnrolmentFactory(cohort=c, role="mentee", status="waitlisted")
    EnrolmentFactory(cohort=c, role="mentee", status="invited")
    PairFactory(cohort=c, mentor=mentor, mentee=matched[0], started_on=c.starts_on)
    PairFactory(
        cohort=c,
        mentor=mentor,
        mentee=matched[1],
        started_on=c.starts_on,
        status="ended",
        ended_on=c.starts_on,
        end_reason="poor_fit",
    )
    d = selectors.cohort_dashboard(cohort=c, window=Window(as_of=AS_OF))
    f = d.funnel
    assert (f.applied, f.accepted, f.waitlisted, f.matched) == (4, 3, 1, 2)
    assert f.match_rate == 66.7
    # One active pair uses a place; the early ending does not. Capacity of accepted mentors: 3.
    assert f.working_pairs == 1
    assert f.mentor_utilisation == 33.3
    assert f.mentors_applied == 2 and f.mentors_accepted == 1
    assert d.pairs.early == 1
    assert d.pairs.length_median is not None


def test_days_to_first_pair_counts_from_applications_close(past_cohort):
    with time_machine.travel(dt.datetime(2025, 1, 2, 12, tzinfo=dt.UTC)):
        PairFactory(cohort=past_cohort, started_on=past_cohort.starts_on)
    d = selectors.cohort_dashboard(cohort=past_cohort, window=Window(as_of=AS_OF))
    assert d.funnel.days_to_first_pair == 18  # 15 Dec 2024 -> 2 Jan 2025


def test_days_to_first_pair_counts_each_cohorts_earliest_pair_on_both_dashboards(
    programme, past_cohort
):
    """The first pair's creation is read once per cohort (funnel_counts_by_cohort), no longer
    from each pair's facts: the earliest of the cohort's pairs, whatever their order, and only
    its own pairs."""
    later = CohortFactory(
        programme=programme,
        applications_close=dt.date(2025, 6, 30),
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2025, 12, 1),
    )
    for cohort, day in (
        (past_cohort, dt.date(2025, 1, 9)),
        (past_cohort, dt.date(2024, 12, 20)),  # made later in pk order, earlier in time
        (past_cohort, dt.date(2025, 1, 2)),
        (later, dt.date(2025, 7, 4)),
    ):
        with time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)):
            PairFactory(cohort=cohort, started_on=cohort.starts_on)
    window = Window(as_of=AS_OF)
    assert (
        selectors.cohort_dashboard(cohort=past_cohort, window=window).funnel.days_to_first_pair == 5
    )
    assert selectors.cohort_dashboard(cohort=later, window=window).funnel.days_to_first_pair == 4
    columns = selectors.programme_dashboard(programme=programme, window=window).columns
    assert [c.funnel.days_to_first_pair for c in columns] == [5, 4]


def test_registered_interest_belongs_to_the_round_before_each_close(programme, past_cohort):
    later = CohortFactory(
        programme=programme,
        applications_close=dt.date(2025, 6, 30),
        starts_on=dt.date(2025, 9, 1),
        ends_on=dt.date(2025, 12, 1),
    )
    for day, n in ((dt.date(2024, 12, 1), 2), (dt.date(2025, 2, 1), 3), (dt.date(2025, 8, 1), 1)):
        with time_machine.travel(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)):
            for _ in range(n):
                TalentPoolEntry.objects.create(
                    programme=programme,
                    email=f"{day}-{_}@example.gov.uk",
                    source=TalentPoolEntry.Source.INTEREST,
                )
    TalentPoolEntry.objects.create(programme=programme, email="x@example.gov.uk", source="added")
    cohorts = [past_cohort, later]
    assert selectors.interest_by_cohort(programme, cohorts) == {past_cohort.pk: 2, later.pk: 3}


def test_at_risk_pairs_come_with_reasons_and_quiet_pairs_do_not(past_cohort):
    c = past_cohort
    as_of = c.starts_on + dt.timedelta(days=60)
    never, fine, falling = make_pairs(c, 3)
    CheckInFactory(pair=fine, met_on=as_of - dt.timedelta(days=3), rating=4, wellbeing=4)
    for days, rating, wellbeing in ((30, 5, 4), (40, 4, 4), (50, 2, 4)):
        CheckInFactory(
            pair=falling,
            met_on=c.starts_on + dt.timedelta(days),
            rating=rating,
            wellbeing=wellbeing,
        )
    d = selectors.cohort_dashboard(cohort=c, window=Window(as_of=as_of))
    reasons = {p.pk: r for p, r in d.pairs.at_risk}
    assert reasons == {never.pk: ["never met"], falling.pk: ["falling rating"]}
    risky = next(p for p, _ in d.pairs.at_risk if p.pk == falling.pk)
    assert risky.ratings == (2, 4, 5)


def test_checkins_after_the_as_of_date_are_not_counted(past_cohort):
    (pair,) = make_pairs(past_cohort, 1, checkins_each=4)
    as_of = past_cohort.starts_on + dt.timedelta(days=15)  # two check-ins by then
    d = selectors.cohort_dashboard(cohort=past_cohort, window=Window(as_of=as_of))
    assert d.pairs.checkins == 2
    assert d.wellbeing["total"] == 2
    later = selectors.cohort_dashboard(cohort=past_cohort, window=Window(as_of=AS_OF, start=as_of))
    assert later.pairs.checkins == 2  # only the two on or after the start
    assert sum(n for _, n in later.wellbeing["distribution"]) == 2


def test_wellbeing_distribution_and_weekly_trend(past_cohort):
    (pair,) = make_pairs(past_cohort, 1)
    monday = past_cohort.starts_on  # 13 Jan 2025 is a Monday
    for days, wellbeing in ((0, 2), (2, 4), (7, 5)):
        CheckInFactory(pair=pair, met_on=monday + dt.timedelta(days), wellbeing=wellbeing, rating=3)
    w = selectors.wellbeing_figures([past_cohort.pk], Window(as_of=AS_OF))
    assert w["distribution"] == [(1, 0), (2, 1), (3, 0), (4, 1), (5, 1)]
    assert w["mean"] == 3.67
    assert [(x["week"], x["checkins"], x["wellbeing"]) for x in w["weeks"]] == [
        (monday, 2, 3.0),
        (monday + dt.timedelta(days=7), 1, 5.0),
    ]


def test_a_programme_column_has_its_cohort_dashboards_mean_wellbeing(programme, past_cohort):
    """The programme dashboard takes each cohort's mean from its pairs' facts (the check-in
    summaries' wellbeing sums), the cohort dashboard from the check-ins: the same figure, in
    every window."""
    later = CohortFactory(
        programme=programme,
        starts_on=past_cohort.starts_on + dt.timedelta(days=14),
        ends_on=past_cohort.ends_on,
    )
    make_pairs(past_cohort, 3, checkins_each=5)
    make_pairs(later, 2, checkins_each=2, start=later.starts_on)
    CheckInFactory(pair=make_pairs(later, 1)[0], met_on=later.starts_on, wellbeing=2)
    windows = [Window(as_of=AS_OF)] + [
        Window(as_of=past_cohort.starts_on + dt.timedelta(days=d), start=start)
        for d in (10, 20, 29, 40)
        for start in (None, past_cohort.starts_on + dt.timedelta(days=15))
    ]
    for window in windows:
        d = selectors.programme_dashboard(programme=programme, window=window)
        for column in d.columns:
            cohort = selectors.cohort_dashboard(cohort=column.cohort, window=window)
            assert column.wellbeing_mean == cohort.wellbeing["mean"], (window, column.cohort)
            assert column.headline["Mean wellbeing"] == cohort.headline["Mean wellbeing"]


def test_breakdowns_count_each_person_once_whatever_their_enrolments(programme, past_cohort):
    """The one grouped query behind both breakdowns gives what counting the people and pairs
    one by one gives: a person enrolled in two cohorts once, a mentee's every ended pair, a
    missing and an empty organisation as one group."""
    from pairing.models import Pair
    from people.models import Profile
    from programmes.models import Enrolment

    later = CohortFactory(
        programme=programme,
        starts_on=past_cohort.starts_on + dt.timedelta(days=14),
        ends_on=past_cohort.ends_on,
    )
    orgs = ["Office for National Statistics", "HMRC", "", "HMRC", "Met Office", ""]
    grades = [Grade.G7, Grade.SEO, Grade.G7, None, Grade.HEO]
    people = [UserFactory() for _ in range(30)]
    for i, user in enumerate(people):
        user.profile.organisation, user.profile.grade = orgs[i % 6], grades[i % 5]
        user.profile.save()
    Profile.objects.filter(user=people[0]).delete()  # no profile at all: "not given"
    for i, user in enumerate(people):
        EnrolmentFactory(user=user, cohort=past_cohort, role="mentee" if i % 3 else "mentor")
        if i % 4 == 0:
            EnrolmentFactory(user=user, cohort=later, role="mentor")
    EnrolmentFactory(user=people[1], cohort=later, role="mentee", status="declined")
    for n, pair in enumerate(make_pairs(past_cohort, 4) + make_pairs(later, 3)):
        if n % 2:
            pair.status, pair.ended_on = Pair.Status.ENDED, pair.started_on
            pair.end_reason = Pair.EndReason.COMPLETED if n % 3 else Pair.EndReason.WORKLOAD
            pair.save()
    ids = [past_cohort.pk, later.pk]
    accepted = Enrolment.objects.filter(cohort_id__in=ids, status="accepted")

    def expected(key) -> dict:
        groups: dict = {}
        for e in accepted.select_related("user"):
            profile = Profile.objects.filter(user=e.user).first()
            g = groups.setdefault(key(profile), [set(), set(), set(), 0, 0])
            g[0].add(e.user_id)
            g[1 if e.role == "mentee" else 2].add(e.user_id)
            if e.role == "mentee":
                ended = Pair.objects.filter(mentee=e, status=Pair.Status.ENDED)
                g[3] += ended.count()
                g[4] += ended.filter(end_reason=Pair.EndReason.COMPLETED).count()
        return {k: (len(a), len(b), len(c), d, f) for k, (a, b, c, d, f) in groups.items()}

    def counts(r):
        return r.people, r.mentees, r.mentors, r.mentee_pairs_ended, r.mentee_pairs_completed

    labels = dict(Grade.choices)
    by_organisation, by_grade = selectors.breakdowns(ids)
    for rows, key in (
        (by_organisation, lambda p: (p and p.organisation) or "Organisation not given"),
        (by_grade, lambda p: labels.get(p.grade if p else None, "Grade not given")),
    ):
        got = {r.label: counts(r) for r in rows}
        assert got == expected(key)


def test_returning_mentor_and_alumni_to_mentor(programme, past_cohort):
    later = CohortFactory(
        programme=programme, starts_on=dt.date(2025, 9, 1), ends_on=dt.date(2025, 12, 1)
    )
    returning = UserFactory()
    alumna = UserFactory()
    newcomer = UserFactory()
    declined_before = UserFactory()
    EnrolmentFactory(user=returning, cohort=past_cohort, role="mentor")
    EnrolmentFactory(user=alumna, cohort=past_cohort, role="mentee")
    EnrolmentFactory(user=declined_before, cohort=past_cohort, role="mentor", status="declined")
    for user in (returning, alumna, newcomer, declined_before):
        EnrolmentFactory(user=user, cohort=later, role="mentor")
    r = selectors.retention_by_cohort(programme, [past_cohort.pk, later.pk])
    assert r["per_cohort"][later.pk] == {"mentors": 4, "returning": 1, "alumni": 1}
    assert r["per_cohort"][past_cohort.pk] == {"mentors": 1, "returning": 0, "alumni": 0}
    assert (r["mentors"], r["returning"], r["alumni"]) == (4, 1, 1)


def test_breakdowns_hide_groups_of_fewer_than_five(past_cohort):
    for i in range(6):
        EnrolmentFactory(cohort=past_cohort, role="mentee" if i < 4 else "mentor")
    small = [EnrolmentFactory(cohort=past_cohort) for _ in range(4)]
    for e in small:
        e.user.profile.organisation = "Tiny Office"
        e.user.profile.grade = Grade.G7
        e.user.profile.save()
    by_organisation, by_grade = selectors.breakdowns([past_cohort.pk])
    rows = {r.label: r for r in by_organisation}
    big, tiny = rows["Office for National Statistics"], rows["Tiny Office"]
    # The headline says 10 people and 2 mentors, and the tiny office has no mentor: showing
    # anything of the big office would give away the tiny one's figures, or its own 2 mentors.
    # No cell can protect the others, so nothing is shown.
    for row in (big, tiny):
        assert row.hidden
        assert {row.mentees_shown, row.mentors_shown} <= {"fewer than 5", "not shown"}
    grades = {r.label: r for r in by_grade}
    assert grades["Grade 7"].hidden


def test_priorities_covered_by_accepted_mentees_projects(programme, past_cohort):
    data, ai = (BusinessPriority.objects.create(programme=programme, name=n) for n in "AB")
    project = Project.objects.create(
        enrolment=EnrolmentFactory(cohort=past_cohort), title="T", description="D"
    )
    project.priorities.add(data)
    waitlisted = Project.objects.create(
        enrolment=EnrolmentFactory(cohort=past_cohort, status="waitlisted"),
        title="U",
        description="D",
    )
    waitlisted.priorities.add(ai)
    rows = selectors.priorities_covered(programme, [past_cohort.pk])
    assert rows == [{"name": "A", "projects": 1}, {"name": "B", "projects": 0}]


@needs_surveys
def test_anonymous_survey_with_two_answers_is_hidden_whole(past_cohort):
    make_survey(
        past_cohort,
        anonymous=True,
        responses=2,
        scale=(5, 5),
        nps_scores=(10, 10),
        comments=("Identifiable remark", "Another"),
    )
    d = selectors.cohort_dashboard(cohort=past_cohort, window=Window(as_of=AS_OF))
    (r,) = d.surveys.rounds
    assert r.hidden
    assert (r.responses, r.invited, r.answered) == (2, 3, 2)
    assert r.score is None and r.nps is None
    assert d.surveys.comments == []
    assert d.surveys.response_rate == 66.7


@needs_surveys
def test_anonymous_survey_with_three_answers_shows_scores_nps_and_comments(past_cohort):
    make_survey(
        past_cohort,
        anonymous=True,
        responses=3,
        scale=(5, 4, 3),
        nps_scores=(10, 9, 3),
        comments=("Great", "", "=cmd"),
    )
    d = selectors.cohort_dashboard(cohort=past_cohort, window=Window(as_of=AS_OF))
    (r,) = d.surveys.rounds
    assert not r.hidden
    assert r.score == 4.0
    assert r.nps == 33  # 2 promoters, 1 detractor of 3
    assert sorted(c["text"] for c in d.surveys.comments) == ["=cmd", "Great"]
    assert all(c["role"] == "" for c in d.surveys.comments)  # anonymous: no role either


@needs_surveys
def test_identified_survey_of_one_answer_is_shown(past_cohort):
    make_survey(past_cohort, anonymous=False, responses=1, scale=(2,), nps_scores=(6,))
    d = selectors.cohort_dashboard(cohort=past_cohort, window=Window(as_of=AS_OF))
    assert d.surveys.score == 2.0
    assert d.surveys.nps == -100


@needs_surveys
def test_survey_rounds_after_the_as_of_date_are_left_out(past_cohort):
    make_survey(past_cohort, anonymous=False, responses=1, scale=(4,))
    early = past_cohort.starts_on + dt.timedelta(days=5)
    d = selectors.cohort_dashboard(cohort=past_cohort, window=Window(as_of=early))
    assert d.surveys.rounds == []


@pytest.mark.parametrize("pairs", [1, 6])
def test_each_subject_makes_the_queries_its_docstring_promises(
    past_cohort, programme, pairs, django_assert_num_queries
):
    """The counts in insights/selectors/*.py, whatever the number of pairs."""
    make_pairs(past_cohort, pairs, checkins_each=3)
    ids, window = [past_cohort.pk], Window(as_of=AS_OF)
    promised = [
        (selectors.funnel_counts_by_cohort, (ids,), 1),
        (selectors.interest_by_cohort, (programme, [past_cohort]), 1),
        # undated: the pairs with their check-in summaries; with a start date, the check-ins
        # inside the window too; as of a day before some pairs met, those pairs' check-ins
        # (aggregates and latest scores)
        (selectors.pair_facts, (ids, window), 1),
        (selectors.pair_facts, (ids, Window(as_of=AS_OF, start=past_cohort.starts_on)), 2),
        (selectors.pair_facts, (ids, Window(as_of=past_cohort.starts_on)), 3),
        (selectors.pair_facts, (ids, Window(as_of=past_cohort.starts_on, start=dt.date.min)), 4),
        (selectors.wellbeing_figures, (ids, window), 1),
        (selectors.retention_by_cohort, (programme, ids), 1),
        (selectors.talent_pool_size, (programme,), 2),
        (selectors.priorities_covered, (programme, ids), 1),
        (selectors.breakdowns, (ids,), 1),
    ]
    for function, args, queries in promised:
        with django_assert_num_queries(queries):
            function(*args)


def _weeks_by_trunc_week(cohort_ids, window):
    """The weekly series as the database's week truncation gives it (the query before the third
    pass, 1 December): the oracle for folding days into weeks in Python."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncWeek

    from insights.selectors.engagement import checkins_in_window

    rows = (
        checkins_in_window(cohort_ids, window)
        .annotate(week=TruncWeek("met_on"))
        .values("week")
        .annotate(n=Count("pk"), wellbeing=Sum("wellbeing"), ratings=Sum("rating"))
        .order_by("week")
        .values_list("week", "n", "wellbeing", "ratings")
    )
    return [
        {
            "week": week.date() if isinstance(week, dt.datetime) else week,
            "checkins": n,
            "wellbeing": round(wellbeing / n, 2),
            "rating": round(ratings / n, 2),
        }
        for week, n, wellbeing, ratings in rows
    ]


def test_weekly_series_folds_days_into_the_weeks_the_database_truncates_to(past_cohort):
    import random

    rng = random.Random(19)
    pairs = make_pairs(past_cohort, 4)
    for _ in range(60):
        CheckInFactory(
            pair=rng.choice(pairs),
            met_on=past_cohort.starts_on + dt.timedelta(days=rng.randrange(-3, 80)),
            wellbeing=rng.randint(1, 5),
            rating=rng.randint(1, 5),
        )
    ids = [past_cohort.pk]
    for window in (
        Window(as_of=AS_OF),
        Window(as_of=past_cohort.starts_on + dt.timedelta(days=30)),
        Window(as_of=AS_OF, start=past_cohort.starts_on + dt.timedelta(days=10)),
    ):
        assert selectors.wellbeing_figures(ids, window)["weeks"] == _weeks_by_trunc_week(
            ids, window
        )


@needs_surveys
def test_survey_rounds_count_invitations_as_the_grouped_join_did(programme, past_cohort):
    """Each schedule's invitations are counted by correlated subqueries since the third pass
    (1 December): the same invited, answered and first-due figures as joining the invitations
    to the schedules and grouping, in several windows, with a schedule that has none."""
    import random

    from django.db.models import Count, Min, Q
    from django.utils import timezone

    from feedback.models import SurveyInvitation, SurveySchedule
    from insights import surveys

    rng = random.Random(7)
    make_survey(past_cohort, anonymous=False, responses=3)
    make_survey(past_cohort, anonymous=True, responses=0)
    schedules = list(SurveySchedule.objects.filter(cohort=past_cohort))
    people = [EnrolmentFactory(cohort=past_cohort, role="mentee").user for _ in range(12)]
    for i, person in enumerate(people):
        SurveyInvitation.objects.create(
            schedule=rng.choice(schedules),
            user=person,
            role="mentee",
            due_on=past_cohort.starts_on + dt.timedelta(days=rng.randrange(0, 90)),
            closes_on=past_cohort.ends_on,
            answered_at=timezone.now() if rng.random() < 0.5 else None,
            batch=f"00000000-0000-0000-0000-{i:012d}",
        )
    SurveySchedule.objects.create(  # a round with no invitation: counted 0, not missing
        cohort=past_cohort, template=schedules[0].template, trigger="cohort_end", offset_days=0
    )
    for window in (
        Window(as_of=AS_OF),
        Window(as_of=past_cohort.starts_on + dt.timedelta(days=30)),
        Window(as_of=AS_OF, start=past_cohort.starts_on + dt.timedelta(days=20)),
    ):
        due = Q(invitations__due_on__lte=window.as_of)
        if window.start:
            due &= Q(invitations__due_on__gte=window.start)
        joined = {
            s.pk: (s.invited_n, s.answered_n, s.first_due)
            for s in SurveySchedule.objects.filter(cohort=past_cohort).annotate(
                invited_n=Count("invitations", filter=due),
                answered_n=Count(
                    "invitations", filter=due & Q(invitations__answered_at__isnull=False)
                ),
                first_due=Min("invitations__due_on"),
            )
        }
        got = surveys.cohort_survey_figures(cohort=past_cohort, window=window)
        for r in got.rounds:
            invited, answered, first_due = joined[r.schedule_id]
            assert (r.invited, r.answered) == (invited, answered)
            if first_due:
                assert r.on == first_due
        assert got.rounds or window.as_of < AS_OF
