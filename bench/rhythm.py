"""make bench-rhythm: build a programme with N active pairs (bulk_create), run every rule once,
print JSON lines: wall and CPU seconds, queries, queries per batch of 500 pairs, emails created,
the load average before and after. Each size is built in one transaction that is rolled back
at the end, so nothing is kept and nothing is queued.

    python -m bench.rhythm [--pairs 1000 5000 20000] [--keep-db]

``make bench-rhythm`` runs it in a database of its own, created and dropped here with Django's
test-database machinery (``test_<name>_rhythm`` beside DATABASE_URL's PostgreSQL database, or a
temporary SQLite file): no manual step, and the developer's database is never touched.

The target (issue 19): one run over 20,000 active pairs in under 60 s on PostgreSQL, with a
constant number of queries per batch of 500 pairs. The first size is the reference: the queries
per batch are the difference between two sizes divided by the difference of their batches, and
must be the same between every two sizes (then nothing grows per pair or per email).
"""

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import resource
import time

import time_machine

from bench import dashboard as dashboard_bench
from bench import django_setup

django_setup()

from django.db import connection, transaction  # noqa: E402  (after django.setup())
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from notifications.models import Email  # noqa: E402
from pairing.engagement import summaries_rebuild  # noqa: E402
from pairing.models import CheckIn, Pair  # noqa: E402
from people.models import Profile, User  # noqa: E402
from programmes.models import Cohort, Enrolment, Programme  # noqa: E402
from rhythm import collect, services  # noqa: E402

# Friday 16 October 2026, 10:00 London: every pair's check-in is due on Monday, so every pair
# gets two reminders with calendar invitations; a tenth of the pairs are silent (nudges) and one
# in fifty logged low wellbeing yesterday.
NOW = dt.datetime(2026, 10, 16, 9, tzinfo=dt.UTC)
STARTS = dt.date(2026, 10, 5)


TARGETS = {"seconds": 60}  # at 20,000 pairs (issue 19, target 4)
TARGET_PAIRS = 20000


class Rollback(Exception):
    pass


def _cpu() -> float:
    """CPU seconds of this process (user + system); the database server's are not in it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> float:
    return round(os.getloadavg()[0], 2)


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
    summaries_rebuild({c.pair_id for c in checkins})
    # Logged yesterday, so the wellbeing rule picks them up.
    CheckIn.objects.filter(pair__cohort=cohort).update(created_at=NOW - dt.timedelta(days=1))
    return programme


def run(n: int) -> dict:
    """One rhythm run over n active pairs, in a transaction rolled back afterwards."""
    result = {}
    try:
        with time_machine.travel(NOW, tick=False), transaction.atomic():
            build(n, f"{n}-{int(time.time())}")
            if connection.vendor == "postgresql":
                # Planner statistics for the freshly bulk-loaded rows, as a live database has.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            before = Email.objects.count()
            load_before = _load()
            start, cpu = time.perf_counter(), _cpu()
            with CaptureQueriesContext(connection) as ctx:
                outcome = services.rhythm_run(now=NOW)
            seconds, cpu = time.perf_counter() - start, _cpu() - cpu
            batches = math.ceil(n / collect.BATCH)
            result = {
                "pairs": n,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "queries": len(ctx),
                "batches": batches,
                "queries_per_500_pairs": round(len(ctx) / batches, 2),
                "emails_created": Email.objects.count() - before,
                "by_rule": outcome["by_rule"],
                "database": connection.vendor,
                "load_avg_1m_before": load_before,
                "load_avg_1m_after": _load(),
            }
            if n == TARGET_PAIRS:
                result["targets"] = TARGETS
                result["met"] = seconds < TARGETS["seconds"]
            raise Rollback
    except Rollback:
        pass
    return result


def per_batch(results: list[dict]) -> dict:
    """Queries per batch of 500 pairs, from each size to the next: (q2 - q1) / (b2 - b1). The
    first size is the reference; constant when every step gives the same whole number."""
    steps = [
        (b["queries"] - a["queries"]) / (b["batches"] - a["batches"])
        for a, b in zip(results, results[1:], strict=False)
        if b["batches"] != a["batches"]
    ]
    fixed = results[0]["queries"] - steps[0] * results[0]["batches"] if steps else None
    constant = bool(steps) and len({round(x, 6) for x in steps}) == 1
    out = {
        "summary": "queries per batch of 500 pairs",
        "reference_pairs": results[0]["pairs"],
        "sizes": [r["pairs"] for r in results],
        "queries_per_batch": [round(x, 2) for x in steps],
        "queries_fixed": fixed,
        "queries_per_batch_constant": constant,
    }
    target = next((r for r in results if r["pairs"] == TARGET_PAIRS), None)
    if target is not None:
        out["targets"] = {**TARGETS, "queries_per_batch_constant": True}
        out["seconds_at_target"] = target["seconds"]
        out["met"] = target["met"] and constant
    return out


@contextlib.contextmanager
def throwaway_database(keep: bool):
    """A database of the bench's own (``test_<name>_rhythm`` beside DATABASE_URL's, or a
    temporary SQLite file: bench.dashboard's), migrated there and dropped afterwards; ``keep``
    uses the configured database as it is (it must be migrated)."""
    if keep:
        yield
        return
    with dashboard_bench.throwaway_database(prefix="rhythm-bench-", suffix="_rhythm"):
        yield


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="One run of every rhythm rule over N active pairs (default 1,000, 5,000 and "
        "20,000), in a throwaway database."
    )
    parser.add_argument("--pairs", type=int, nargs="*", default=[1000, 5000, TARGET_PAIRS])
    parser.add_argument(
        "--keep-db", action="store_true", help="use DATABASE_URL's database as it is (migrated)"
    )
    args = parser.parse_args(argv)
    reverse("home")  # load the URL patterns (and the views they import) before timing
    with throwaway_database(args.keep_db):
        results = []
        for n in args.pairs:
            results.append(run(n))
            print(json.dumps(results[-1]), flush=True)
        if len(results) > 1:
            print(json.dumps(per_batch(results)), flush=True)


if __name__ == "__main__":
    main()
