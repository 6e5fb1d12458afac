"""Pairs and check-ins: one row of facts per pair, the latest scores, wellbeing.

Queries: :func:`pair_facts` one undated (pairs with their check-in summaries), one more with a
start date (the check-ins inside the window, grouped by pair) and two more when pairs met after
the as-of date (their check-in aggregates and latest scores); :func:`wellbeing_figures` one;
never a query per pair or per person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, Count, Q, Sum, Value

from insights.definitions import PairFacts, Window, mean_wellbeing
from lib.beside import run_beside
from pairing import engagement
from pairing.models import CheckIn, Pair
from pairing.risk import Scores
from programmes.models import EnrolmentStatus

ACCEPTED = EnrolmentStatus.ACCEPTED
ACTIVE_PAIR = Pair.Status.ACTIVE
# The pair's summary, read through the pair: its fields after pair_id, in their order.
_SUMMARY_FIELDS = tuple(f"checkin_summary__{f}" for f in engagement.SUMMARY_FIELDS[1:])


def _name(full_name: str, email: str) -> str:
    return full_name or email or ""


_NAME_FIELDS = (
    "mentor__user__full_name",
    "mentor__user__email",
    "mentee__user__full_name",
    "mentee__user__email",
)


# In place of the mentee's name and email when no names are wanted: NULL costs the driver
# nothing, a string column 30,000 decodings.
_NO_NAME = Value(None, output_field=CharField())


# More pairs than this met after the as-of date: their check-ins are read by cohort, not by id.
RECOUNT_BY_ID = 1000
_NONE_IN_WINDOW = (0, 0)


@dataclass(slots=True)
class CohortPairFacts(PairFacts):
    mentee_accepted: bool = True


def pair_facts(cohort_ids, window: Window, *, names: bool = True) -> list[CohortPairFacts]:
    """One row of facts per pair of the cohorts.

    The pairs with their check-in summaries (pairing.models.CheckInSummary, kept as check-ins
    change) in one query, so a national cohort's 300,000 check-ins are not read again:

    - a pair whose last meeting is on or before the as-of date (every pair, as of today) takes
      its first and last meeting and its latest scores from its summary; undated, its counts
      too. With a start date, its check-ins inside the window are counted: one more query,
      grouped by pair, over those check-ins only, read on a second connection while the pairs
      are read (lib/beside.py);
    - a pair that met after the as-of date (a dashboard as of an earlier day) has every fact
      counted from its check-ins as of that date: two more queries (aggregates, latest scores),
      for those pairs only, or for all the cohorts' pairs when they are more than
      ``RECOUNT_BY_ID`` (then the window's counts come from the same query, and the one read
      beside is not used: it is read before anyone knows).

    A pair that ended after the as-of date is given as it was on that day: active, with no end
    date or reason (:func:`running_on`).

    Each is a single pass whatever the data size; tested against counting everything from the
    check-ins after random actions (mentorship/tests/test_checkin_summary.py)."""
    as_of, start = window.as_of, window.start

    def window_counts() -> dict[int, tuple[int, int]]:
        # Only the counts and the wellbeing sum: the first and last meetings of these
        # check-ins would be the window's, not the pair's (and cost a fifth of the query).
        return {
            pair_id: (n, wellbeing or 0)
            for pair_id, n, wellbeing in checkins_in_window(cohort_ids, window)
            .values("pair_id")
            .annotate(n=Count("pk"), wellbeing=Sum("wellbeing"))
            .order_by()
            .values_list("pair_id", "n", "wellbeing")
        }

    # In no order: each use of the facts has its own (the at-risk list's ends with the pair's
    # id), and ordering 30,000 rows cost the database a sort spilled to disk. No creation times
    # either (a fifth of the query's cost in Python): the funnel reads each cohort's first.
    pairs = (
        Pair.objects.filter(cohort_id__in=cohort_ids)
        .order_by()
        .values_list(
            "pk",
            "cohort_id",
            "mentee_id",
            "mentee__status",
            # the at-risk list is in the order of the mentees' names
            *(_NAME_FIELDS[2:] if names else (_NO_NAME, _NO_NAME)),
            "status",
            "started_on",
            "ended_on",
            "end_reason",
            *_SUMMARY_FIELDS,
        )
    )
    # With a start date the window's counts (a pass over its check-ins, all database time) are
    # read on a second connection while the pairs' rows are read here (lib/beside.py).
    rows, beside = run_beside(lambda: list(pairs), [window_counts] if start else [])
    # row[-2]: the summary's last meeting (_SUMMARY_FIELDS)
    recount = [row[0] for row in rows if row[-2] and row[-2] > as_of]
    every_pair = len(recount) > RECOUNT_BY_ID
    counted: dict[int, tuple] = {}
    scores: dict[int, Scores] = {}
    if recount:
        checkins = CheckIn.objects.filter(
            **({"pair__cohort_id__in": cohort_ids} if every_pair else {"pair_id__in": recount})
        )
        counted = engagement.checkin_counts(checkins, upto=as_of, since=start)
        scores = engagement.latest_scores(checkins.filter(running_on(as_of, "pair__")), as_of)
    # Every pair recounted: the window's counts came with the rest.
    in_window = counted if every_pair else (beside[0] if start else {})
    recounted = set(recount)
    facts = []
    append = facts.append
    for (
        pk,
        cohort_id,
        mentee_id,
        mentee_status,
        mentee_full,
        mentee_email,
        status,
        started_on,
        ended_on,
        end_reason,
        n,
        wellbeing_total,
        first,
        last,
        text,
    ) in rows:
        if ended_on is not None and ended_on > as_of:
            # Ended after the as-of date: on that day it was still running (running_on).
            status, ended_on, end_reason = ACTIVE_PAIR, None, ""
        ratings, wellbeing = (), ()
        if pk in recounted:
            n, wellbeing_total, first, last = counted.get(pk, (0, 0, None, None))
            latest = scores.get(pk)
            if latest:
                ratings, wellbeing = latest.ratings, latest.wellbeing_by_person
        else:
            if start:
                n, wellbeing_total = in_window.get(pk, _NONE_IN_WINDOW)[:2]
            if status == ACTIVE_PAIR and text:
                ratings, wellbeing = engagement.scores_parse(text)
        # In the order of the fields (PairFacts', then CohortPairFacts'): by position, a third
        # of the cost of keywords, 30,000 times for a national programme.
        append(
            CohortPairFacts(
                pk,
                cohort_id,
                mentee_id,
                _name(mentee_full, mentee_email) if names else "",
                status,
                started_on,
                ended_on,
                end_reason,
                n or 0,
                first,
                last,
                ratings,
                wellbeing,
                wellbeing_total or 0,
                mentee_status == ACCEPTED,
            )
        )
    return facts


def running_on(as_of: dt.date, prefix: str = "") -> Q:
    """The pairs running on ``as_of``, as the dashboards count them: active now, or ended after
    that day (a dashboard as of an earlier day sees them as they were then, still active, with
    no end reason yet)."""
    return Q(**{f"{prefix}status": ACTIVE_PAIR}) | Q(**{f"{prefix}ended_on__gt": as_of})


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


def checkins_in_window(cohort_ids, window: Window):
    qs = CheckIn.objects.filter(pair__cohort_id__in=cohort_ids, met_on__lte=window.as_of)
    if window.start:
        qs = qs.filter(met_on__gte=window.start)
    return qs


def wellbeing_figures(cohort_ids, window: Window) -> dict:
    """Distribution of wellbeing scores (1-5) and the weekly average of wellbeing and rating:
    one pass over the check-ins, counted by day and wellbeing score, the days then added up into
    their weeks (Monday to Sunday, as ``date_trunc('week')``) here. Grouping by the day itself
    spares the database a time-zone cast and truncation per check-in (240,000 for a national
    cohort: docs/performance.md, "Cold dashboards, third pass")."""
    rows = (
        checkins_in_window(cohort_ids, window)
        .values("met_on", "wellbeing")
        .annotate(n=Count("pk"), ratings=Sum("rating"))
        .order_by()
        .values_list("met_on", "wellbeing", "n", "ratings")
    )
    counts: dict[int, int] = {}
    weeks: dict = {}
    monday: dict = {}
    for met_on, score, n, ratings in rows:
        counts[score] = counts.get(score, 0) + n
        week = monday.get(met_on)
        if week is None:
            week = monday[met_on] = met_on - dt.timedelta(days=met_on.weekday())
        w = weeks.setdefault(week, [0, 0, 0])
        w[0], w[1], w[2] = w[0] + n, w[1] + score * n, w[2] + ratings
    total = sum(counts.values())
    return {
        "distribution": [(score, counts.get(score, 0)) for score in range(1, 6)],
        "total": total,
        "mean": mean_wellbeing(sum(s * n for s, n in counts.items()), total),
        "weeks": [
            {
                "week": week,
                "checkins": n,
                "wellbeing": round(wellbeing / n, 2),
                "rating": round(ratings / n, 2),
            }
            for week, (n, wellbeing, ratings) in sorted(weeks.items())
        ],
    }
