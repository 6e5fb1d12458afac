"""The emails surveys send: one small function each, rendered through the outbox."""

from django.conf import settings
from django.urls import reverse

from notifications.kinds import register_kind
from notifications.services import email_enqueue

register_kind(
    "survey-invitation",
    essential=False,
    label="Survey invitations",
    description="Short surveys about your programme and your mentoring relationship.",
)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


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
        programme_name=cohort.programme.name,
        context={
            "name": invitation.user.display_name,
            "survey_name": template.name,
            "description": template.description,
            "anonymous": template.anonymous,
            "cohort_name": cohort.name,
            "closes_on": invitation.closes_on,
            "url": _absolute(reverse("feedback:answer", args=[invitation.token])),
        },
    )
