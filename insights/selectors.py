"""Reads for the dashboards: every figure from a fixed number of queries, whatever the data size.

The database does the counting (aggregates grouped by cohort, by role, by week, by score); the
classification of each pair (at risk, early ending, completed) is in :mod:`insights.definitions`
so it is written once. Pair facts are one grouped query that returns one row per pair plus one
window query for the latest three scores of active pairs: never a query per pair or per person.
Survey figures are in :mod:`insights.surveys`.

Nothing here checks access: views call :func:`programmes.selectors.cohort_for_coordinator` or
:func:`programmes.selectors.programme_for_coordinator` first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, F, Max, Min, OuterRef, Q, Sum
from django.db.models import Window as Over
from django.db.models.functions import RowNumber, TruncDate, TruncWeek
from django.utils import timezone

from pairing.models import CheckIn, Pair
from people.models import Grade, User
from programmes.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Programme, Role
from recruitment.models import BusinessPriority, TalentPoolEntry

from . import surveys
from .definitions import (
    SMALL_GROUP,
    PairFacts,
    PairSummary,
    Window,
    rate,
    summarise_pairs,
    suppressed,
)

ACCEPTED = EnrolmentStatus.ACCEPTED


def _name(full_name: str, email: str) -> str:
    return full_name or (email or "").split("@")[0]


# --- Funnel ---------------------------------------------------------------------------------------


@dataclass
class Funnel:
    interest: int = 0
    invited: int = 0
    applied: int = 0
    accepted: int = 0
    waitlisted: int = 0
    declined: int = 0
    withdrawn: int = 0
    mentors_applied: int = 0
    mentors_accepted: int = 0
    mentor_capacity: int = 0
    matched: int = 0
    days_to_first_pair: int | None = None
    working_pairs: int = 0  # active or completed: what uses a mentor's capacity

    @property
    def match_rate(self) -> float | None:
        return rate(self.matched, self.accepted)

    @property
    def mentor_utilisation(self) -> float | None:
        return rate(self.working_pairs, self.mentor_capacity)


def _funnel_counts():
    mentee, mentor = Q(role=Role.MENTEE), Q(role=Role.MENTOR)
    applied = ~Q(status=EnrolmentStatus.INVITED)
    return {
        "invited": Count("pk", filter=mentee & Q(status=EnrolmentStatus.INVITED)),
        "applied": Count("pk", filter=mentee & applied),
        "accepted": Count("pk", filter=mentee & Q(status=ACCEPTED)),
        "waitlisted": Count("pk", filter=mentee & Q(status=EnrolmentStatus.WAITLISTED)),
        "declined": Count("pk", filter=mentee & Q(status=EnrolmentStatus.DECLINED)),
        "withdrawn": Count("pk", filter=mentee & Q(status=EnrolmentStatus.WITHDRAWN)),
        "mentors_applied": Count("pk", filter=mentor & applied),
        "mentors_accepted": Count("pk", filter=mentor & Q(status=ACCEPTED)),
        "mentor_capacity": Sum("capacity", filter=mentor & Q(status=ACCEPTED)),
    }


def funnel_counts_by_cohort(cohort_ids) -> dict[int, dict]:
    """Enrolment counts of each cohort, by role and status: one query."""
    rows = (
        Enrolment.objects.filter(cohort_id__in=cohort_ids)
        .values("cohort_id")
        .annotate(**_funnel_counts())
        .order_by()
    )
    return {row.pop("cohort_id"): row for row in rows}


def interest_rounds(cohorts: list[Cohort]) -> dict[int, tuple[dt.date | None, dt.date]]:
    """The recruitment round each cohort's registered interest belongs to.

    A cohort's round ends on its applications close date (its start date if it has none) and
    begins the day after the previous cohort's round ended (open-ended for the first cohort).
    """
    ordered = sorted(cohorts, key=lambda c: (c.starts_on, c.pk))
    rounds, previous_end = {}, None
    for c in ordered:
        end = c.applications_close or c.starts_on
        rounds[c.pk] = (previous_end, end)
        previous_end = max(end, previous_end) if previous_end else end
    return rounds


def interest_by_cohort(programme: Programme, cohorts: list[Cohort]) -> dict[int, int]:
    """Registered interest (talent pool entries from the public form) per recruitment round."""
    by_day = (
        TalentPoolEntry.objects.filter(programme=programme, source=TalentPoolEntry.Source.INTEREST)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("day", "n")
    )
    by_day = list(by_day)
    result = {}
    for pk, (begin, end) in interest_rounds(cohorts).items():
        result[pk] = sum(n for day, n in by_day if day <= end and (begin is None or day > begin))
    return result


def build_funnel(counts: dict | None, interest: int, pairs: list[PairFacts], cohort) -> Funnel:
    f = Funnel(interest=interest, **{k: (v or 0) for k, v in (counts or {}).items()})
    f.matched = len({p.mentee_id for p in pairs if p.mentee_accepted})
    f.working_pairs = sum(1 for p in pairs if p.status == "active" or p.end_reason == "completed")
    if pairs and cohort.applications_close:
        created = timezone.localdate(min(p.created_at for p in pairs))
        first = min(created, min(p.started_on for p in pairs))
        f.days_to_first_pair = (first - cohort.applications_close).days
    return f


# --- Pair facts -----------------------------------------------------------------------------------


_NAME_FIELDS = (
    "mentor__user__full_name",
    "mentor__user__email",
    "mentee__user__full_name",
    "mentee__user__email",
)


@dataclass(frozen=True)
class CohortPairFacts(PairFacts):
    mentee_accepted: bool = True
    created_at: dt.datetime | None = None


def pair_facts(cohort_ids, window: Window, *, names: bool = True) -> list[CohortPairFacts]:
    """One row of facts per pair of the cohorts: three queries in all (pairs, check-in
    aggregates grouped by pair, latest scores), each a single pass whatever the data size."""
    upto = Q(met_on__lte=window.as_of)
    counted = upto & Q(met_on__gte=window.start) if window.start else upto
    agg = {
        pair_id: (n, first, last)
        for pair_id, n, first, last in CheckIn.objects.filter(pair__cohort_id__in=cohort_ids)
        .values("pair_id")
        .annotate(
            n=Count("pk", filter=counted),
            first=Min("met_on", filter=upto),
            last=Max("met_on", filter=upto),
        )
        .order_by()
        .values_list("pair_id", "n", "first", "last")
    }
    rows = (
        Pair.objects.filter(cohort_id__in=cohort_ids)
        .order_by("pk")
        .values_list(
            "pk",
            "cohort_id",
            "mentee_id",
            "mentee__status",
            *(_NAME_FIELDS if names else ("status",) * 4),
            "status",
            "started_on",
            "ended_on",
            "end_reason",
            "created_at",
        )
    )
    scores = latest_scores(cohort_ids, window.as_of)
    facts = []
    for (
        pk,
        cohort_id,
        mentee_id,
        mentee_status,
        mentor_full,
        mentor_email,
        mentee_full,
        mentee_email,
        status,
        started_on,
        ended_on,
        end_reason,
        created_at,
    ) in rows:
        n, first, last = agg.get(pk, (0, None, None))
        latest = scores.get(pk, ())
        facts.append(
            CohortPairFacts(
                pk=pk,
                cohort_id=cohort_id,
                mentee_id=mentee_id,
                mentor_name=_name(mentor_full, mentor_email) if names else "",
                mentee_name=_name(mentee_full, mentee_email) if names else "",
                status=status,
                started_on=started_on,
                ended_on=ended_on,
                end_reason=end_reason,
                checkins=n,
                first_met=first,
                last_met=last,
                ratings=tuple(s[0] for s in latest),
                wellbeing=tuple(s[1] for s in latest),
                mentee_accepted=mentee_status == ACCEPTED,
                created_at=created_at,
            )
        )
    return facts


def latest_scores(cohort_ids, as_of: dt.date) -> dict[int, list[tuple[int, int]]]:
    """(rating, wellbeing) of the latest three check-ins of each active pair, latest first."""
    rows = (
        CheckIn.objects.filter(
            pair__cohort_id__in=cohort_ids, pair__status=Pair.Status.ACTIVE, met_on__lte=as_of
        )
        .annotate(
            rn=Over(
                RowNumber(),
                partition_by=[F("pair_id")],
                order_by=[F("met_on").desc(), F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rn__lte=3)
        .values_list("pair_id", "rn", "rating", "wellbeing")
    )
    result: dict[int, list] = defaultdict(list)
    for pair_id, _rn, rating, wellbeing in sorted(rows, key=lambda r: (r[0], r[1])):
        result[pair_id].append((rating, wellbeing))
    return result


def _checkins(cohort_ids, window: Window):
    qs = CheckIn.objects.filter(pair__cohort_id__in=cohort_ids, met_on__lte=window.as_of)
    if window.start:
        qs = qs.filter(met_on__gte=window.start)
    return qs


def wellbeing_figures(cohort_ids, window: Window) -> dict:
    """Distribution of wellbeing scores (1-5) and the weekly average of wellbeing and rating."""
    counts = dict(
        _checkins(cohort_ids, window)
        .values("wellbeing")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("wellbeing", "n")
    )
    weeks = list(
        _checkins(cohort_ids, window)
        .annotate(week=TruncWeek("met_on"))
        .values("week")
        .annotate(n=Count("pk"), wellbeing=Avg("wellbeing"), rating=Avg("rating"))
        .order_by("week")
    )
    total = sum(counts.values())
    return {
        "distribution": [(score, counts.get(score, 0)) for score in range(1, 6)],
        "total": total,
        "mean": round(sum(s * n for s, n in counts.items()) / total, 2) if total else None,
        "weeks": [
            {
                "week": w["week"].date() if isinstance(w["week"], dt.datetime) else w["week"],
                "checkins": w["n"],
                "wellbeing": round(w["wellbeing"], 2),
                "rating": round(w["rating"], 2),
            }
            for w in weeks
        ],
    }


# --- Cohort dashboard -----------------------------------------------------------------------------


@dataclass
class CohortDashboard:
    cohort: Cohort
    window: Window
    funnel: Funnel
    pairs: PairSummary
    wellbeing: dict
    surveys: surveys.SurveyFigures
    cadence_days: int

    @property
    def headline(self) -> dict:
        return headline(self.funnel, self.pairs, self.surveys, self.wellbeing.get("mean"))


def headline(funnel: Funnel, pairs: PairSummary, survey: surveys.SurveyFigures, wellbeing_mean):
    """The figures shown side by side on the programme dashboard, in order."""
    return {
        "Applied (mentees)": funnel.applied,
        "Accepted (mentees)": funnel.accepted,
        "Matched": funnel.matched,
        "Match rate %": funnel.match_rate,
        "Mentor utilisation %": funnel.mentor_utilisation,
        "Pairs": pairs.pairs,
        "Check-ins per pair": pairs.checkins_per_pair,
        "Check-ins against plan %": pairs.plan_rate,
        "At risk now": len(pairs.at_risk),
        "Completed": pairs.completed,
        "Ended early": pairs.early,
        "Median relationship (days)": pairs.length_median,
        "Mean wellbeing": wellbeing_mean,
        "Survey response rate %": survey.response_rate if survey.available else None,
        "NPS": survey.nps if survey.available else None,
    }


def window_for(*, start: dt.date | None = None, end: dt.date | None = None) -> Window:
    """The as-of date is the end of the filter, never later than today."""
    today = timezone.localdate()
    return Window(as_of=min(end, today) if end else today, start=start)


def cohort_dashboard(*, cohort: Cohort, window: Window) -> CohortDashboard:
    programme = cohort.programme
    cohorts = list(
        Cohort.objects.filter(programme=programme).only("pk", "starts_on", "applications_close")
    )
    facts = pair_facts([cohort.pk], window)
    counts = funnel_counts_by_cohort([cohort.pk]).get(cohort.pk)
    interest = interest_by_cohort(programme, cohorts).get(cohort.pk, 0)
    return CohortDashboard(
        cohort=cohort,
        window=window,
        funnel=build_funnel(counts, interest, facts, cohort),
        pairs=summarise_pairs(
            facts,
            cadence_days=programme.checkin_cadence_days,
            cohort_ends_on=cohort.ends_on,
            window=window,
        ),
        wellbeing=wellbeing_figures([cohort.pk], window),
        surveys=surveys.cohort_survey_figures(cohort=cohort, window=window),
        cadence_days=programme.checkin_cadence_days,
    )


# --- Programme dashboard --------------------------------------------------------------------------


@dataclass
class CohortColumn:
    cohort: Cohort
    funnel: Funnel
    pairs: PairSummary
    surveys: surveys.SurveyFigures
    wellbeing_mean: float | None
    returning_mentors: int = 0
    alumni_mentors: int = 0

    @property
    def headline(self) -> dict:
        return headline(self.funnel, self.pairs, self.surveys, self.wellbeing_mean)


@dataclass
class BreakdownRow:
    label: str
    people: int
    mentees: int
    mentors: int
    mentee_pairs_ended: int
    mentee_pairs_completed: int

    @property
    def hidden(self) -> bool:
        return self.people < SMALL_GROUP

    def shown(self, value: int):
        """The count, or None when it is 1 to 4 people (the template says "fewer than 5")."""
        return None if self.hidden or suppressed(value) else value

    @property
    def mentees_shown(self):
        return self.shown(self.mentees)

    @property
    def mentors_shown(self):
        return self.shown(self.mentors)

    @property
    def completion_rate(self):
        if self.hidden or self.mentee_pairs_ended < SMALL_GROUP:
            return None
        return rate(self.mentee_pairs_completed, self.mentee_pairs_ended)


@dataclass
class ProgrammeDashboard:
    programme: Programme
    window: Window
    columns: list[CohortColumn]
    retention: dict
    talent_pool: dict
    priorities: list[dict]
    by_organisation: list[BreakdownRow]
    by_grade: list[BreakdownRow]
    surveys_available: bool = field(default=False)


def programme_cohorts(programme: Programme, *, start=None, end=None):
    """The programme's cohorts running at some point in the date filter (all without one)."""
    qs = Cohort.objects.filter(programme=programme)
    if start:
        qs = qs.filter(ends_on__gte=start)
    if end:
        qs = qs.filter(starts_on__lte=end)
    return qs.order_by("starts_on", "pk")


