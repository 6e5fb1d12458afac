"""The emails the community app sends: event invitations (with an .ics file), reminders the
day before each occurrence, and messages relayed from the cohort directory."""

from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone

from lib.urls import absolute_reverse, absolute_url
from notifications.kinds import register_kind
from notifications.services import email_enqueue
from notifications.windows import bank_holidays, next_send_time

from . import ics

register_kind(
    "event-invitation",
    essential=False,
    label="Stand-up and event invitations",
    description="Calendar invitations to your stand-up group and cohort events.",
)
register_kind(
    "event-reminder",
    essential=False,
    label="Stand-up and event reminders",
    description="A reminder the day before each stand-up or cohort event.",
)
register_kind(
    "directory-message",
    essential=False,
    label="Messages from your cohort directory",
    description="Messages other participants send you through the cohort directory.",
)


def _send_window(user) -> dict:
    """Hold the email for the person's next send window (working hours in their time zone on
    a UK working day), and keep retries inside it; nothing for a local demo."""
    if getattr(settings, "RHYTHM_IGNORE_SEND_WINDOWS", False):
        return {}
    profile = getattr(user, "profile", None)
    time_zone = (profile.time_zone if profile is not None else "") or settings.TIME_ZONE
    holidays = "england-and-wales"
    send_after = next_send_time(timezone.now(), time_zone, bank_holidays(holidays))
    return {
        "send_after": send_after if send_after > timezone.now() else None,
        "time_zone": time_zone,
        "holidays": holidays,
    }


def _sender_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def event_ics_file(event) -> dict:
    """The event as an attachment for email_enqueue: a calendar file with a stable UID."""
    content = ics.event_ics(
        ics.IcsEvent(
            uid=event.uid,
            title=f"{event.title} – {event.cohort.programme.name}",
            first_date=event.first_date,
            start_time=event.start_time,
            duration_minutes=event.duration_minutes,
            time_zone=event.time_zone,
            weekly=event.weekly,
            last_date=event.last_date,
            description=event.description,
            location=event.location,
            url=event.video_url,
            sequence=event.sequence,
            organizer_email=_sender_address(),
        )
    )
    return {"filename": "invite.ics", "content": content, "mimetype": "text/calendar"}


def _event_context(event, user) -> dict:
    return {
        "name": user.display_name,
        "title": event.title,
        "kind": event.get_kind_display(),
        "group_name": event.group.name if event.group_id else "",
        "cohort_name": event.cohort.name,
        "weekly": event.weekly,
        "weekday": event.first_date.strftime("%A"),
        "first_date": event.first_date,
        "last_date": event.last_date,
        "start_time": event.start_time,
        "duration_minutes": event.duration_minutes,
        "time_zone": event.time_zone,
        "location": event.location,
        "video_url": event.video_url,
        "description": event.description,
        "url": absolute_url(event.get_absolute_url()),
    }


def send_event_invitation(*, event, user):
    return email_enqueue(
        to=user.email,
        user=user,
        kind="event-invitation",
        template="event-invitation",
        idempotency_key=f"event-invitation:{event.pk}:{user.pk}",
        refs={"cohort": event.cohort_id, "event": event.pk},
        **_send_window(user),
        programme_name=event.cohort.programme.name,
        context=_event_context(event, user),
        attachments=[event_ics_file(event)],
    )


def send_event_reminder(*, event, user, occurrence):
    return email_enqueue(
        to=user.email,
        user=user,
        kind="event-reminder",
        template="event-reminder",
        idempotency_key=f"event-reminder:{event.pk}:{occurrence.isoformat()}:{user.pk}",
        refs={"cohort": event.cohort_id, "event": event.pk, "occurrence": occurrence.isoformat()},
        **_send_window(user),
        programme_name=event.cohort.programme.name,
        context={**_event_context(event, user), "occurrence": occurrence},
    )


def send_directory_message(*, message, reply_to_me: bool = True):
    """Relay a directory message. When the sender agreed, the recipient sees the sender's
    address and replying to the email reaches them (Reply-To); the sender never sees the
    recipient's."""
    recipient = message.recipient.user
    sender_email = message.sender.email if reply_to_me else ""
    return email_enqueue(
        to=recipient.email,
        user=recipient,
        kind="directory-message",
        template="directory-message",
        idempotency_key=f"directory-message:{message.pk}",
        programme_name=message.cohort.programme.name,
        reply_to=sender_email,
        context={
            "name": recipient.display_name,
            "sender_name": message.sender.display_name,
            "sender_email": sender_email,
            "cohort_name": message.cohort.name,
            "subject": message.subject,
            "body": message.body,
            "listing_url": absolute_reverse(
                "community:directory_listing", args=[message.cohort_id]
            ),
        },
    )
