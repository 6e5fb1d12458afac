"""Reads for the community app, with its access rules in one place.

Anything a user may not see is a 404, never a 403. Participants are people with an *accepted*
enrolment in the cohort; the programme's coordinators (and staff) see everything a participant
sees, plus the coordinator pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from people.models import Interest, ProfileSkill
from programmes.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Programme

from . import grouping, schedule
from .models import (
    Attendance,
    ContactMessage,
    DirectoryListing,
    Event,
    GroupMember,
    ProjectSummary,
    StandupGroup,
)

#: Mentees may publish their show-and-tell this many days before the cohort ends.
SHOW_AND_TELL_DAYS_BEFORE_END = 21


@dataclass
class Access:
    cohort: Cohort
    enrolment: Enrolment | None
    is_coordinator: bool


def _coordinates(user, programme_id: int) -> bool:
    return Programme.objects.coordinated_by(user).filter(pk=programme_id).exists()


def cohort_for_member(*, user, pk: int) -> Access:
    """The cohort if the user takes part in it (accepted) or coordinates it; else 404."""
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)
    enrolment = (
        Enrolment.objects.filter(cohort=cohort, user=user, status=EnrolmentStatus.ACCEPTED)
        .select_related("user")
        .first()
    )
    is_coordinator = _coordinates(user, cohort.programme_id)
    if enrolment is None and not is_coordinator:
        raise Http404
    return Access(cohort=cohort, enrolment=enrolment, is_coordinator=is_coordinator)


def programme_for_member(*, user, slug: str) -> Programme:
    """A programme the user took part in (any accepted enrolment) or coordinates; else 404."""
    programme = get_object_or_404(Programme, slug=slug)
    if _coordinates(user, programme.pk):
        return programme
    if not Enrolment.objects.filter(
        cohort__programme=programme, user=user, status=EnrolmentStatus.ACCEPTED
    ).exists():
        raise Http404
    return programme


def participants(*, cohort: Cohort):
    """Accepted enrolments with what grouping and the pages need, in a fixed number of queries."""
    return (
        cohort.enrolments.accepted()
        .select_related("user", "user__profile")
        .prefetch_related(
            Prefetch("user__profile__interests", queryset=Interest.objects.order_by("name"))
        )
        .order_by("user__full_name", "user__email")
    )


def as_participant(enrolment: Enrolment) -> grouping.Participant:
    profile = getattr(enrolment.user, "profile", None)
    return grouping.Participant(
        id=enrolment.pk,
        organisation=profile.organisation if profile else "",
        grade=profile.grade if profile else None,
        interests=frozenset(i.name for i in profile.interests.all()) if profile else frozenset(),
    )


# --- Stand-up groups ----------------------------------------------------------------------------


@dataclass
class GroupRow:
    group: StandupGroup
    members: list[Enrolment]
    figures: grouping.GroupFigures | None


def groups_overview(*, cohort: Cohort) -> dict:
    """Groups with members, their figures, the objective and who is not in a group. 5 queries."""
    groups = list(cohort.standup_groups.order_by("number"))
    people = list(participants(cohort=cohort))
    by_id = {e.pk: e for e in people}
    memberships = GroupMember.objects.filter(group__cohort=cohort).values_list(
        "group_id", "enrolment_id"
    )
    members: dict[int, list[Enrolment]] = {g.pk: [] for g in groups}
    placed = set()
    for group_id, enrolment_id in memberships:
        if enrolment_id in by_id:
            members[group_id].append(by_id[enrolment_id])
            placed.add(enrolment_id)
    for rows in members.values():
        rows.sort(key=lambda e: (e.user.full_name, e.user.email))
    evaluation = None
    if groups and placed:
        evaluation = grouping.evaluate([[as_participant(e) for e in members[g.pk]] for g in groups])
    rows = [
        GroupRow(
            group=g, members=members[g.pk], figures=evaluation.figures[i] if evaluation else None
        )
        for i, g in enumerate(groups)
    ]
    return {
        "rows": rows,
        "objective": evaluation.objective if evaluation else None,
        "unassigned": [e for e in people if e.pk not in placed],
        "published": bool(groups) and all(g.published for g in groups),
        "sizes": sorted({len(r.members) for r in rows}),
    }


def group_for_enrolment(enrolment: Enrolment | None) -> StandupGroup | None:
    if enrolment is None:
        return None
    membership = (
        GroupMember.objects.filter(enrolment=enrolment, group__published=True)
        .select_related("group")
        .first()
    )
    return membership.group if membership else None


def group_members(*, group: StandupGroup):
    return (
        Enrolment.objects.filter(standup_membership__group=group)
        .select_related("user", "user__profile")
        .order_by("user__full_name")
    )


# --- Events -------------------------------------------------------------------------------------


def event_recipients(*, event: Event):
    """Users invited to an event: the group's members, or every accepted participant."""
    from people.models import User

    if event.group_id is not None:
        if not event.group.published:
            return User.objects.none()
        return User.objects.filter(enrolments__standup_membership__group_id=event.group_id)
    return User.objects.filter(
        enrolments__cohort_id=event.cohort_id, enrolments__status=EnrolmentStatus.ACCEPTED
    )


