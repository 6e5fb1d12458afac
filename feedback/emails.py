"""The emails surveys send: one small function each, rendered through the outbox."""

from django.conf import settings
from django.utils import timezone

from lib.urls import absolute_reverse
from notifications.kinds import register_kind
from notifications.services import email_enqueue
from notifications.windows import bank_holidays, next_send_time

register_kind(
    "survey-invitation",
    essential=False,
    label="Survey invitations",
    description="Short surveys about your programme and your mentoring relationship.",
)


def _time_zone(user) -> str:
    profile = getattr(user, "profile", None)
    return (profile.time_zone if profile is not None else "") or settings.TIME_ZONE


def _send_after(user):
    """The start of the person's next send window (working hours in their time zone, on a UK
    working day), or None when windows are off for a local demo."""
    if getattr(settings, "RHYTHM_IGNORE_SEND_WINDOWS", False):
        return None
    return next_send_time(timezone.now(), _time_zone(user), bank_holidays())


def _send_window(user) -> dict:
    """The outbox row's window, so a retry keeps to it too (none for a local demo)."""
    if getattr(settings, "RHYTHM_IGNORE_SEND_WINDOWS", False):
        return {}
    return {"time_zone": _time_zone(user), "holidays": "england-and-wales"}


def send_survey_invitation(invitation):
    schedule = invitation.schedule
    template = schedule.template
    cohort = schedule.cohort
    return email_enqueue(
        to=invitation.user.email,
        user=invitation.user,
        kind="survey-invitation",
        template="survey-invitation",
        idempotency_key=f"survey-invitation:{invitation.pk}",
        send_after=_send_after(invitation.user),
        refs={"cohort": cohort.pk, "invitation": invitation.pk},
        **_send_window(invitation.user),
        programme_name=cohort.programme.name,
        context={
            "name": invitation.user.display_name,
            "survey_name": template.name,
            "description": template.description,
            "anonymous": template.anonymous,
            "cohort_name": cohort.name,
            # A mentor with two mentees gets one invitation per pair: each says which.
            "about_pair_with": invitation.about_pair_with,
            "closes_on": invitation.closes_on,
            "url": absolute_reverse("feedback:answer", args=[invitation.token]),
        },
    )