def retention_by_cohort(programme: Programme, cohort_ids) -> dict:
    """Returning mentors and alumni-to-mentor per cohort, and distinct people overall.

    - returning mentor: accepted as a mentor in the cohort, and accepted as a mentor in an
      earlier cohort (earlier start date) of the same programme;
    - alumni-to-mentor: accepted as a mentor in the cohort, and accepted as a mentee in an
      earlier cohort of the same programme.
    """
    earlier = Enrolment.objects.filter(
        user=OuterRef("user"),
        cohort__programme=programme,
        status=ACCEPTED,
        cohort__starts_on__lt=OuterRef("cohort__starts_on"),
    )
    rows = list(
        Enrolment.objects.filter(cohort_id__in=cohort_ids, role=Role.MENTOR, status=ACCEPTED)
        .annotate(
            was_mentor=Exists(earlier.filter(role=Role.MENTOR)),
            was_mentee=Exists(earlier.filter(role=Role.MENTEE)),
        )
        .order_by()
        .values_list("cohort_id", "user_id", "was_mentor", "was_mentee")
    )
    per_cohort: dict[int, dict] = defaultdict(lambda: {"mentors": 0, "returning": 0, "alumni": 0})
    returning, alumni, mentors = set(), set(), set()
    for cohort_id, user_id, was_mentor, was_mentee in rows:
        per_cohort[cohort_id]["mentors"] += 1
        mentors.add(user_id)
        if was_mentor:
            per_cohort[cohort_id]["returning"] += 1
            returning.add(user_id)
        if was_mentee:
            per_cohort[cohort_id]["alumni"] += 1
            alumni.add(user_id)
    return {
        "per_cohort": dict(per_cohort),
        "mentors": len(mentors),
        "returning": len(returning),
        "alumni": len(alumni),
        "returning_rate": rate(len(returning), len(mentors)),
        "alumni_rate": rate(len(alumni), len(mentors)),
    }


