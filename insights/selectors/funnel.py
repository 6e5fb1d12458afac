"""The recruitment funnel of a cohort: interest, applications, decisions, pairs.

Queries: :func:`funnel_counts_by_cohort` one, :func:`interest_by_cohort` one,
:func:`first_paired_by_cohort` one; the rest is arithmetic on what they return.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from insights.definitions import PairFacts, rate
from pairing.models import Pair
from programmes.models import Cohort, Enrolment, EnrolmentStatus, Programme, Role
from recruitment.models import TalentPoolEntry

ACCEPTED = EnrolmentStatus.ACCEPTED


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


def first_paired_by_cohort(cohort_ids) -> dict[int, dt.datetime]:
    """When each cohort's first pair was made: one query, a row per cohort (not the creation
    time of each of a national programme's 30,000 pairs, read only for their minimum)."""
    return dict(
        Pair.objects.filter(cohort_id__in=list(cohort_ids))
        .values("cohort_id")
        .annotate(first=Min("created_at"))
        .order_by()
        .values_list("cohort_id", "first")
    )


def build_funnel(
    counts: dict | None,
    interest: int,
    pairs: list[PairFacts],
    cohort,
    first_paired: dt.datetime | None = None,
) -> Funnel:
    """``first_paired``: when the cohort's first pair was made (:func:`first_paired_by_cohort`)."""
    f = Funnel(interest=interest, **{k: (v or 0) for k, v in (counts or {}).items()})
    f.matched = len({p.mentee_id for p in pairs if p.mentee_accepted})
    f.working_pairs = sum(1 for p in pairs if p.status == "active" or p.end_reason == "completed")
    if pairs and cohort.applications_close and first_paired is not None:
        created = timezone.localdate(first_paired)
        first = min(created, min(p.started_on for p in pairs))
        # Paired before applications closed: 0 days, never a negative count.
        f.days_to_first_pair = max(0, (first - cohort.applications_close).days)
    return f
