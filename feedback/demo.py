"""Demo surveys for seed_demo: the default surveys, answers for a finished cohort, and open
invitations in a running one, emailed like the beat would email them (answered and past ones are
history, not emailed). Idempotent: a schedule that already has invitations is left alone, so a
second run invites and emails nobody again.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from programmes.models import CohortStatus, Programme

from . import emails, scheduling, services
from .models import NUMBER_RANGES, QuestionType, SurveyInvitation, Trigger

COMMENTS = [
    "Protected time made all the difference.",
    "More structure in the first two weeks would help.",
    "My mentor was brilliant: patient and practical.",
    "Hard to find time with my day job.",
    "The hub stand-ups helped me get unstuck.",
    "I would like more examples of finished projects.",
    "Great introduction to Python for analysis.",
    "Meeting every week kept the project moving.",
]
# Demo logins keep their invitations open, so the demo can answer one.
DEMO_EMAILS = {"mentor@example.com", "mentee@example.com"}


def _nominal_date(schedule) -> dt.date | None:
    if schedule.trigger == Trigger.PAIR_START:
        starts = [p.started_on for p in schedule.cohort.pairs.all()]
        if not starts:
            return None
        return scheduling.add_days(min(starts), schedule.offset_days)
    data = scheduling.ScheduleData(
        schedule.pk,
        schedule.trigger,
        schedule.audience,
        schedule.offset_days,
        schedule.every_n_checkins,
        schedule.close_after_days,
        schedule.cohort.starts_on,
        schedule.cohort.ends_on,
    )
    return scheduling.due_date(data)


def _answers(version, rng: random.Random) -> dict[int, object]:
    out: dict[int, object] = {}
    for q in version.questions.all():
        if q.type == QuestionType.NPS_0_10:
            out[q.pk] = rng.choice([5, 7, 8, 8, 9, 9, 9, 10, 10, 10])
        elif q.type in NUMBER_RANGES:
            out[q.pk] = rng.choice([2, 3, 4, 4, 4, 5, 5])
        elif q.type == QuestionType.SINGLE_CHOICE:
            out[q.pk] = rng.choice(q.choices[:2] * 3 + q.choices)
        elif q.type == QuestionType.MULTIPLE_CHOICE:
            out[q.pk] = rng.sample(q.choices, rng.randint(1, 2))
        elif rng.random() < 0.6:
            out[q.pk] = rng.choice(COMMENTS)
    return out


@transaction.atomic
def survey_demo_seed(*, programme: Programme, answer_share: float = 0.75) -> dict:
    services.survey_defaults_ensure(programme=programme)
    rng = random.Random(20261129)
    today = timezone.localdate()
    answered = invited = emailed = 0
    schedules = (
        services.due_schedules(today=today)
        .filter(cohort__programme=programme)
        .prefetch_related("cohort__pairs")
    )
    for schedule in schedules:
        if schedule.invitations.exists():
            continue
        due = _nominal_date(schedule)
        if due is None or due > today:
            continue
        services.survey_invitations_create(today=due, schedules=[schedule], send=False)
        version = services.current_version(schedule.template)
        invitations = list(
            SurveyInvitation.objects.filter(schedule=schedule)
            .select_related("user", "schedule__template")
            .order_by("pk")
        )
        invited += len(invitations)
        running = schedule.cohort.status == CohortStatus.RUNNING
        for invitation in invitations:
            if invitation.user.email in DEMO_EMAILS or rng.random() > answer_share:
                continue
            services.survey_submit(
                invitation=invitation,
                version=version,
                answers=_answers(version, rng),
                today=invitation.due_on,
            )
            answered += 1
        if running:
            # The demo runs "now": give the unanswered invitations a fresh window, and email
            # them like the beat would (an open invitation nobody was told about is a surprise).
            still_open = SurveyInvitation.objects.filter(
                schedule=schedule, answered_at__isnull=True
            )
            still_open.update(closes_on=scheduling.add_days(today, schedule.close_after_days))
            for invitation in still_open.select_related(
                "user__profile", "schedule__template", "schedule__cohort__programme"
            ):
                emails.send_survey_invitation(invitation)
                emailed += 1
    return {"invited": invited, "answered": answered, "emailed": emailed}
