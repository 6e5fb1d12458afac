"""Time the API's list endpoints over the bench-dashboard data, in a throwaway database.

    python -m bench.api [--pairs 2000] [--checkins 20000] [--answers 10000] [--repeat 21]

Builds the same programme as ``make bench-dashboard`` (5 cohorts, 2,000 pairs, 20,000 check-ins,
10,000 survey answers; insights_benchmark.build) in a database of its own, then times each list
endpoint through the whole middleware stack with a coordinator's token: a first page of 100 rows
and of 1,000 rows, JSON and CSV. Prints one JSON line per measurement, with p50 and p95 in
milliseconds and the query count, and the same for a trivial API answer (the programme list, one
row) measured in the same run, to compare against on a noisy machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from bench import django_setup


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--checkins", type=int, default=20000)
    parser.add_argument("--answers", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--seed", type=int, default=8)
    opts = parser.parse_args(argv)

    django_setup()
    from django.conf import settings

    settings.API_RATE_LIMIT_PER_MINUTE = 10**9  # measuring speed, not the limit
    from bench.dashboard import built_programme

    with built_programme(opts, prefix="api-bench-") as info:
        for line in measure(info, repeat=opts.repeat):
            print(json.dumps(line), flush=True)


def _percentile(values, p) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[k], 1)


def measure(info: dict, *, repeat: int):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from api.services import api_token_create
    from lib.audit import AuditContext
    from people.models import User

    coordinator = User.objects.get(pk=info["coordinator"])
    _token, raw = api_token_create(
        user=coordinator, name="bench", scopes=["figures", "people"], days=1, ctx=AuditContext()
    )
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    cases = [("trivial: programmes", "/api/v1/programmes", "application/json")]
    for name in ("cohorts", "enrolments", "pairs", "checkins", "surveys"):
        for limit in (100, 1000):
            cases.append(
                (f"{name} limit={limit}", f"/api/v1/{name}?limit={limit}", "application/json")
            )
        cases.append((f"{name} limit=1000 csv", f"/api/v1/{name}?limit=1000", "text/csv"))
    for label, url, accept in cases:
        assert client.get(url, headers={"Accept": accept}).status_code == 200, url  # warm-up
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url, headers={"Accept": accept})
            times.append(1000 * (time.perf_counter() - started))
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers={"Accept": accept})
        rows = (
            response.content.count(b"\n") - 1
            if accept == "text/csv"
            else len(response.json()["results"])
        )
        yield {
            "db": connection.vendor,
            "endpoint": label,
            "p50_ms": _percentile(times, 50),
            "p95_ms": _percentile(times, 95),
            "mean_ms": round(statistics.mean(times), 1),
            "requests": repeat,
            "rows": rows,
            "queries": len(queries),
            "bytes": len(response.content),
        }


if __name__ == "__main__":
    main()
