"""The other apps' automated emails to a cohort, for its schedule page (rhythm.services
.rhythm_preview adds them to the rhythm's own): survey invitations (feedback) and event
invitations and reminders (community).

Two sources, as for the rhythm's own emails:

- rows already in the outbox about the cohort (``refs["cohort"]``): pending ones (held for a
  send window, waiting for a retry), and those sent or cancelled from today on, each with its
  status and, when cancelled, the reason;
- what is coming and not written yet: survey invitations whose due day falls in the next days
  (cohort start and end, pair start; invitations after every N check-ins cannot be foreseen) and
  a reminder the day before each event occurrence. One line per survey or occurrence, with a
  count of people: they are group emails, and a count is all the coordinator needs.

Invitations and reminders of an anonymous survey never name anyone (whether someone's
invitation was cancelled because they answered is nobody's business): they are counted
(``private``), like the rhythm's reminders of an anonymous survey.

Queries: about seven, whatever the size of the cohort.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.db.models import Count

from community import schedule as event_schedule
from community.models import Event
from feedback import scheduling
from feedback.models import SurveyInvitation, SurveySchedule
from notifications.models import Email
from notifications.windows import bank_holidays, next_send_time, start_of_day
from pairing.models import Pair
from programmes.models import Cohort, EnrolmentStatus

from .data import Message, Person

KIND_SURVEY_INVITATION = "survey-invitation"
KIND_EVENT_INVITATION = "event-invitation"
KIND_EVENT_REMINDER = "event-reminder"
OTHER_KINDS = (KIND_SURVEY_INVITATION, KIND_EVENT_INVITATION, KIND_EVENT_REMINDER)

LABELS = {
    KIND_SURVEY_INVITATION: "Survey invitation",
    KIND_EVENT_INVITATION: "Event invitation, with calendar file",
    KIND_EVENT_REMINDER: "Event reminder, the day before",
}


def _message(*, kind, label, to, person, cohort, key="", time_zone="", private=False, day=None):
    return Message(
        rule=kind,
        kind=kind,
        key=key,
        template=kind,
        to=to,
        person=person,
        context={},
        programme_id=cohort.programme_id,
        programme_name="",
        cohort_id=cohort.pk,
        due_on=day,
        stale_after=day,
        time_zone=time_zone or settings.TIME_ZONE,
        private=private,
        label=label,
    )


def outbox_rows(*, cohort: Cohort, now: dt.datetime) -> list[tuple[Message, dt.datetime, str, str]]:
    """(message, when, status, reason) of the outbox rows about the cohort of the other apps'
    kinds: pending, or sent or cancelled since the start of today. Three queries."""
    since = start_of_day(now.date(), settings.TIME_ZONE)
    rows = list(
        Email.objects.filter(refs__cohort=cohort.pk, kind__in=OTHER_KINDS)
        .exclude(status=Email.Status.SENT, sent_at__lt=since)
        .exclude(status__in=[Email.Status.CANCELLED, Email.Status.FAILED], created_at__lt=since)
        .select_related("user")
        .order_by("next_attempt_at", "pk")
    )
    invitation_ids = [r.refs.get("invitation") for r in rows if r.refs.get("invitation")]
    anonymous = dict(
        SurveyInvitation.objects.filter(pk__in=invitation_ids).values_list(
            "pk", "schedule__template__anonymous"
        )
    )
    names = dict(
        SurveyInvitation.objects.filter(pk__in=invitation_ids).values_list(
            "pk", "schedule__template__name"
        )
    )
    out = []
    for row in rows:
        invitation = row.refs.get("invitation")
        private = bool(anonymous.get(invitation))
        label = LABELS[row.kind]
        if invitation in names:
            label = f"{label} ({names[invitation]})"
        user = row.user
        person = Person(
            user_id=row.user_id,
            email=row.to,
            name=user.display_name if user is not None else row.to,
            time_zone=row.time_zone or settings.TIME_ZONE,
        )
        message = _message(
            kind=row.kind,
            label=label,
            to=row.to,
            person=person,
            cohort=cohort,
            key=row.idempotency_key,
            time_zone=row.time_zone,
            private=private,
            day=(row.sent_at or row.next_attempt_at).date(),
        )
        when = row.sent_at or row.next_attempt_at
        reason = row.last_error if row.status == Email.Status.CANCELLED else ""
        out.append((message, when, row.status, reason))
    return out


def _group_send_time(day: dt.date, now: dt.datetime) -> dt.datetime:
    """When a group email written on ``day`` goes out in the programme's time zone."""
    base = max(now, start_of_day(day, settings.TIME_ZONE))
    if getattr(settings, "RHYTHM_IGNORE_SEND_WINDOWS", False):
        return base
    return next_send_time(base, settings.TIME_ZONE, bank_holidays())


