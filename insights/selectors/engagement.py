"""Pairs and check-ins: one row of facts per pair, the latest scores, wellbeing.

Queries: :func:`pair_facts` three (pairs, check-in aggregates grouped by pair, latest scores),
:func:`latest_scores` one, :func:`wellbeing_figures` two; never a query per pair or per person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Max, Min, Q
from django.db.models import Window as Over
from django.db.models.functions import RowNumber, TruncWeek

from insights.definitions import PairFacts, Window
from pairing import risk
from pairing.models import CheckIn, Pair
from pairing.risk import Scores
from programmes.models import EnrolmentStatus

ACCEPTED = EnrolmentStatus.ACCEPTED


def _name(full_name: str, email: str) -> str:
    return full_name or email or ""


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
        latest = scores.get(pk)
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
                ratings=latest.ratings if latest else (),
                wellbeing_by_person=latest.wellbeing_by_person if latest else (),
                mentee_accepted=mentee_status == ACCEPTED,
                created_at=created_at,
            )
        )
    return facts


def pair_names(pair_ids) -> dict[int, tuple[str, str]]:
    """Each pair's (mentee name, mentor name) as they are now: one query. The dashboards' cached
    figures hold pairs by id only (insights/figures.py), and the page or export being produced
    reads the names of the pairs it shows."""
    return {
        pk: (_name(mentee_full, mentee_email), _name(mentor_full, mentor_email))
        for pk, mentor_full, mentor_email, mentee_full, mentee_email in Pair.objects.filter(
            pk__in=list(pair_ids)
        )
        .order_by()
        .values_list("pk", *_NAME_FIELDS)
    }


def latest_scores(cohort_ids, as_of: dt.date) -> dict[int, Scores]:
    """What the at-risk rule (pairing/risk.py) reads of each active pair's check-ins up to
    ``as_of``: the pair's latest three ratings and each person's latest three wellbeing scores.
    One query: the latest three check-ins of each author in each pair hold the pair's latest
    three (a check-in among the pair's latest three is among its author's latest three)."""
    rows = (
        CheckIn.objects.filter(
            pair__cohort_id__in=cohort_ids, pair__status=Pair.Status.ACTIVE, met_on__lte=as_of
        )
        .annotate(
            rn=Over(
                RowNumber(),
                partition_by=[F("pair_id"), F("author_id")],
                order_by=[F("met_on").desc(), F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rn__lte=risk.LATEST)
        .values_list("pair_id", "met_on", "created_at", "pk", "rating", "wellbeing", "author_id")
    )
    meetings: dict[int, list[risk.Meeting]] = defaultdict(list)
    for pair_id, met_on, created_at, pk, rating, wellbeing, author_id in rows:
        meetings[pair_id].append(
            risk.Meeting(met_on, rating, wellbeing, author_id, order=(created_at, pk))
        )
    return {pair_id: risk.scores(ms, as_of) for pair_id, ms in meetings.items()}


def checkins_in_window(cohort_ids, window: Window):
    qs = CheckIn.objects.filter(pair__cohort_id__in=cohort_ids, met_on__lte=window.as_of)
    if window.start:
        qs = qs.filter(met_on__gte=window.start)
    return qs


def wellbeing_figures(cohort_ids, window: Window) -> dict:
    """Distribution of wellbeing scores (1-5) and the weekly average of wellbeing and rating."""
    counts = dict(
        checkins_in_window(cohort_ids, window)
        .values("wellbeing")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("wellbeing", "n")
    )
    weeks = list(
        checkins_in_window(cohort_ids, window)
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
