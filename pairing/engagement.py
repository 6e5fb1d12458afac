"""What a pair's check-ins add up to: counted from the check-ins, or read from the summary kept
beside them (:class:`pairing.models.CheckInSummary`).

Two set-based reads, each one query for any number of pairs: :func:`checkin_counts` (how many
check-ins, the sum of their wellbeing scores, the first and last meeting) and
:func:`latest_scores` (what the at-risk rule in pairing/risk.py reads). The dashboards use them
as of a past date or inside a date filter
(insights/selectors/engagement.py). :func:`summaries_rebuild` writes the same facts of all of a
pair's check-ins (the rule's own :func:`pairing.risk.scores` over them) into the summary rows,
which the undated dashboards read instead of the check-ins. ``pairing.services`` and the admin
call it in the transaction of every check-in logged, corrected or deleted; whatever inserts
check-ins in bulk (the demo and the benchmarks' data) calls it after. Tested together in
mentorship/tests/test_checkin_summary.py: after any sequence of actions, the summaries say what
the check-ins say.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models import Window as Over
from django.db.models.functions import RowNumber

from . import risk
from .models import CheckIn, CheckInSummary

# Pairs per statement when rebuilding many summaries (bound parameters stay well under
# SQLite's limit).
REBUILD_CHUNK = 2000
_GROUPS = "/"
# What a summary says, in the order checkin_counts gives its counts, then the scores.
SUMMARY_FIELDS = ("pair_id", "checkins", "wellbeing_total", "first_met", "last_met", "scores")
_MEETING_FIELDS = ("pair_id", "met_on", "created_at", "pk", "rating", "wellbeing", "author_id")


def checkin_counts(
    checkins: QuerySet, *, upto: dt.date | None = None, since: dt.date | None = None
) -> dict[int, tuple[int, int, dt.date | None, dt.date | None]]:
    """Each pair's (check-ins from ``since`` to ``upto``, the sum of their wellbeing scores,
    first meeting, last meeting up to ``upto``) among ``checkins``: one grouped query."""
    held = Q(met_on__lte=upto) if upto else Q()
    counted = held & Q(met_on__gte=since) if since else held
    return {
        pair_id: (n, wellbeing or 0, first, last)
        for pair_id, n, wellbeing, first, last in checkins.values("pair_id")
        .annotate(
            n=Count("pk", filter=counted),
            wellbeing=Sum("wellbeing", filter=counted),
            first=Min("met_on", filter=held),
            last=Max("met_on", filter=held),
        )
        .order_by()
        .values_list("pair_id", "n", "wellbeing", "first", "last")
    }


def latest_scores(checkins: QuerySet, as_of: dt.date | None = None) -> dict[int, risk.Scores]:
    """What the at-risk rule reads of each pair's ``checkins`` up to ``as_of`` (all of them
    without one): the pair's latest three ratings and each person's latest three wellbeing
    scores. One query: the latest three check-ins of each author in each pair hold the pair's
    latest three (a check-in among the pair's latest three is among its author's latest three)."""
    if as_of:
        checkins = checkins.filter(met_on__lte=as_of)
    rows = (
        checkins.annotate(
            rn=Over(
                RowNumber(),
                partition_by=[F("pair_id"), F("author_id")],
                order_by=[F("met_on").desc(), F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rn__lte=risk.LATEST)
        .values_list(*_MEETING_FIELDS)
    )
    meetings: dict[int, list[risk.Meeting]] = defaultdict(list)
    for pair_id, met_on, created_at, pk, rating, wellbeing, author_id in rows:
        meetings[pair_id].append(
            risk.Meeting(met_on, rating, wellbeing, author_id, order=(created_at, pk))
        )
    return {pair_id: risk.scores(ms, as_of or dt.date.max) for pair_id, ms in meetings.items()}


def scores_text(scores: risk.Scores) -> str:
    """The summary's form of a pair's scores: "543/21/345" (ratings, then each person's
    wellbeing, latest first; every score is one digit, 1 to 5)."""
    return _GROUPS.join(
        "".join(map(str, group)) for group in (scores.ratings, *scores.wellbeing_by_person)
    )


@lru_cache(maxsize=4096)
def scores_parse(text: str) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """(ratings, wellbeing by person) from :func:`scores_text`. Kept per text: a national cohort
    has 20,000 pairs and only a few thousand different scores."""
    if not text:
        return (), ()
    ratings, *people = text.split(_GROUPS)
    return tuple(map(int, ratings)), tuple(tuple(map(int, p)) for p in people)


def summaries_differ(pair_ids) -> list[int]:
    """The pairs among ``pair_ids`` whose summary is not what their check-ins say now, in a
    transaction rolled back (``manage.py checkin_summaries --check``)."""
    from django.db import transaction

    def rows():
        return set(CheckInSummary.objects.filter(pair_id__in=pair_ids).values_list(*SUMMARY_FIELDS))

    with transaction.atomic():
        kept = rows()
        summaries_rebuild(pair_ids)
        fresh = rows()
        transaction.set_rollback(True)
    return sorted({row[0] for row in kept ^ fresh})


def summaries_rebuild(pair_ids, *, models=(CheckIn, CheckInSummary)) -> int:
    """Write the summaries of ``pair_ids`` from their check-ins as they are now (a pair left
    with none loses its row). For one pair, as after a check-in is logged, two queries: its
    check-ins, and the row written. Call it inside the transaction that changed the check-ins.
    ``models`` lets a migration pass its historical models: the one that last changed the
    summary's fields rebuilds every row (pairing/migrations/0008), and earlier backfills
    do nothing, since this function writes the fields as they are now."""
    checkin_model, summary_model = models
    pair_ids = sorted(set(pair_ids))
    written = 0
    for i in range(0, len(pair_ids), REBUILD_CHUNK):
        chunk = pair_ids[i : i + REBUILD_CHUNK]
        meetings: dict[int, list[risk.Meeting]] = defaultdict(list)
        for pair_id, met_on, created_at, pk, rating, wellbeing, author_id in (
            checkin_model.objects.filter(pair_id__in=chunk)
            .order_by()
            .values_list(*_MEETING_FIELDS)
            .iterator(chunk_size=5000)
        ):
            meetings[pair_id].append(
                risk.Meeting(met_on, rating, wellbeing, author_id, order=(created_at, pk))
            )
        rows = [
            summary_model(
                pair_id=pair_id,
                checkins=len(held),
                wellbeing_total=sum(m.wellbeing for m in held),
                first_met=min(m.met_on for m in held),
                last_met=max(m.met_on for m in held),
                scores=scores_text(risk.scores(held, dt.date.max)),
            )
            for pair_id, held in meetings.items()
        ]
        if gone := set(chunk) - meetings.keys():
            summary_model.objects.filter(pair_id__in=gone).delete()
        summary_model.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["pair"],
            update_fields=[*SUMMARY_FIELDS[1:], "updated_at"],
        )
        written += len(rows)
    return written
