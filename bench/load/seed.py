"""Extra volume for the load test, on top of ``seed_demo --force``.

A second programme with three cohorts: a running one (200 active pairs), a finished one (120
pairs, some ended early) and a recruiting one (80 applicants); about 2,000 check-ins, pair goals,
the default surveys with invitations and answers, and the logins Locust uses. Everything is
written with ``bulk_create`` and every account shares one precomputed password hash, so seeding
takes seconds. Dates are relative to today, so the programme is "live" whenever the test runs.

Run by ``bench/load/run.py`` in the throwaway database only::

    python -m bench.load.seed --out users.json

It writes the accounts Locust logs in with (participants with their pair, coordinators with
their programme and cohorts) to ``--out``.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time

PASSWORD = "load-test-password-9471"  # noqa: S105 - throwaway database only
SLUG = "analysis-mentoring"
RUNNING_PAIRS = 200
FINISHED_PAIRS = 120
APPLICANTS = 80
COORDINATORS = 10

WORKED_ON = [
    "Scoped the project and agreed the first milestone",
    "Cleaned the raw data and wrote tests for the loading code",
    "Built a first model and compared it with last year's method",
    "Reviewed the pull request together and refactored the pipeline",
    "Prepared the show-and-tell slides",
    "Talked through how to present uncertainty to the policy team",
]
ORGANISATIONS = [
    "Department for Work and Pensions",
    "HM Revenue and Customs",
    "Office for National Statistics",
    "Department for Education",
    "Scottish Government",
    "Met Office",
    "NHS England",
]
TEAMS = ["Analysis", "Data Science Hub", "Methodology", "Digital", "Policy", "Statistics"]


def seed(rng: random.Random) -> dict:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from feedback.demo import survey_demo_seed
    from pairing.engagement import summaries_rebuild
    from pairing.models import CheckIn, Pair, PairGoal
    from people.models import Grade, Profile, User
    from programmes.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Programme, Role

    today = timezone.localdate()
    password = make_password(PASSWORD)  # one hash for everyone: hashing 700 takes minutes
    now = timezone.now()

    def people(prefix: str, n: int, *, mentor: bool) -> list:
        users = [
            User(
                email=f"{prefix}{i:03d}@load.example.com",
                full_name=f"{prefix.title()} {i:03d}",
                password=password,
                date_joined=now,
            )
            for i in range(1, n + 1)
        ]
        users = User.objects.bulk_create(users)
        Profile.objects.bulk_create(
            [
                Profile(
                    user=u,
                    organisation=rng.choice(ORGANISATIONS),
                    team=rng.choice(TEAMS),
                    grade=rng.choice(
                        [Grade.G7, Grade.G6, Grade.SEO] if mentor else [Grade.EO, Grade.HEO]
                    ),
                    profession="Data scientist",
                    location=rng.choice(["London", "Newport", "Glasgow", "Leeds", "Remote"]),
                    bio="Load-test person.",
                )
                for u in users
            ]
        )
        # Production mode makes email verification mandatory: these addresses are verified.
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
        )
        return users

    with transaction.atomic():
        coordinators = people("coordinator", COORDINATORS, mentor=True)
        mentors = people("mentor", RUNNING_PAIRS // 2, mentor=True)
        mentees = people("mentee", RUNNING_PAIRS + FINISHED_PAIRS + APPLICANTS, mentor=False)

        programme = Programme.objects.create(
            name="Analysis Mentoring Scheme",
            slug=SLUG,
            organisation="Department for Work and Pensions",
            description="Mentoring for analysts across government (load-test programme).",
            checkin_cadence_days=14,
            length_weeks=14,
        )
        programme.coordinators.add(*coordinators)

        running = Cohort.objects.create(
            programme=programme,
            name="Autumn",
            status=CohortStatus.RUNNING,
            starts_on=today - dt.timedelta(weeks=12),
            ends_on=today + dt.timedelta(weeks=3),
            capacity=RUNNING_PAIRS,
            status_changed_at=now,
        )
        finished = Cohort.objects.create(
            programme=programme,
            name="Spring",
            status=CohortStatus.FINISHED,
            starts_on=today - dt.timedelta(weeks=40),
            ends_on=today - dt.timedelta(weeks=26),
            capacity=FINISHED_PAIRS,
            status_changed_at=now,
        )
        recruiting = Cohort.objects.create(
            programme=programme,
            name="Next spring",
            status=CohortStatus.RECRUITING,
            applications_open=today - dt.timedelta(weeks=2),
            applications_close=today + dt.timedelta(weeks=3),
            starts_on=today + dt.timedelta(weeks=6),
            ends_on=today + dt.timedelta(weeks=20),
            capacity=60,
            status_changed_at=now,
        )

        def enrol(users, cohort, role, status=EnrolmentStatus.ACCEPTED, capacity=1):
            return Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        user=u,
                        cohort=cohort,
                        role=role,
                        status=status,
                        capacity=capacity,
                        goals="Deliver my project\nLearn to test my code\nPresent to my director"
                        if role == Role.MENTEE
                        else "Share what I know.",
                        applied_at=now,
                        decided_at=now if status == EnrolmentStatus.ACCEPTED else None,
                    )
                    for u in users
                ]
            )

        # Running: 100 mentors with two mentees each. Finished: 60 of the same mentors (they
        # come back) with 120 other mentees. Recruiting: 80 applicants and 20 mentors.
        run_mentors = enrol(mentors, running, Role.MENTOR, capacity=2)
        run_mentees = enrol(mentees[:RUNNING_PAIRS], running, Role.MENTEE)
        fin_mentors = enrol(mentors[: FINISHED_PAIRS // 2], finished, Role.MENTOR, capacity=2)
        fin_mentees = enrol(
            mentees[RUNNING_PAIRS : RUNNING_PAIRS + FINISHED_PAIRS], finished, Role.MENTEE
        )
        enrol(mentees[RUNNING_PAIRS + FINISHED_PAIRS :], recruiting, Role.MENTEE, "applied")
        enrol(mentors[-20:], recruiting, Role.MENTOR, "applied", capacity=2)

        pairs = []
        for i, mentee in enumerate(run_mentees):
            pairs.append(
                Pair(
                    cohort=running,
                    mentor=run_mentors[i // 2],
                    mentee=mentee,
                    started_on=running.starts_on,
                )
            )
        for i, mentee in enumerate(fin_mentees):
            early = i % 12 == 5
            pairs.append(
                Pair(
                    cohort=finished,
                    mentor=fin_mentors[i // 2],
                    mentee=mentee,
                    started_on=finished.starts_on,
                    status=Pair.Status.ENDED,
                    ended_on=finished.starts_on + dt.timedelta(weeks=5)
                    if early
                    else finished.ends_on,
                    end_reason=Pair.EndReason.WORKLOAD if early else Pair.EndReason.COMPLETED,
                )
            )
        pairs = Pair.objects.bulk_create(pairs)
        by_enrolment = {e.pk: e for e in [*run_mentors, *run_mentees, *fin_mentors, *fin_mentees]}

        goals, checkins = [], []
        for pair in pairs:
            mentee_user = by_enrolment[pair.mentee_id].user
            mentor_user = by_enrolment[pair.mentor_id].user
            for order, text in enumerate(["Deliver my project", "Learn to test my code"]):
                goals.append(PairGoal(pair=pair, text=text, order=order))
            end = min(pair.ended_on or today - dt.timedelta(days=1), today - dt.timedelta(days=1))
            day, n = pair.started_on + dt.timedelta(days=rng.randint(2, 6)), 0
            while day <= end:
                checkins.append(
                    CheckIn(
                        pair=pair,
                        author=mentee_user if n % 2 == 0 else mentor_user,
                        met_on=day,
                        duration_minutes=rng.choice([30, 45, 60, 60, 90]),
                        format=rng.choice(["video", "video", "in_person", "call"]),
                        worked_on=WORKED_ON[n % len(WORKED_ON)],
                        next_step="Agree the next milestone",
                        rating=rng.choice([3, 4, 4, 5, 5]),
                        wellbeing=rng.choice([2, 3, 4, 4, 5]),
                        protected_time_kept=rng.random() > 0.25,
                        shared_with_coordinator=rng.random() > 0.7,
                    )
                )
                day += dt.timedelta(days=rng.choice([10, 12, 14, 14, 15, 21]))
                n += 1
        PairGoal.objects.bulk_create(goals)
        CheckIn.objects.bulk_create(checkins, batch_size=1000)
        summaries_rebuild({c.pair_id for c in checkins})

    # The default surveys, invitations for every schedule that fell due, 40 % answered; the
    # running cohort's unanswered invitations stay open, so participants have surveys to answer.
    surveys = survey_demo_seed(programme=programme, answer_share=0.4)

    participants = []
    for pair in pairs[:RUNNING_PAIRS]:
        for enrolment_id, role in ((pair.mentee_id, "mentee"), (pair.mentor_id, "mentor")):
            participants.append(
                {"email": by_enrolment[enrolment_id].user.email, "role": role, "pair": pair.pk}
            )
    # A mentor has two pairs: keep one entry per person (their first pair).
    seen, unique = set(), []
    for p in participants:
        if p["email"] not in seen:
            seen.add(p["email"])
            unique.append(p)
    rng.shuffle(unique)
    coordinator_rows = [{"email": u.email} for u in coordinators]
    # Most people who use the site at a given moment signed in earlier (sessions last two weeks):
    # give every account a live session, as django.contrib.auth.login() would have stored it.
    by_email = {u.email: u for u in [*coordinators, *mentors, *mentees]}
    for row in [*unique, *coordinator_rows]:
        row["session"] = _session_for(by_email[row["email"]])
    return {
        "password": PASSWORD,
        "programme": SLUG,
        "cohorts": {"running": running.pk, "finished": finished.pk, "recruiting": recruiting.pk},
        "participants": unique,
        "coordinators": coordinator_rows,
        "counts": {
            "users": len(coordinators) + len(mentors) + len(mentees),
            "pairs": len(pairs),
            "checkins": len(checkins),
            "survey_invitations": surveys["invited"],
            "survey_answers": surveys["answered"],
        },
    }


def _session_for(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="where to write the logins (JSON)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load.settings")
    import django

    django.setup()
    started = time.monotonic()
    data = seed(random.Random(20261129))
    with open(args.out, "w") as fh:
        json.dump(data, fh, indent=1)
    counts = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in data["counts"].items())
    print(f"load-test programme seeded in {time.monotonic() - started:.1f} s: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