def _wants(audience: str, role: str) -> bool:
    return audience == "both" or audience == f"{role}s"


def _people(n: int) -> str:
    return f"{n} {'person' if n == 1 else 'people'}"


def upcoming(
    *, cohort: Cohort, now: dt.datetime, until: dt.date
) -> list[tuple[Message, dt.datetime]]:
    """Survey invitations and event reminders not written yet, due after today and by
    ``until``: one line per survey and day, and per event occurrence, with a count. About four
    queries."""
    today = now.date()
    out = []
    # Survey invitations by due day.
    schedules = list(
        SurveySchedule.objects.filter(
            cohort=cohort, active=True, template__versions__published=True
        )
        .distinct()
        .select_related("template")
    )
    roles = Counter(
        cohort.enrolments.filter(status=EnrolmentStatus.ACCEPTED).values_list("role", flat=True)
    )
    pairs = None
    for s in schedules:
        data = scheduling.ScheduleData(
            id=s.pk,
            trigger=s.trigger,
            audience=s.audience,
            offset_days=s.offset_days,
            every_n_checkins=s.every_n_checkins,
            close_after_days=s.close_after_days,
            cohort_starts_on=cohort.starts_on,
            cohort_ends_on=cohort.ends_on,
        )
        per_day: Counter = Counter()
        if s.trigger in ("cohort_start", "cohort_end"):
            due = scheduling.due_date(data)
            n = sum(n for role, n in roles.items() if _wants(s.audience, role))
            if due is not None:
                per_day[due] += n
        elif s.trigger == "pair_start":
            if pairs is None:
                pairs = list(
                    Pair.objects.filter(cohort=cohort, status=Pair.Status.ACTIVE).values_list(
                        "started_on", flat=True
                    )
                )
            both = _wants(s.audience, "mentor") + _wants(s.audience, "mentee")
            for started_on in pairs:
                due = scheduling.due_date(data, pair_started_on=started_on)
                if due is not None:
                    per_day[due] += both
        for day, n in sorted(per_day.items()):
            if today < day <= until and n:
                message = _message(
                    kind=KIND_SURVEY_INVITATION,
                    label=f"{LABELS[KIND_SURVEY_INVITATION]} ({s.template.name})",
                    to=_people(n),
                    person=None,
                    cohort=cohort,
                    day=day,
                )
                out.append((message, _group_send_time(day, now)))
    # Event reminders: the day before each occurrence, to everyone invited.
    events = list(
        Event.objects.filter(cohort=cohort)
        .select_related("cohort", "group")
        .annotate(member_count=Count("group__members"))
    )
    everyone = sum(roles.values())
    for event in events:
        n = everyone if event.group_id is None else event.member_count
        if event.group_id is not None and not event.group.published:
            n = 0
        days = event_schedule.occurrence_dates(
            first=event.first_date,
            weekly=event.weekly,
            last=event.last_date,
            start=today + dt.timedelta(days=2),
            end=until + dt.timedelta(days=1),
        )
        for occurrence in days:
            if not n:
                continue
            message = _message(
                kind=KIND_EVENT_REMINDER,
                label=f"{LABELS[KIND_EVENT_REMINDER]} ({event.title}, {occurrence:%a %d %b})",
                to=_people(n),
                person=None,
                cohort=cohort,
                day=occurrence - dt.timedelta(days=1),
            )
            out.append((message, _group_send_time(occurrence - dt.timedelta(days=1), now)))
    return out