def event_for_user(*, user, pk: int) -> tuple[Event, str]:
    """The event and the viewer's role (coordinator, facilitator, participant); else 404."""
    event = get_object_or_404(
        Event.objects.select_related("cohort__programme", "group", "facilitator"), pk=pk
    )
    if _coordinates(user, event.cohort.programme_id):
        return event, "coordinator"
    if not event_recipients(event=event).filter(pk=user.pk).exists():
        raise Http404
    if event.facilitator_id == user.pk:
        return event, "facilitator"
    if (
        event.group_id
        and GroupMember.objects.filter(
            group_id=event.group_id, enrolment__user=user, is_facilitator=True
        ).exists()
    ):
        return event, "facilitator"
    return event, "participant"


def events_for_cohort_member(*, cohort: Cohort, enrolment: Enrolment | None, everything: bool):
    """Cohort-wide events and the viewer's group events (every event for coordinators)."""
    qs = cohort.community_events.select_related("group")
    if everything:
        return qs
    group = group_for_enrolment(enrolment)
    return qs.filter(Q(group__isnull=True) | Q(group=group))


def occurrences(event: Event, *, start: dt.date | None = None, end: dt.date | None = None):
    return schedule.occurrence_dates(
        first=event.first_date, weekly=event.weekly, last=event.last_date, start=start, end=end
    )


def next_occurrence(event: Event, *, now: dt.datetime | None = None) -> dt.date | None:
    """The date of the event's next occurrence that has not ended yet (in the event's time zone),
    or None once the last has ended. No query (the cohort's end date aside, for a weekly event
    without ``repeat_until``)."""
    return schedule.next_occurrence(
        first=event.first_date,
        weekly=event.weekly,
        last=event.last_date,
        time=event.start_time,
        time_zone=event.time_zone,
        minutes=event.duration_minutes,
        now=now or timezone.now(),
    )


def attendance_sheet(*, event: Event, occurrence: dt.date) -> list[dict]:
    """Everyone invited, with whether they attended this occurrence. 2 queries."""
    attended = {
        a.user_id: a
        for a in Attendance.objects.filter(event=event, occurrence=occurrence).only(
            "user_id", "source"
        )
    }
    return [
        {"user": u, "attendance": attended.get(u.pk)}
        for u in event_recipients(event=event).order_by("full_name", "email")
    ]


# --- Directory ----------------------------------------------------------------------------------


def directory_entries(*, cohort: Cohort, q: str = "", skill_id: int | None = None):
    """Listed people of the cohort: only those who opted in, whatever the search. 4 queries."""
    qs = (
        DirectoryListing.objects.filter(
            opted_in=True,
            enrolment__cohort=cohort,
            enrolment__status=EnrolmentStatus.ACCEPTED,
        )
        .select_related("enrolment__user__profile", "enrolment__project")
        .prefetch_related(
            Prefetch(
                "enrolment__user__profile__profile_skills",
                queryset=ProfileSkill.objects.select_related("skill").order_by("skill__name"),
            ),
            Prefetch("enrolment__user__profile__interests", queryset=Interest.objects.all()),
        )
        .order_by("enrolment__user__full_name", "enrolment__user__email")
    )
    if skill_id:
        qs = qs.filter(enrolment__user__profile__profile_skills__skill_id=skill_id)
    q = " ".join(q.split())
    if q:
        qs = qs.filter(
            Q(enrolment__user__full_name__icontains=q)
            | Q(enrolment__user__profile__organisation__icontains=q)
            | Q(enrolment__user__profile__profile_skills__skill__name__icontains=q)
            | Q(enrolment__user__profile__interests__name__icontains=q)
            | Q(enrolment__project__title__icontains=q)
        )
    if skill_id or q:
        qs = qs.distinct()
    return qs


def directory_listing_for(*, cohort: Cohort, enrolment_pk: int) -> DirectoryListing:
    """A listed person of the cohort, for the relay form; 404 for anyone not opted in."""
    return get_object_or_404(
        DirectoryListing.objects.select_related("enrolment__user"),
        enrolment_id=enrolment_pk,
        enrolment__cohort=cohort,
        enrolment__status=EnrolmentStatus.ACCEPTED,
        opted_in=True,
    )


