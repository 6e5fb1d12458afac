"""What a feed lists: events as JSON-ready dicts (calendars/ics.py), only what the person can
already see in the application.

- The person's own feed: for each cohort they are accepted in (not draft, not long finished):
  their active pair's next check-in at the slot the reminder email suggests (rhythm.ics), the
  cohort's sessions and their own published stand-up group's events (community), and the
  cohort's milestones (rhythm.rules.milestone_dates); for each cohort they coordinate, its
  milestones and cohort-wide sessions.
- A coordinator's cohort feed: every event of the cohort, every group's stand-ups, every active
  pair's next check-in, the milestones.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Max, Q

from community.models import Event
from lib.urls import absolute_reverse
from notifications.windows import bank_holidays
from pairing.models import Pair
from programmes.models import Cohort, CohortStatus, EnrolmentStatus
from rhythm.ics import MEETING_MINUTES, suggest_slot
from rhythm.models import RhythmSettings
from rhythm.rules import milestone_dates

FINISHED_SHOWN_DAYS = 60  # a finished cohort's events stay in feeds this long after its end
MILESTONES = {
    "welcome": "{cohort} starts",
    "halfway": "{cohort}: half-way",
    "two-weeks": "{cohort}: two weeks to go",
    "closing": "{cohort} ends",
}


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _cohorts(qs, today: dt.date):
    return qs.exclude(status=CohortStatus.DRAFT).filter(
        ends_on__gte=today - dt.timedelta(days=FINISHED_SHOWN_DAYS)
    )


def _milestones(cohort: Cohort) -> list[dict]:
    out = []
    for name, day in milestone_dates(cohort).items():
        out.append(
            {
                "uid": f"milestone-{cohort.pk}-{name}@{_host()}",
                "summary": MILESTONES[name].format(
                    cohort=f"{cohort.programme.name} – {cohort.name}"
                ),
                "description": "",
                "url": "",
                "location": "",
                "start": day.isoformat(),
                "end": (day + dt.timedelta(days=1)).isoformat(),
                "tz": "",
                "rrule_until": "",
            }
        )
    return out


def _event(event: Event) -> dict:
    start = dt.datetime.combine(event.first_date, event.start_time)
    description = event.description
    if event.video_url:
        description = f"{description}\n\nJoin: {event.video_url}".strip()
    return {
        "uid": event.uid,
        "summary": f"{event.title} – {event.cohort.programme.name}",
        "description": description,
        "url": absolute_reverse("community:event", args=[event.pk]),
        "location": event.location or event.video_url,
        "start": start.isoformat(),
        "end": (start + dt.timedelta(minutes=event.duration_minutes)).isoformat(),
        "tz": event.time_zone,
        "rrule_until": event.last_date.isoformat() if event.weekly else "",
    }


def _pairs_with_last_meeting(qs):
    return (
        # Published pairs meet from the day they are told (matching) until the cohort ends.
        qs.filter(
            status=Pair.Status.ACTIVE,
            cohort__status__in=[CohortStatus.MATCHING, CohortStatus.RUNNING],
        )
        .select_related(
            "cohort__programme",
            "mentor__user__profile",
            "mentee__user__profile",
        )
        .annotate(last_met_on=Max("checkins__met_on"))
        .order_by("pk")
    )


def _divisions(programme_ids) -> dict[int, str]:
    default = RhythmSettings().bank_holidays
    found = dict(
        RhythmSettings.objects.filter(programme_id__in=programme_ids).values_list(
            "programme_id", "bank_holidays"
        )
    )
    return {pk: found.get(pk, default) for pk in programme_ids}


def _zone(user) -> str:
    profile = getattr(user, "profile", None)
    return (profile.time_zone if profile else "") or settings.TIME_ZONE


def _checkin(pair: Pair, *, today: dt.date, division: str, viewer=None) -> dict | None:
    due = pair.next_checkin_due(pair.last_met_on)
    if due > pair.cohort.ends_on:
        return None
    mentor, mentee = pair.mentor.user, pair.mentee.user
    slot, suits = suggest_slot(
        max(due, today), (_zone(mentor), _zone(mentee)), bank_holidays(division)
    )
    if viewer is None:
        summary = f"Check-in: {mentor.display_name} and {mentee.display_name}"
    else:
        other = mentee if viewer.pk == mentor.pk else mentor
        summary = f"Mentoring check-in with {other.display_name}"
    note = "" if suits else " No time suits both working hours: agree one between you."
    return {
        "uid": f"checkin-next-{pair.pk}@{_host()}",
        "summary": summary,
        "description": (
            f"Suggested time for the next check-in, due {due:%-d %B %Y}.{note} "
            "Move it to a time that suits you both, then log it in the application."
        ),
        "url": absolute_reverse("pairing:detail", args=[pair.pk]),
        "location": "",
        "start": slot.astimezone(dt.UTC).isoformat(),
        "end": (slot + dt.timedelta(minutes=MEETING_MINUTES)).astimezone(dt.UTC).isoformat(),
        "tz": "UTC",
        "rrule_until": "",
    }


def _sorted(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in sorted(items, key=lambda i: (i["start"], i["uid"])):
        if item["uid"] not in seen:
            seen.add(item["uid"])
            out.append(item)
    return out


def items_for_user(user, *, today: dt.date) -> list[dict]:
    """The person's own feed. A fixed number of queries, whatever the number of cohorts."""
    participating = list(
        _cohorts(
            Cohort.objects.filter(
                enrolments__user=user, enrolments__status=EnrolmentStatus.ACCEPTED
            ),
            today,
        )
        .select_related("programme")
        .distinct()
    )
    coordinating = list(
        _cohorts(Cohort.objects.filter(programme__coordinators=user), today)
        .select_related("programme")
        .distinct()
    )
    items: list[dict] = []
    for cohort in {c.pk: c for c in participating + coordinating}.values():
        items += _milestones(cohort)
    part_ids = [c.pk for c in participating]
    coord_ids = [c.pk for c in coordinating]
    events = Event.objects.filter(
        Q(cohort_id__in=part_ids + coord_ids, group__isnull=True)
        | Q(
            cohort_id__in=part_ids,
            group__published=True,
            group__members__enrolment__user=user,
        )
    ).select_related("cohort__programme")
    items += [_event(e) for e in events.distinct()]
    pairs = list(
        _pairs_with_last_meeting(
            Pair.objects.filter(Q(mentor__user=user) | Q(mentee__user=user), cohort_id__in=part_ids)
        )
    )
    divisions = _divisions({p.cohort.programme_id for p in pairs})
    for pair in pairs:
        item = _checkin(
            pair, today=today, division=divisions[pair.cohort.programme_id], viewer=user
        )
        if item:
            items.append(item)
    return _sorted(items)


def items_for_cohort(cohort: Cohort, *, today: dt.date) -> list[dict]:
    """A coordinator's feed of a whole cohort."""
    items = _milestones(cohort)
    events = Event.objects.filter(cohort=cohort)  # coordinators see every group's events
    items += [_event(e) for e in events.select_related("cohort__programme")]
    pairs = list(_pairs_with_last_meeting(Pair.objects.filter(cohort=cohort)))
    division = _divisions([cohort.programme_id])[cohort.programme_id]
    for pair in pairs:
        item = _checkin(pair, today=today, division=division)
        if item:
            items.append(item)
    return _sorted(items)
