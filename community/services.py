"""Writes of the community app: groups, events, attendance, the directory and show-and-tell."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import dateformat, timezone

from lib.models import model_update
from people.models import AuditEvent
from programmes.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Role
from recruitment.models import Project

from . import emails, grouping, schedule, selectors
from .models import (
    SUMMARY_FIELDS,
    Attendance,
    ContactMessage,
    DirectoryListing,
    Event,
    EventKind,
    GroupMember,
    ProjectSummary,
    StandupGroup,
)

#: Messages one person may send through the directory in 24 hours.
CONTACT_LIMIT_PER_DAY = 5


def _audit(*, actor, action: str, obj, programme_id: int, summary: str) -> None:
    AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=obj.__class__.__name__.lower(),
        object_id=str(obj.pk),
        programme_id=programme_id,
        summary=summary[:300],
    )


def _require_running(cohort: Cohort) -> None:
    if cohort.status != CohortStatus.RUNNING:
        raise ValidationError("Stand-up groups are for running cohorts.")


# --- Stand-up groups ----------------------------------------------------------------------------


@transaction.atomic
def groups_generate(
    *, cohort: Cohort, by, min_size: int = 5, max_size: int = 8, seed: int = 0
) -> grouping.Grouping:
    """Replace the cohort's draft groups with new ones from the grouping algorithm."""
    _require_running(cohort)
    if min_size < 2 or max_size < min_size:
        raise ValidationError("Choose sizes with 2 ≤ smallest ≤ largest.")
    if cohort.standup_groups.filter(published=True).exists():
        raise ValidationError("The groups are published: move people by hand instead.")
    people = list(selectors.participants(cohort=cohort))
    if not people:
        raise ValidationError("No one has been accepted into this cohort yet.")
    result = grouping.make_groups(
        [selectors.as_participant(e) for e in people],
        min_size=min_size,
        max_size=max_size,
        seed=seed,
    )
    cohort.standup_groups.all().delete()
    groups = StandupGroup.objects.bulk_create(
        [
            StandupGroup(cohort=cohort, number=i + 1, name=f"Group {i + 1}")
            for i in range(len(result.groups))
        ]
    )
    GroupMember.objects.bulk_create(
        [
            GroupMember(group=group, enrolment_id=enrolment_id)
            for group, ids in zip(groups, result.groups, strict=True)
            for enrolment_id in ids
        ]
    )
    _audit(
        actor=by,
        action="standup-groups-generate",
        obj=cohort,
        programme_id=cohort.programme_id,
        summary=f"{len(groups)} draft groups of {min_size}-{max_size} for {len(people)} people",
    )
    return result


@transaction.atomic
def group_member_move(*, cohort: Cohort, enrolment_id: int, group_id: int | None, by) -> None:
    """Put one participant in another group (or none). A published group invites them."""
    enrolment = cohort.enrolments.accepted().filter(pk=enrolment_id).first()
    if enrolment is None:
        raise ValidationError("That person is not an accepted participant of this cohort.")
    GroupMember.objects.filter(enrolment=enrolment).delete()
    if group_id is None:
        return
    group = cohort.standup_groups.filter(pk=group_id).first()
    if group is None:
        raise ValidationError("No such group in this cohort.")
    GroupMember.objects.create(group=group, enrolment=enrolment)
    if group.published:
        for event in group.events.all():
            _invite(event, user_ids=[enrolment.user_id])


@transaction.atomic
def group_facilitator_set(*, group: StandupGroup, enrolment_id: int | None) -> None:
    group.members.update(is_facilitator=False)
    if enrolment_id:
        group.members.filter(enrolment_id=enrolment_id).update(is_facilitator=True)


@transaction.atomic
def groups_publish(*, cohort: Cohort, by) -> int:
    """Publish every draft group and send their stand-up invitations. Idempotent."""
    _require_running(cohort)
    drafts = list(cohort.standup_groups.filter(published=False))
    if not drafts and not cohort.standup_groups.exists():
        raise ValidationError("Generate the groups first.")
    now = timezone.now()
    StandupGroup.objects.filter(pk__in=[g.pk for g in drafts]).update(
        published=True, published_at=now
    )
    for event in Event.objects.filter(group__in=drafts):
        _invite(event)
    if drafts:
        _audit(
            actor=by,
            action="standup-groups-publish",
            obj=cohort,
            programme_id=cohort.programme_id,
            summary=f"{len(drafts)} stand-up groups published",
        )
    return len(drafts)


# --- Events -------------------------------------------------------------------------------------


def _invite(event: Event, *, user_ids: list[int] | None = None) -> None:
    # Outbox rows in the caller's transaction; the outbox sends them once it commits.
    event_invitations_send(event_id=event.pk, user_ids=user_ids)


