"""Build a large programme in a throwaway database and time the dashboards: make bench-dashboard.

    python -m bench.dashboard [--pairs 2000] [--checkins 20000] [--answers 10000] [--repeat 9]

Runs in a database of its own, created and dropped here with Django's test-database machinery:
``test_<name>`` next to the one in DATABASE_URL on PostgreSQL, a file in a temporary folder on
SQLite. The developer's database is never touched. Prints one JSON line per measurement:
server time of a request through the whole middleware stack (median of --repeat requests after
one warm-up) and its number of queries.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench import django_setup

ORGANISATIONS = [
    "Office for National Statistics",
    "HM Revenue and Customs",
    "Department for Education",
    "Department for Work and Pensions",
    "Met Office",
    "Scottish Government",
    "Welsh Government",
    "Cabinet Office",
    "NHS England",
    "Home Office",
    "Ministry of Justice",
    "Tiny Agency",
]
REASONS = ["mentee_left", "mentor_left", "poor_fit", "workload", "other"]
COHORTS = 5


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000)
    parser.add_argument("--checkins", type=int, default=20000)
    parser.add_argument("--answers", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--verbose", action="store_true", help="print the slowest query's SQL")
    opts = parser.parse_args(argv)
    django_setup()
    with built_programme(opts, prefix="insights-bench-") as info:
        for line in measure(info, repeat=opts.repeat, verbose=opts.verbose):
            print(json.dumps(line), flush=True)


@contextlib.contextmanager
def throwaway_database(*, prefix: str, suffix: str = ""):
    """A database of its own for the run (a temporary SQLite file, or test_<name><suffix>
    beside DATABASE_URL's PostgreSQL database), created here and dropped on the way out."""
    from django.db import connection

    creation = connection.creation
    test_settings = connection.settings_dict.setdefault("TEST", {})
    tmp = None
    if connection.vendor == "sqlite":
        tmp = tempfile.TemporaryDirectory(prefix=prefix)
        test_settings["NAME"] = str(Path(tmp.name) / "bench.sqlite3")
    elif suffix:
        test_settings["NAME"] = f"test_{connection.settings_dict['NAME']}{suffix}"
    old_name = connection.settings_dict["NAME"]
    creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        yield
    finally:
        creation.destroy_test_db(old_name, verbosity=0)
        if tmp:
            tmp.cleanup()


def analyze() -> None:
    """A live database has planner statistics; a freshly bulk-loaded one has none until
    autovacuum gets to it, and the plans would be those of empty tables."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@contextlib.contextmanager
def built_programme(opts, *, prefix: str):
    """A throwaway database holding the synthetic programme; yields what was built, then drops
    it. Shared by every benchmark that measures pages over this data (bench.dashboard,
    bench.api, bench.national)."""
    from django.db import connection

    with throwaway_database(prefix=prefix):
        started = time.perf_counter()
        info = build(
            pairs=opts.pairs,
            checkins=opts.checkins,
            answers=opts.answers,
            rng=random.Random(opts.seed),
        )
        info["build_s"] = round(time.perf_counter() - started, 1)
        analyze()
        print(json.dumps({"event": "built", "db": connection.vendor, **info}), flush=True)
        yield info


def insert_rows(model, objs, *, batch_size: int = 2000) -> None:
    """Insert ``objs`` (unsaved instances whose primary keys nobody needs afterwards): COPY on
    PostgreSQL, about twice as fast as ``bulk_create``'s INSERTs for the national programme's
    300,000 check-ins; ``bulk_create`` elsewhere. Field values go through the same
    ``pre_save`` / ``get_db_prep_save`` as a save (auto_now_add, defaults, choices)."""
    import csv
    import io

    from django.db import connection, models

    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (
        f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
        "FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    )

    def cell(field, obj):
        value = field.pre_save(obj, add=True)
        if isinstance(field, models.JSONField):
            return json.dumps(value)
        value = field.get_db_prep_save(value, connection)
        return "\\N" if value is None else value

    objs = list(objs)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), 20 * batch_size):
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for obj in objs[start : start + 20 * batch_size]:
                obj._prepare_related_fields_for_save(operation_name="insert_rows")
                writer.writerow([cell(f, obj) for f in fields])
            buffer.seek(0)
            cursor.cursor.copy_expert(sql, buffer)


def build(
    *,
    pairs: int,
    checkins: int,
    answers: int,
    rng: random.Random,
    tag: str = "",
    cohort_pairs: list[int] | None = None,
    people: int | None = None,
    checkin_days: int | None = None,
    batch_size: int = 2000,
) -> dict:
    """The synthetic programme: ``COHORTS`` cohorts of ``pairs // COHORTS`` pairs (or
    ``cohort_pairs``, one number per cohort), the last one running and the others finished.
    ``tag`` keeps a second programme's addresses and slug apart (bench.national builds two);
    ``people`` pads each cohort with applicants, waitlisted, declined and withdrawn people up to
    that many accounts; ``checkin_days`` puts every running pair's last check-in that many days
    ago (bench.national's rhythm run needs check-ins due on a known day)."""
    from django.utils import timezone

    from insights import surveys
    from pairing.engagement import summaries_rebuild
    from pairing.models import CheckIn, Pair
    from people.models import Grade, Profile, User
    from programmes.models import Cohort, CohortStatus, Enrolment, Programme
    from recruitment.models import BusinessPriority, Project, TalentPoolEntry

    today = timezone.localdate()
    coordinator = User.objects.create_user(
        f"bench{tag}.coordinator@example.gov.uk", "bench-pass-123"
    )
    programme = Programme.objects.create(
        name=f"Benchmark Accelerator{tag}",
        slug=f"bench{tag}",
        organisation="ONS",
        checkin_cadence_days=14,
    )
    programme.coordinators.add(coordinator)
    sizes = cohort_pairs or [pairs // COHORTS] * COHORTS
    n_cohorts = len(sizes)
    cohorts = []
    for i in range(n_cohorts):
        # Four finished cohorts a season apart, the last one running for six weeks.
        starts = today - dt.timedelta(days=42 + 140 * (n_cohorts - 1 - i))
        cohorts.append(
            Cohort(
                programme=programme,
                name=f"Cohort {i + 1}",
                applications_open=starts - dt.timedelta(days=70),
                applications_close=starts - dt.timedelta(days=28),
                starts_on=starts,
                ends_on=starts + dt.timedelta(weeks=12),
                capacity=sizes[i],
                status=CohortStatus.RUNNING if i == n_cohorts - 1 else CohortStatus.FINISHED,
            )
        )
    cohorts = Cohort.objects.bulk_create(cohorts)
    mentees_total = sum(sizes)
    mentors_by_cohort = [max(1, n // 3) for n in sizes]
    mentor_pool = max(mentors_by_cohort) * 2
    extra_per_cohort = 40
    if people is not None:
        extra_per_cohort = max(40, (people - mentees_total - mentor_pool) // n_cohorts)
    n_users = mentees_total + mentor_pool + n_cohorts * extra_per_cohort
    users = User.objects.bulk_create(
        (
            User(email=f"bench{tag}{i}@example.gov.uk", full_name=f"Person {i}", password="!")  # noqa: S106 - unusable
            for i in range(n_users)
        ),
        batch_size=batch_size,
    )
    grades = list(Grade.values) + [None]
    insert_rows(
        Profile,
        [
            Profile(user=u, organisation=rng.choice(ORGANISATIONS), grade=rng.choice(grades))
            for u in users
        ],
        batch_size=batch_size,
    )
    mentees = users[:mentees_total]
    mentors = users[mentees_total : mentees_total + mentor_pool]
    extra = users[mentees_total + mentor_pool :]
    first_mentee = [sum(sizes[:i]) for i in range(n_cohorts)]
    enrolments, mentee_enrolments, mentor_enrolments = [], {}, {}
    for ci, cohort in enumerate(cohorts):
        for k in range(sizes[ci]):
            e = Enrolment(user=mentees[first_mentee[ci] + k], cohort=cohort, role="mentee")
            e.status = "accepted"
            enrolments.append(e)
            mentee_enrolments.setdefault(cohort.pk, []).append(e)
        # Mentors rotate through a pool, so many come back; some earlier mentees mentor too.
        n_mentors = mentors_by_cohort[ci]
        chosen = [mentors[(ci * n_mentors // 2 + k) % mentor_pool] for k in range(n_mentors)]
        if ci:
            chosen[:10] = mentees[first_mentee[ci - 1] : first_mentee[ci - 1] + 10]
        for user in chosen:
            e = Enrolment(user=user, cohort=cohort, role="mentor", status="accepted", capacity=4)
            enrolments.append(e)
            mentor_enrolments.setdefault(cohort.pk, []).append(e)
        batch = extra[ci * extra_per_cohort : (ci + 1) * extra_per_cohort]
        for k, user in enumerate(batch):
            status = ["applied", "waitlisted", "declined", "withdrawn"][k % 4]
            enrolments.append(Enrolment(user=user, cohort=cohort, role="mentee", status=status))
    Enrolment.objects.bulk_create(enrolments, batch_size=batch_size)

    priorities = BusinessPriority.objects.bulk_create(
        BusinessPriority(programme=programme, name=f"Priority {i}") for i in range(8)
    )
    projects = Project.objects.bulk_create(
        (
            Project(enrolment=e, title=f"Project {e.user_id}", description="A work project")
            for es in mentee_enrolments.values()
            for e in es
        ),
        batch_size=batch_size,
    )
    Through = Project.priorities.through
    insert_rows(
        Through,
        [
            Through(project_id=p.pk, businesspriority_id=priorities[i % 7].pk)
            for i, p in enumerate(projects)
        ],
        batch_size=batch_size,
    )
    TalentPoolEntry.objects.bulk_create(
        TalentPoolEntry(programme=programme, email=f"interest{i}@example.gov.uk", source="interest")
        for i in range(300)
    )

    pair_rows = []
    for cohort in cohorts:
        running = cohort.status == CohortStatus.RUNNING
        ms = mentor_enrolments[cohort.pk]
        for k, mentee in enumerate(mentee_enrolments[cohort.pk]):
            pair = Pair(
                cohort=cohort, mentor=ms[k % len(ms)], mentee=mentee, started_on=cohort.starts_on
            )
            if not running:
                roll = rng.random()
                pair.status = "ended"
                if roll < 0.85:
                    pair.ended_on, pair.end_reason = cohort.ends_on, "completed"
                else:
                    pair.ended_on = cohort.starts_on + dt.timedelta(days=rng.randint(0, 70))
                    pair.end_reason = rng.choice(REASONS)
            pair_rows.append(pair)
    pair_rows = Pair.objects.bulk_create(pair_rows, batch_size=batch_size)

    per_pair = max(1, checkins // len(pair_rows))
    checkin_rows = []
    for pair in pair_rows:
        last = pair.ended_on or today
        span = max(1, (last - pair.started_on).days)
        parts = per_pair + 1
        if checkin_days is not None and pair.ended_on is None:
            # The last one checkin_days ago, the others evenly spaced from the start.
            span, parts = max(0, (today - pair.started_on).days - checkin_days), per_pair
        for k in range(per_pair):
            met = pair.started_on + dt.timedelta(days=(k + 1) * span // parts)
            checkin_rows.append(
                CheckIn(
                    pair=pair,
                    author_id=pair.mentee.user_id,
                    met_on=met,
                    duration_minutes=60,
                    worked_on="Worked on the project",
                    rating=rng.choice((3, 4, 4, 4, 5, 5)),
                    wellbeing=rng.choice((2, 3, 4, 4, 4, 5)),
                    protected_time_kept=True,
                )
            )
    insert_rows(CheckIn, checkin_rows, batch_size=batch_size)
    # The pairs' check-in summaries, as pairing.services keeps them (pairing/engagement.py).
    summaries_rebuild(p.pk for p in pair_rows)

    answer_count = 0
    if surveys.available():
        answer_count = _build_surveys(cohorts, mentee_enrolments, answers, rng, batch_size)
    return {
        "people": n_users + 1,
        "active_pairs": sum(1 for p in pair_rows if p.ended_on is None),
        "cohorts": len(cohorts),
        "pairs": len(pair_rows),
        "checkins": len(checkin_rows),
        "survey_answers": answer_count,
        "surveys": surveys.available(),
        "programme": programme.slug,
        "cohort_running": cohorts[-1].pk,
        "cohort_finished": cohorts[0].pk,
        "coordinator": coordinator.pk,
    }


def _build_surveys(cohorts, mentee_enrolments, answers: int, rng, batch_size: int = 2000) -> int:
    from django.utils import timezone

    from feedback.models import (
        Answer,
        Question,
        QuestionType,
        Response,
        SurveyInvitation,
        SurveySchedule,
        SurveyTemplate,
        SurveyVersion,
    )

    programme = cohorts[0].programme
    kinds = [
        QuestionType.SCALE_1_5,
        QuestionType.SCALE_1_5,
        QuestionType.SCALE_1_5,
        QuestionType.NPS_0_10,
        QuestionType.FREE_TEXT,
    ]
    templates = []
    for name, anonymous in (("Mid-point", True), ("End of programme", False)):
        t = SurveyTemplate.objects.create(programme=programme, name=name, anonymous=anonymous)
        v = SurveyVersion.objects.create(template=t, number=1, published=True)
        qs = Question.objects.bulk_create(
            Question(version=v, order=i, type=k, text=f"Question {i}") for i, k in enumerate(kinds)
        )
        templates.append((t, v, qs))
    responses_needed = answers // len(kinds)
    per_schedule = max(1, responses_needed // (len(cohorts) * len(templates)))
    batch = uuid.uuid4()
    now = timezone.now()
    invitations, responses, answer_rows = [], [], []
    for cohort in cohorts:
        for (t, v, qs), (trigger, offset) in zip(
            templates, (("cohort_start", 35), ("cohort_end", 0)), strict=True
        ):
            s = SurveySchedule.objects.create(
                cohort=cohort, template=t, trigger=trigger, offset_days=offset
            )
            due = (cohort.starts_on if trigger == "cohort_start" else cohort.ends_on) + (
                dt.timedelta(days=offset)
            )
            for k, e in enumerate(mentee_enrolments[cohort.pk]):
                answered = k < per_schedule
                inv = SurveyInvitation(
                    schedule=s,
                    user_id=e.user_id,
                    role="mentee",
                    due_on=due,
                    closes_on=due + dt.timedelta(days=14),
                    answered_at=now if answered else None,
                    batch=batch,
                )
                invitations.append(inv)
                if not answered:
                    continue
                r = Response(
                    schedule=s,
                    version=v,
                    role="mentee",
                    user_id=None if t.anonymous else e.user_id,
                    submitted_at=None if t.anonymous else now,
                )
                responses.append((r, inv, t.anonymous))
                for q in qs:
                    if q.type == QuestionType.FREE_TEXT:
                        answer_rows.append(Answer(response=r, question=q, text="Useful, thanks"))
                    elif q.type == QuestionType.NPS_0_10:
                        answer_rows.append(
                            Answer(response=r, question=q, number=rng.randint(0, 10))
                        )
                    else:
                        answer_rows.append(Answer(response=r, question=q, number=rng.randint(1, 5)))
    SurveyInvitation.objects.bulk_create(invitations, batch_size=batch_size)
    for r, inv, anonymous in responses:
        if not anonymous:
            r.invitation = inv
    Response.objects.bulk_create([r for r, _inv, _a in responses], batch_size=batch_size)
    insert_rows(Answer, answer_rows, batch_size=batch_size)
    # What survey_submit does one answer at a time (feedback/publication.py), for the whole
    # data set at once: every step of 3 anonymous responses of a group is published.
    from django.db import transaction

    from feedback.publication import release_ready

    for schedule_id, version_id in {(r.schedule_id, r.version_id) for r, _i, a in responses if a}:
        with transaction.atomic():  # it locks the group's rows (select_for_update)
            release_ready(schedule_id=schedule_id, version_id=version_id)
    return len(answer_rows)


def measure(info: dict, *, repeat: int, verbose: bool = False):
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from people.models import User

    client = Client()
    client.force_login(User.objects.get(pk=info["coordinator"]))
    slug = info["programme"]
    pages = {
        "cohort_running": reverse("insights:cohort", args=[slug, info["cohort_running"]]),
        "cohort_finished": reverse("insights:cohort", args=[slug, info["cohort_finished"]]),
        "programme": reverse("insights:programme", args=[slug]),
        "trivial_page": reverse("notifications:preferences"),
    }
    for page, url in pages.items():
        timed = time_page(client, url, repeat=repeat)
        slowest = timed.pop("slowest")
        timed.pop("first_sql")
        yield {
            "db": connection.vendor,
            "page": page,
            **timed,
            "pairs": info["pairs"],
            "checkins": info["checkins"],
            "survey_answers": info["survey_answers"],
            "slowest_query_ms": round(1000 * float(slowest["time"]), 1),
            "slowest_query": slowest["sql"][:120] if verbose else None,
        }


def time_cold(client, url: str, *, repeat: int) -> dict:
    """Server time of ``url`` with the cache emptied before each of ``repeat`` requests: what a
    coordinator waits for figures computed on the request (a date filter, or before beat's
    first run). The median of several, so one slow moment of a shared machine is not the
    figure; the slowest is printed beside it."""
    from django.core.cache import cache

    times = []
    for _ in range(repeat):
        cache.clear()
        started = time.perf_counter()
        assert client.get(url).status_code == 200, url
        times.append(1000 * (time.perf_counter() - started))
    return {
        "cold_median_ms": round(statistics.median(times), 1),
        "cold_min_ms": round(min(times), 1),
        "cold_max_ms": round(max(times), 1),
        "cold_requests": repeat,
    }


def time_page(client, url: str, *, repeat: int) -> dict:
    """Server time of ``url`` through the whole middleware stack: one warm-up request
    (templates, connection, and whatever the page caches: its time and queries are given as
    ``first_ms`` and ``first_queries``), then the median, min and max of ``repeat`` requests,
    in wall and CPU milliseconds; the queries of one more request (their number and the
    slowest)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the log keeps 9,000 queries at most: a full one counts nothing new
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200, url
    first_ms = 1000 * (time.perf_counter() - started)
    # Counted now: ``first`` reads the connection's log, which reset_queries() below empties.
    first_queries = len(first)
    first_sql = [q["sql"] for q in first.captured_queries]
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(1000 * (time.perf_counter() - started))
        cpu.append(1000 * (time.process_time() - started_cpu))
        assert response.status_code == 200, url
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "cpu_ms_median": round(statistics.median(cpu), 1),
        "requests": repeat,
        "first_ms": round(first_ms, 1),
        "first_queries": first_queries,
        "first_sql": first_sql,
        "queries": len(queries),
        "slowest": max(queries.captured_queries, key=lambda q: float(q["time"]), default=None)
        or {"time": "0", "sql": ""},
    }


if __name__ == "__main__":
    main()