def talent_pool_size(programme: Programme) -> dict:
    """People the programme could invite: pool entries by source, plus alumni of finished
    cohorts who are not in the pool already (one person counted once, by email)."""
    by_source = dict(
        TalentPoolEntry.objects.filter(programme=programme)
        .values("source")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("source", "n")
    )
    alumni = (
        User.objects.filter(
            enrolments__cohort__programme=programme,
            enrolments__cohort__status=CohortStatus.FINISHED,
            enrolments__status=ACCEPTED,
        )
        .exclude(email__in=TalentPoolEntry.objects.filter(programme=programme).values("email"))
        .distinct()
        .count()
    )
    interest = by_source.get(TalentPoolEntry.Source.INTEREST, 0)
    added = by_source.get(TalentPoolEntry.Source.ADDED, 0) + by_source.get(
        TalentPoolEntry.Source.ALUMNI, 0
    )
    return {
        "interest": interest,
        "added": added,
        "alumni": alumni,
        "total": interest + added + alumni,
    }


def priorities_covered(programme: Programme, cohort_ids) -> list[dict]:
    """Each business priority with the number of accepted mentees' projects that serve it."""
    served = Q(
        projects__enrolment__cohort_id__in=list(cohort_ids),
        projects__enrolment__status=ACCEPTED,
    )
    rows = (
        BusinessPriority.objects.filter(programme=programme)
        .annotate(projects_n=Count("projects", filter=served, distinct=True))
        .order_by("-projects_n", "name")
        .values_list("name", "projects_n")
    )
    return [{"name": name, "projects": n} for name, n in rows]