def event_invitations_send(*, event_id: int, user_ids: list[int] | None = None) -> int:
    """Send the event's .ics invitation to everyone invited (or just ``user_ids``).

    One email per event per person, ever: the idempotency key is ``event-invitation:<event>:
    <user>``, so publishing twice or re-running sends nothing new.
    """
    event = Event.objects.select_related("cohort__programme", "group").get(pk=event_id)
    recipients = selectors.event_recipients(event=event)
    if user_ids is not None:
        recipients = recipients.filter(pk__in=user_ids)
    count = 0
    for user in recipients.distinct():
        emails.send_event_invitation(event=event, user=user)
        count += 1
    return count


@transaction.atomic
def event_create(*, cohort: Cohort, by, data: dict) -> Event:
    """A stand-up for one group or a session for the cohort; invitations go once it is saved."""
    group = data.get("group")
    if group is not None and group.cohort_id != cohort.pk:
        raise ValidationError({"group": "That group is not in this cohort."})
    first_date = data.get("first_date")
    if first_date is not None and first_date > cohort.ends_on:
        raise ValidationError(
            {
                "first_date": f"The cohort ends on {dateformat.format(cohort.ends_on, 'j M Y')}: "
                "choose a date on or before it."
            }
        )
    event = Event(cohort=cohort, created_by=by, **data)
    if not event.weekly:
        event.repeat_until = None
    elif event.repeat_until is None:
        event.repeat_until = cohort.ends_on
    elif event.repeat_until > cohort.ends_on:
        # Its invitations and reminders would go to people whose cohort has ended.
        raise ValidationError(
            {
                "repeat_until": f"The cohort ends on {dateformat.format(cohort.ends_on, 'j M Y')}"
                ": a weekly event stops on or before it."
            }
        )
    event.full_clean()
    event.save()
    _invite(event)
    _audit(
        actor=by,
        action="event-create",
        obj=event,
        programme_id=cohort.programme_id,
        summary=f"{event.get_kind_display()}: {event.title}",
    )
    return event


@transaction.atomic
def standups_schedule(
    *,
    cohort: Cohort,
    by,
    first_date: dt.date,
    start_time: dt.time,
    duration_minutes: int = 30,
    time_zone: str = "Europe/London",
    location: str = "",
    video_url: str = "",
) -> list[Event]:
    """A weekly stand-up for every group that has none yet, until the cohort ends."""
    if first_date > cohort.ends_on:
        raise ValidationError({"first_date": "The cohort has ended by then."})
    made = []
    for group in cohort.standup_groups.exclude(events__kind=EventKind.STANDUP):
        made.append(
            event_create(
                cohort=cohort,
                by=by,
                data={
                    "group": group,
                    "kind": EventKind.STANDUP,
                    "title": f"{group.name} stand-up",
                    "first_date": first_date,
                    "start_time": start_time,
                    "duration_minutes": duration_minutes,
                    "time_zone": time_zone,
                    "weekly": True,
                    "repeat_until": cohort.ends_on,
                    "location": location,
                    "video_url": video_url,
                },
            )
        )
    return made


def event_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind everyone invited to an occurrence tomorrow. Idempotent per occurrence per person
    (``event-reminder:<event>:<date>:<user>``), so beat may run it as often as it likes."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    events = Event.objects.filter(
        cohort__status=CohortStatus.RUNNING, first_date__lte=tomorrow
    ).select_related("cohort__programme", "group")
    sent = 0
    for event in events:
        if not schedule.is_occurrence(
            first=event.first_date, weekly=event.weekly, last=event.last_date, day=tomorrow
        ):
            continue
        for user in selectors.event_recipients(event=event).distinct():
            emails.send_event_reminder(event=event, user=user, occurrence=tomorrow)
            sent += 1
    return sent


# --- Attendance ---------------------------------------------------------------------------------


def _check_occurrence(event: Event, occurrence: dt.date) -> None:
    if not schedule.is_occurrence(
        first=event.first_date, weekly=event.weekly, last=event.last_date, day=occurrence
    ):
        raise ValidationError("The event does not take place on that date.")
    if occurrence > timezone.localdate():
        raise ValidationError("Attendance can be recorded once the event has taken place.")


@transaction.atomic
def attendance_self_report(*, event: Event, occurrence: dt.date, user, attended: bool = True):
    """The person says they were there (or takes it back)."""
    _check_occurrence(event, occurrence)
    if not selectors.event_recipients(event=event).filter(pk=user.pk).exists():
        raise ValidationError("You are not invited to this event.")
    if not attended:
        Attendance.objects.filter(event=event, occurrence=occurrence, user=user).delete()
        return None
    row, _ = Attendance.objects.get_or_create(
        event=event,
        occurrence=occurrence,
        user=user,
        defaults={"source": Attendance.Source.SELF, "recorded_by": user},
    )
    return row


