"""Demo community for seed_demo: stand-up groups with a weekly stand-up in people's calendars,
a show-and-tell, attendance so far, a directory some people joined, and past project summaries.

Idempotent: groups, events and listings that exist are left alone; invitations are outbox rows
with idempotency keys, so running it again sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from programmes.models import CohortStatus, Enrolment, EnrolmentStatus, Programme, Role

from . import schedule, services
from .models import Attendance, DirectoryListing, Event, EventKind, GroupMember, ProjectSummary

DEMO_EMAILS = {"mentor@example.com", "mentee@example.com"}
SUMMARIES = [
    (
        "Satellite data for agriculture statistics",
        "Estimated crop areas from satellite imagery instead of a farm survey question.",
        "Now rolled out nationally; the survey question was dropped, saving farmers' time.",
    ),
    (
        "Classifying free-text job titles",
        "A text classifier that codes job titles in survey returns to the occupation scheme.",
        "Codes 80% of returns automatically; coders review the rest.",
    ),
    (
        "Forecasting demand for passport applications",
        "Weekly time-series forecasts of applications by region.",
        "Used in staffing plans since the summer.",
    ),
    (
        "Linking school and health records safely",
        "A reproducible pipeline for privacy-preserving record linkage.",
        "Adopted by two analysis teams.",
    ),
]


def _first_weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def seed(programme: Programme) -> None:
    rng = random.Random(9)
    coordinator = programme.coordinators.order_by("pk").first()
    running = programme.cohorts.filter(status=CohortStatus.RUNNING).order_by("starts_on").first()
    if running is not None:
        _running(running, coordinator, rng)
    for finished in programme.cohorts.filter(status=CohortStatus.FINISHED):
        _summaries(finished)


def _running(cohort, coordinator, rng: random.Random) -> None:
    if not cohort.standup_groups.exists():
        services.groups_generate(cohort=cohort, by=coordinator, min_size=5, max_size=7, seed=1)
        for group in cohort.standup_groups.all():
            mentor = group.members.filter(enrolment__role=Role.MENTOR).first()
            services.group_facilitator_set(
                group=group, enrolment_id=mentor.enrolment_id if mentor else None
            )
    services.groups_publish(cohort=cohort, by=coordinator)
    services.standups_schedule(
        cohort=cohort,
        by=coordinator,
        first_date=_first_weekday_on_or_after(cohort.starts_on, 1),  # Tuesdays
        start_time=dt.time(10, 0),
        duration_minutes=30,
        video_url="https://meet.example.gov.uk/dsa-standup",
    )
    if not cohort.community_events.filter(kind=EventKind.SHOW_AND_TELL).exists():
        services.event_create(
            cohort=cohort,
            by=coordinator,
            data={
                "kind": EventKind.SHOW_AND_TELL,
                "title": f"{cohort.name} show-and-tell",
                "description": "Each mentee shows their project in five minutes. Guests welcome.",
                "first_date": cohort.ends_on - dt.timedelta(days=1),
                "start_time": dt.time(14, 0),
                "duration_minutes": 120,
                "location": "Drummond Gate, London, and online",
                "video_url": "https://meet.example.gov.uk/dsa-show-and-tell",
            },
        )
    _attendance(cohort, rng)
    _directory(cohort, rng)


def _attendance(cohort, rng: random.Random) -> None:
    today = timezone.localdate()
    rows = []
    for event in Event.objects.filter(cohort=cohort, kind=EventKind.STANDUP, group__isnull=False):
        users = list(
            GroupMember.objects.filter(group=event.group).values_list("enrolment__user", flat=True)
        )
        for day in schedule.occurrence_dates(
            first=event.first_date, weekly=event.weekly, last=event.last_date, end=today
        ):
            for user_id in users:
                if rng.random() < 0.78:
                    rows.append(
                        Attendance(
                            event=event,
                            occurrence=day,
                            user_id=user_id,
                            source=rng.choice(["facilitator", "facilitator", "self"]),
                        )
                    )
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)


def _directory(cohort, rng: random.Random) -> None:
    for enrolment in cohort.enrolments.accepted().select_related("user"):
        if DirectoryListing.objects.filter(enrolment=enrolment).exists():
            continue
        demo = enrolment.user.email in DEMO_EMAILS
        # People who decline get a row too, so a second run does not ask them again.
        services.directory_listing_save(
            enrolment=enrolment,
            opted_in=demo or rng.random() < 0.6,
            show_email=demo or rng.random() < 0.3,
        )


def _summaries(cohort) -> None:
    mentees = Enrolment.objects.filter(
        cohort=cohort, role=Role.MENTEE, status=EnrolmentStatus.ACCEPTED
    ).order_by("pk")
    for enrolment, (title, summary, outcomes) in zip(mentees, SUMMARIES, strict=False):
        if ProjectSummary.objects.filter(enrolment=enrolment).exists():
            continue
        services.project_summary_save(
            enrolment=enrolment,
            data={"title": title, "summary": summary, "outcomes": outcomes},
            publish=True,
        )