def _breakdown(cohort_ids, key: str, label) -> list[BreakdownRow]:
    mentee = Q(role=Role.MENTEE)
    pair_ended = mentee & Q(pairs_as_mentee__status=Pair.Status.ENDED)
    rows = (
        Enrolment.objects.filter(cohort_id__in=cohort_ids, status=ACCEPTED)
        .values(key)
        .annotate(
            people=Count("user", distinct=True),
            mentees=Count("user", filter=mentee, distinct=True),
            mentors=Count("user", filter=Q(role=Role.MENTOR), distinct=True),
            ended=Count("pairs_as_mentee", filter=pair_ended, distinct=True),
            completed=Count(
                "pairs_as_mentee",
                filter=pair_ended & Q(pairs_as_mentee__end_reason=Pair.EndReason.COMPLETED),
                distinct=True,
            ),
        )
        .order_by()
    )
    result = [
        BreakdownRow(
            label=label(r[key]),
            people=r["people"],
            mentees=r["mentees"],
            mentors=r["mentors"],
            mentee_pairs_ended=r["ended"],
            mentee_pairs_completed=r["completed"],
        )
        for r in rows
    ]
    # Shown groups first, largest first; hidden groups after, in name order (their size is not
    # revealed by their position).
    return sorted(result, key=lambda b: (b.hidden, -b.people if not b.hidden else 0, b.label))