@transaction.atomic
def attendance_take(*, event: Event, occurrence: dt.date, present_user_ids, by) -> int:
    """The facilitator's checklist: exactly the ticked people attended this occurrence."""
    _check_occurrence(event, occurrence)
    invited = set(selectors.event_recipients(event=event).values_list("pk", flat=True))
    present = {int(pk) for pk in present_user_ids} & invited
    Attendance.objects.filter(event=event, occurrence=occurrence).exclude(
        user_id__in=present
    ).delete()
    existing = set(
        Attendance.objects.filter(event=event, occurrence=occurrence).values_list(
            "user_id", flat=True
        )
    )
    Attendance.objects.filter(event=event, occurrence=occurrence, user_id__in=present).update(
        source=Attendance.Source.FACILITATOR, recorded_by=by
    )
    Attendance.objects.bulk_create(
        [
            Attendance(
                event=event,
                occurrence=occurrence,
                user_id=pk,
                source=Attendance.Source.FACILITATOR,
                recorded_by=by,
            )
            for pk in sorted(present - existing)
        ]
    )
    return len(present)


# --- Directory ----------------------------------------------------------------------------------


@transaction.atomic
def directory_listing_save(*, enrolment: Enrolment, opted_in: bool, show_email: bool):
    """A person's choice about the directory; their address is shown only while listed. The
    listing is validated here, as it is saved (the form only checks what was typed)."""
    listing = DirectoryListing.objects.select_for_update().filter(
        enrolment=enrolment
    ).first() or DirectoryListing(enrolment=enrolment)
    listing.opted_in = opted_in
    listing.show_email = bool(opted_in and show_email)
    listing.full_clean()
    listing.save()
    return listing


@transaction.atomic
def contact_send(
    *,
    cohort: Cohort,
    sender,
    listing: DirectoryListing,
    subject: str,
    body: str,
    reply_to_me: bool = True,
) -> ContactMessage:
    """Relay a message to a listed person by email. The sender never sees the address; when
    the sender agreed (``reply_to_me``) the recipient sees theirs and the email's Reply-To is
    it, so replying reaches them. At most CONTACT_LIMIT_PER_DAY a day per sender."""
    if not listing.opted_in or listing.enrolment.cohort_id != cohort.pk:
        raise ValidationError("That person is not in the directory.")
    if listing.enrolment.user_id == sender.pk:
        raise ValidationError("You cannot send a message to yourself.")
    since = timezone.now() - dt.timedelta(days=1)
    if selectors.messages_sent_since(sender=sender, since=since) >= CONTACT_LIMIT_PER_DAY:
        raise ValidationError(
            f"You have sent {CONTACT_LIMIT_PER_DAY} messages in the last 24 hours, the most "
            "allowed. Please try again tomorrow."
        )
    message = ContactMessage(
        cohort=cohort, sender=sender, recipient=listing.enrolment, subject=subject, body=body
    )
    message.full_clean()
    message.save()
    emails.send_directory_message(message=message, reply_to_me=reply_to_me)
    return message


# --- Show-and-tell ------------------------------------------------------------------------------


@transaction.atomic
def project_summary_save(*, enrolment: Enrolment, data: dict, publish: bool) -> ProjectSummary:
    """Save a mentee's show-and-tell; publishing makes it visible to the programme and feeds
    duplicate-project detection (through the mentee's project, created if there was none)."""
    if enrolment.role != Role.MENTEE or enrolment.status != EnrolmentStatus.ACCEPTED:
        raise ValidationError("Only the cohort's mentees publish a project summary.")
    if not selectors.show_and_tell_open(enrolment.cohort):
        raise ValidationError("Show-and-tell opens near the end of the cohort.")
    summary = ProjectSummary.objects.filter(enrolment=enrolment).first() or ProjectSummary(
        enrolment=enrolment
    )
    model_update(
        instance=summary,
        fields=SUMMARY_FIELDS,
        data={f: data.get(f, "") for f in SUMMARY_FIELDS},
        save=False,
    )
    if publish and summary.published_at is None:
        summary.published_at = timezone.now()
    elif not publish:
        summary.published_at = None
    summary.full_clean()
    summary.save()
    if summary.published and not Project.objects.filter(enrolment=enrolment).exists():
        Project.objects.create(
            enrolment=enrolment, title=summary.title, description=summary.summary
        )
    return summary
