"""The two dashboards, composed from the subjects beside this module.

Each part keeps the query count its module promises (funnel, engagement, community, and
:mod:`insights.surveys`), so a dashboard makes a fixed number of queries whatever the data size:
:func:`cohort_dashboard` adds one (the programme's cohorts, for the interest rounds),
:func:`programme_dashboard` two (its cohorts, all cohorts; each cohort's mean wellbeing comes from
its pairs' facts).
Both add stand-up attendance and directory use (community.selectors, two queries each, for all
the cohorts at once). The view tests pin the page totals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from community.selectors import directory_stats_by_cohort, standup_attendance_by_cohort
from insights import surveys
from insights.definitions import PairSummary, Window, mean_wellbeing, rate, summarise_pairs
from lib.beside import run_beside
from programmes.models import Cohort, Programme

from .community import (
    BreakdownRow,
    breakdowns,
    priorities_covered,
    retention_by_cohort,
    talent_pool_size,
)
from .engagement import pair_facts, wellbeing_figures
from .funnel import (
    Funnel,
    build_funnel,
    first_paired_by_cohort,
    funnel_counts_by_cohort,
    interest_by_cohort,
)


@dataclass
class CohortDashboard:
    cohort: Cohort
    window: Window
    funnel: Funnel
    pairs: PairSummary
    wellbeing: dict
    surveys: surveys.SurveyFigures
    cadence_days: int
    # Stand-up attendance and directory use (community.selectors), two queries each.
    standups: dict = field(default_factory=dict)
    directory: dict = field(default_factory=dict)

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

    def pairs():
        facts = pair_facts([cohort.pk], window)
        summary = summarise_pairs(
            facts,
            cadence_days=programme.checkin_cadence_days,
            cohort_ends_on=cohort.ends_on,
            window=window,
        )
        return facts, summary

    # The pairs' facts are mostly Python; the rest mostly database time: run beside them,
    # longest first (lib/beside.py).
    (
        (facts, summary),
        (wellbeing, survey, counts, directory, first_paired, interest, standups),
    ) = run_beside(
        pairs,
        [
            lambda: wellbeing_figures([cohort.pk], window),
            lambda: surveys.cohort_survey_figures(cohort=cohort, window=window),
            lambda: funnel_counts_by_cohort([cohort.pk]).get(cohort.pk),
            lambda: directory_stats_by_cohort([cohort.pk])[cohort.pk],
            lambda: first_paired_by_cohort([cohort.pk]).get(cohort.pk),
            lambda: interest_by_cohort(programme, cohorts).get(cohort.pk, 0),
            lambda: standup_attendance_by_cohort([cohort.pk], today=window.as_of)[cohort.pk],
        ],
    )
    return CohortDashboard(
        cohort=cohort,
        window=window,
        funnel=build_funnel(counts, interest, facts, cohort, first_paired),
        pairs=summary,
        wellbeing=wellbeing,
        surveys=survey,
        cadence_days=programme.checkin_cadence_days,
        standups=standups,
        directory=directory,
    )


@dataclass
class CohortColumn:
    cohort: Cohort
    funnel: Funnel
    pairs: PairSummary
    surveys: surveys.SurveyFigures
    wellbeing_mean: float | None
    returning_mentors: int = 0
    alumni_mentors: int = 0
    standups: dict = field(default_factory=dict)
    directory: dict = field(default_factory=dict)

    @property
    def standup_rate(self) -> float | None:
        return rate(self.standups.get("attended"), self.standups.get("expected"))

    @property
    def listed_rate(self) -> float | None:
        return rate(self.directory.get("listed"), self.directory.get("participants"))

    @property
    def headline(self) -> dict:
        return headline(self.funnel, self.pairs, self.surveys, self.wellbeing_mean)


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


def programme_dashboard(
    *, programme: Programme, window: Window, start=None, end=None
) -> ProgrammeDashboard:
    cohorts = list(programme_cohorts(programme, start=start, end=end))
    ids = [c.pk for c in cohorts]
    all_cohorts = list(
        Cohort.objects.filter(programme=programme).only("pk", "starts_on", "applications_close")
    )

    def pairs():
        facts = pair_facts(ids, window, names=False)  # counts only: no names needed
        by_cohort: dict[int, list] = defaultdict(list)
        for p in facts:
            by_cohort[p.cohort_id].append(p)
        return {
            c.pk: (
                by_cohort.get(c.pk, []),
                summarise_pairs(
                    by_cohort.get(c.pk, []),
                    cadence_days=programme.checkin_cadence_days,
                    cohort_ends_on=c.ends_on,
                    window=window,
                ),
            )
            for c in cohorts
        }

    # The pairs' facts are mostly Python, the rest mostly database time: run beside them,
    # longest first (lib/beside.py).
    (
        summaries,
        (
            (by_organisation, by_grade),
            survey,
            retention,
            priorities,
            counts,
            talent_pool,
            directory,
            first_paired,
            interest,
            standups,
        ),
    ) = run_beside(
        pairs,
        [
            lambda: breakdowns(ids),
            lambda: surveys.programme_survey_figures(cohort_ids=ids, window=window),
            lambda: retention_by_cohort(programme, ids),
            lambda: priorities_covered(programme, ids),
            lambda: funnel_counts_by_cohort(ids),
            lambda: talent_pool_size(programme),
            lambda: directory_stats_by_cohort(ids),
            lambda: first_paired_by_cohort(ids),
            lambda: interest_by_cohort(programme, all_cohorts),
            lambda: standup_attendance_by_cohort(ids, today=window.as_of),
        ],
    )
    columns = []
    for c in cohorts:
        pairs_of, summary = summaries[c.pk]
        r = retention["per_cohort"].get(c.pk, {})
        columns.append(
            CohortColumn(
                cohort=c,
                funnel=build_funnel(
                    counts.get(c.pk), interest.get(c.pk, 0), pairs_of, c, first_paired.get(c.pk)
                ),
                pairs=summary,
                surveys=survey.get(c.pk, surveys.SurveyFigures(available=surveys.available())),
                wellbeing_mean=mean_wellbeing(
                    sum(p.wellbeing_total for p in pairs_of), sum(p.checkins for p in pairs_of)
                ),
                returning_mentors=r.get("returning", 0),
                alumni_mentors=r.get("alumni", 0),
                standups=standups[c.pk],
                directory=directory[c.pk],
            )
        )
    return ProgrammeDashboard(
        programme=programme,
        window=window,
        columns=columns,
        retention=retention,
        talent_pool=talent_pool,
        priorities=priorities,
        by_organisation=by_organisation,
        by_grade=by_grade,
        surveys_available=surveys.available(),
    )
