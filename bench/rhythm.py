"""make bench-rhythm: build a programme with N active pairs (bulk_create), run every rule once,
print JSON: seconds, queries and emails created. Everything happens in one transaction that is
rolled back at the end, so the database is left as it was and nothing is queued.

    python -m bench.rhythm [--pairs 1000 5000]
"""

import argparse
import datetime as dt
import json
import time

import time_machine

from bench import django_setup

django_setup()

from django.db import connection, transaction  # noqa: E402  (after django.setup())
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from notifications.models import Email  # noqa: E402
from pairing.models import CheckIn, Pair  # noqa: E402
from people.models import Profile, User  # noqa: E402
from programmes.models import Cohort, Enrolment, Programme  # noqa: E402
from rhythm import services  # noqa: E402

# Friday 16 October 2026, 10:00 London: every pair's check-in is due on Monday, so every pair
# gets two reminders with calendar invitations; a tenth of the pairs are silent (nudges) and one
# in fifty logged low wellbeing yesterday.
NOW = dt.datetime(2026, 10, 16, 9, tzinfo=dt.UTC)
STARTS = dt.date(2026, 10, 5)


class Rollback(Exception):
    pass


def build(n: int, tag: str) -> Programme:
    coordinator = User.objects.create(email=f"bench-coordinator-{tag}@example.gov.uk")
    programme = Programme.objects.create(
        name=f"Bench {tag}", slug=f"bench-{tag}", organisation="Bench", checkin_cadence_days=14
    )
    programme.coordinators.add(coordinator)
    cohort = Cohort.objects.create(
        programme=programme,
        name="Bench cohort",
        starts_on=STARTS - dt.timedelta(days=17),
        ends_on=dt.date(2026, 12, 25),
        status="running",
    )
    users = User.objects.bulk_create(
        [
            User(email=f"bench-{tag}-{i}@example.gov.uk", full_name=f"Person {i}")
            for i in range(2 * n)
        ]
    )
    zones = ["Europe/London", "Europe/London", "America/New_York", "Asia/Kolkata"]
    Profile.objects.bulk_create(
        [Profile(user=u, time_zone=zones[i % len(zones)]) for i, u in enumerate(users)]
    )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                user=u, cohort=cohort, role="mentor" if i % 2 == 0 else "mentee", status="accepted"
            )
            for i, u in enumerate(users)
        ]
    )
    pairs = Pair.objects.bulk_create(
        [
            Pair(
                cohort=cohort,
                mentor=enrolments[2 * i],
                mentee=enrolments[2 * i + 1],
                # A tenth are silent since the start, 28 days ago: nudged today.
                started_on=STARTS - dt.timedelta(days=17 if i % 10 == 0 else 14),
            )
            for i in range(n)
        ]
    )
    checkins = []
    for i, pair in enumerate(pairs):
        if i % 10 == 0:
            continue  # silent since the start: nudged
        checkins.append(
            CheckIn(
                pair=pair,
                author=users[2 * i + 1],
                met_on=STARTS,
                duration_minutes=60,
                worked_on="x",
                rating=4,
                wellbeing=2 if i % 50 == 1 else 4,
                protected_time_kept=True,
            )
        )
    CheckIn.objects.bulk_create(checkins)
    # Logged yesterday, so the wellbeing rule picks them up.
    CheckIn.objects.filter(pair__cohort=cohort).update(created_at=NOW - dt.timedelta(days=1))
    return programme


def run(n: int) -> dict:
    """One rhythm run over n active pairs, in a transaction rolled back afterwards."""
    result = {}
    try:
        with time_machine.travel(NOW, tick=False), transaction.atomic():
            build(n, f"{n}-{int(time.time())}")
            before = Email.objects.count()
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as ctx:
                outcome = services.rhythm_run()
            result = {
                "pairs": n,
                "seconds": round(time.perf_counter() - start, 2),
                "queries": len(ctx),
                "emails_created": Email.objects.count() - before,
                "by_rule": outcome["by_rule"],
                "database": connection.vendor,
            }
            raise Rollback
    except Rollback:
        pass
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="One run of every rhythm rule over N active pairs (default 1,000 and 5,000)."
    )
    parser.add_argument("--pairs", type=int, nargs="*", default=[1000, 5000])
    args = parser.parse_args(argv)
    reverse("home")  # load the URL patterns (and the views they import) before timing
    for n in args.pairs:
        print(json.dumps(run(n)), flush=True)


if __name__ == "__main__":
    main()