def messages_sent_since(*, sender, since: dt.datetime) -> int:
    return ContactMessage.objects.filter(sender=sender, created_at__gte=since).count()


# --- Show-and-tell ------------------------------------------------------------------------------


def show_and_tell_open(cohort: Cohort, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    if cohort.status == CohortStatus.FINISHED:
        return True
    return cohort.status == CohortStatus.RUNNING and today >= cohort.ends_on - dt.timedelta(
        days=SHOW_AND_TELL_DAYS_BEFORE_END
    )


def past_projects(*, programme: Programme):
    return (
        ProjectSummary.objects.filter(
            enrolment__cohort__programme=programme, published_at__isnull=False
        )
        .select_related("enrolment__user__profile", "enrolment__cohort")
        .order_by("-enrolment__cohort__starts_on", "title")
    )


# --- For the dashboard (insights) -------------------------------------------------------------


def standup_attendance_rate(cohort: Cohort, *, today: dt.date | None = None) -> dict:
    """Stand-up attendance of a cohort so far. Two queries, whatever the size.

    ``expected`` is the number of (member, past occurrence) pairs of the published groups'
    stand-ups up to and including today; ``attended`` the attendance rows among them; ``rate``
    their ratio (None before the first stand-up).
    """
    return standup_attendance_by_cohort([cohort.pk], today=today)[cohort.pk]


def standup_attendance_by_cohort(cohort_ids, *, today: dt.date | None = None) -> dict[int, dict]:
    """:func:`standup_attendance_rate` of several cohorts at once (the programme dashboard):
    two queries in all, whatever the number of cohorts."""
    today = today or timezone.localdate()
    ids = list(cohort_ids)
    events = list(
        Event.objects.filter(cohort_id__in=ids, kind="standup", group__published=True)
        .select_related("cohort")
        .annotate(member_count=Count("group__members"))
    )
    out = {pk: {"occurrences": 0, "expected": 0, "attended": 0, "rate": None} for pk in ids}
    for event in events:
        past = len(occurrences(event, end=today))
        out[event.cohort_id]["occurrences"] += past
        out[event.cohort_id]["expected"] += past * event.member_count
    if events:
        attended = (
            Attendance.objects.filter(
                event__in=[e.pk for e in events],
                occurrence__lte=today,
                # Only people who are (still) members of the event's group count.
                user__enrolments__standup_membership__group=F("event__group"),
            )
            .values("event__cohort_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("event__cohort_id", "n")
        )
        for cohort_id, n in attended:
            out[cohort_id]["attended"] = n
    for row in out.values():
        row["rate"] = row["attended"] / row["expected"] if row["expected"] else None
    return out


def directory_stats(cohort: Cohort) -> dict:
    """How the directory is used in a cohort. Two queries."""
    return directory_stats_by_cohort([cohort.pk])[cohort.pk]


def directory_stats_by_cohort(cohort_ids) -> dict[int, dict]:
    """:func:`directory_stats` of several cohorts at once: two queries in all."""
    ids = list(cohort_ids)
    counts = {
        r["cohort_id"]: r
        for r in Enrolment.objects.filter(cohort_id__in=ids)
        .accepted()
        .values("cohort_id")
        .annotate(
            participants=Count("pk"),
            listed=Count("pk", filter=Q(directory_listing__opted_in=True)),
        )
        .order_by()
    }
    messages = {
        r["cohort_id"]: r
        for r in ContactMessage.objects.filter(cohort_id__in=ids)
        .values("cohort_id")
        .annotate(messages=Count("pk"), senders=Count("sender", distinct=True))
        .order_by()
    }
    out = {}
    for pk in ids:
        c = counts.get(pk, {"participants": 0, "listed": 0})
        m = messages.get(pk, {"messages": 0, "senders": 0})
        out[pk] = {
            "participants": c["participants"],
            "listed": c["listed"],
            "listed_share": c["listed"] / c["participants"] if c["participants"] else None,
            "messages": m["messages"],
            "senders": m["senders"],
        }
    return out


def published_summaries_by_enrolment(enrolment_ids) -> dict:
    """For duplicate-project detection (recruitment/proposal_sources.py): per enrolment, the
    published summary's text (empty while unpublished) and when the summary last changed."""
    from .models import ProjectSummary

    return {
        row["enrolment_id"]: (
            " ".join(p for p in (row["summary"], row["outcomes"]) if p)
            if row["published_at"]
            else "",
            row["updated_at"],
        )
        for row in ProjectSummary.objects.filter(enrolment_id__in=list(enrolment_ids)).values(
            "enrolment_id", "summary", "outcomes", "published_at", "updated_at"
        )
    }