def breakdown_by_organisation(cohort_ids) -> list[BreakdownRow]:
    return _breakdown(
        cohort_ids, "user__profile__organisation", lambda v: v or "Organisation not given"
    )


def breakdown_by_grade(cohort_ids) -> list[BreakdownRow]:
    labels = dict(Grade.choices)
    rows = _breakdown(
        cohort_ids, "user__profile__grade", lambda v: labels.get(v, "Grade not given")
    )
    order = {label: i for i, label in enumerate(labels.values())}
    return sorted(rows, key=lambda b: (b.hidden, order.get(b.label, 99), b.label))


def programme_dashboard(
    *, programme: Programme, window: Window, start=None, end=None
) -> ProgrammeDashboard:
    cohorts = list(programme_cohorts(programme, start=start, end=end))
    ids = [c.pk for c in cohorts]
    all_cohorts = list(
        Cohort.objects.filter(programme=programme).only("pk", "starts_on", "applications_close")
    )
    facts = pair_facts(ids, window, names=False)  # counts only: no names needed
    by_cohort: dict[int, list] = defaultdict(list)
    for p in facts:
        by_cohort[p.cohort_id].append(p)
    counts = funnel_counts_by_cohort(ids)
    interest = interest_by_cohort(programme, all_cohorts)
    wellbeing = dict(
        _checkins(ids, window)
        .values("pair__cohort_id")
        .annotate(m=Avg("wellbeing"))
        .order_by()
        .values_list("pair__cohort_id", "m")
    )
    survey = surveys.programme_survey_figures(cohort_ids=ids, window=window)
    retention = retention_by_cohort(programme, ids)
    columns = []
    for c in cohorts:
        pairs = by_cohort.get(c.pk, [])
        r = retention["per_cohort"].get(c.pk, {})
        columns.append(
            CohortColumn(
                cohort=c,
                funnel=build_funnel(counts.get(c.pk), interest.get(c.pk, 0), pairs, c),
                pairs=summarise_pairs(
                    pairs,
                    cadence_days=programme.checkin_cadence_days,
                    cohort_ends_on=c.ends_on,
                    window=window,
                ),
                surveys=survey.get(c.pk, surveys.SurveyFigures(available=surveys.available())),
                wellbeing_mean=round(wellbeing[c.pk], 2) if wellbeing.get(c.pk) else None,
                returning_mentors=r.get("returning", 0),
                alumni_mentors=r.get("alumni", 0),
            )
        )
    return ProgrammeDashboard(
        programme=programme,
        window=window,
        columns=columns,
        retention=retention,
        talent_pool=talent_pool_size(programme),
        priorities=priorities_covered(programme, ids),
        by_organisation=breakdown_by_organisation(ids),
        by_grade=breakdown_by_grade(ids),
        surveys_available=surveys.available(),
    )
