"""Demo check-ins and goals, so the dashboards of the demo programme tell a true story."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from .engagement import summaries_rebuild
from .models import CheckIn, MatchRun, Pair
from .services import match_run_execute, pair_goals_from_application

# The "silent" demo pairs last met this many days before the demo was seeded.
SILENT_FOR_DAYS = 35

WORKED_ON = [
    "Scoped the project and agreed the first milestone",
    "Cleaned the raw data and wrote tests for the loading code",
    "Built a first model and compared it with last year's method",
    "Reviewed the pull request together and refactored the pipeline",
    "Prepared the show-and-tell slides",
    "Talked through how to present uncertainty to the policy team",
]


@transaction.atomic
def checkins_demo_seed(*, programme) -> int:
    """Fortnightly check-ins for every demo pair that has none; idempotent.

    In the running cohort a few pairs are deliberately in trouble, so the dashboard has something
    to flag: two went silent five weeks ago, one's wellbeing is falling, one's ratings are falling.
    """
    rng = random.Random(42)
    today = timezone.localdate()
    created = 0
    pairs = (
        Pair.objects.filter(cohort__programme=programme)
        .select_related("cohort", "mentee__user", "mentor__user")
        .order_by("pk")
    )
    trouble = {}
    running = [p for p in pairs if p.cohort.status == "running"]
    for index, pair in enumerate(running[1:5]):  # never the demo login's own pair (first)
        trouble[pair.pk] = ["silent", "silent", "wellbeing", "rating"][index]
    for pair in pairs:
        pair_goals_from_application(pair=pair)
        if pair.checkins.exists():
            continue
        end = min(pair.ended_on or pair.cohort.ends_on, today)
        kind = trouble.get(pair.pk)
        if kind == "silent":
            end = min(end, today - dt.timedelta(days=SILENT_FOR_DAYS))
        dates, day = [], pair.started_on + dt.timedelta(days=rng.randint(3, 7))
        while day <= end:
            dates.append(day)
            day += dt.timedelta(days=rng.choice([12, 14, 14, 15, 17]))
        rows = []
        for n, met_on in enumerate(dates):
            rating, wellbeing = rng.choice([3, 4, 4, 5, 5]), rng.choice([3, 4, 4, 5])
            left = len(dates) - n
            if kind == "wellbeing" and left <= 3:
                wellbeing = [2, 3, 4][left - 1]  # 4, 3, 2: falling
            if kind == "rating" and left <= 3:
                rating = [2, 3, 5][left - 1]
            author = pair.mentee.user if n % 2 == 0 else pair.mentor.user
            rows.append(
                CheckIn(
                    pair=pair,
                    author=author,
                    met_on=met_on,
                    duration_minutes=rng.choice([30, 45, 60, 60, 90]),
                    format=rng.choice(["video", "video", "in_person", "call"]),
                    worked_on=WORKED_ON[n % len(WORKED_ON)],
                    next_step="Agree the next milestone",
                    rating=rating,
                    wellbeing=wellbeing,
                    protected_time_kept=rng.random() > 0.25,
                    shared_with_coordinator=rng.random() > 0.7,
                )
            )
        CheckIn.objects.bulk_create(rows)
        summaries_rebuild({c.pair_id for c in rows})
        created += len(rows)
    return created


@transaction.atomic
def draft_run_demo_seed(*, cohort, coordinator) -> MatchRun:
    """A draft pairing run over the accepted people of ``cohort``, once (the existing one on a
    second call), so the demo shows a proposal that people's later changes can overtake.

    Made directly, whatever the cohort's status: the demo's recruiting cohort shows what a
    coordinator sees when someone withdraws, or is accepted, after a run.
    """
    run = MatchRun.objects.filter(cohort=cohort).order_by("-created_at").first()
    if run is None:
        run = MatchRun.objects.create(cohort=cohort, created_by=coordinator)
        match_run_execute(run_id=run.pk)
        run.refresh_from_db()
    return run
