"""The emails recruitment sends: one small function each, rendered through the outbox."""

from django.urls import reverse

from lib.urls import absolute_url
from notifications.kinds import register_kind
from notifications.services import email_enqueue

register_kind(
    "application-decision",
    essential=True,
    label="Decisions about your application",
    description="Whether you were accepted, waitlisted or declined.",
)
register_kind(
    "manager-signoff",
    essential=True,
    label="Line-manager sign-off requests",
    description="Sent to a line manager when someone asks them to approve an application.",
)
register_kind(
    "register-interest-confirm",
    essential=True,
    label="Confirming a change to your talent-pool entry",
    description="Sent when someone uses a programme's public form with your address.",
)
register_kind(
    "invitation",
    essential=True,
    label="Invitations",
    description="An invitation from a coordinator to join a cohort.",
)


def send_application_decision(enrolment):
    cohort = enrolment.cohort
    return email_enqueue(
        to=enrolment.user.email,
        user=enrolment.user,
        kind="application-decision",
        template="application-decision",
        idempotency_key=f"application-decision:{enrolment.pk}:{enrolment.status}",
        programme_name=cohort.programme.name,
        context={
            "name": enrolment.user.display_name,
            "status": enrolment.status,
            "status_label": enrolment.get_status_display().lower(),
            "role": enrolment.get_role_display().lower(),
            "cohort_name": cohort.name,
            "starts_on": cohort.starts_on,
            "url": absolute_url(reverse("recruitment:application", args=[enrolment.pk])),
        },
    )


def send_manager_signoff_request(enrolment, signoff_request, url: str):
    """One email per request (a request is a new row each time the address changes)."""
    cohort = enrolment.cohort
    project = getattr(enrolment, "project", None)
    return email_enqueue(
        to=signoff_request.email,
        kind="manager-signoff",
        template="manager-signoff",
        idempotency_key=f"manager-signoff:request:{signoff_request.pk}",
        programme_name=cohort.programme.name,
        context={
            "applicant": enrolment.user.display_name,
            "role": enrolment.get_role_display().lower(),
            "cohort_name": cohort.name,
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
            "project_title": project.title if project else "",
            "url": url,
        },
    )


def send_invitation(*, enrolment, invited_by, url: str, max_age_days: int):
    cohort = enrolment.cohort
    user = enrolment.user
    return email_enqueue(
        to=user.email,
        kind="invitation",
        template="invitation",
        context={
            "name": user.display_name,
            "programme_name": cohort.programme.name,
            "cohort_name": cohort.name,
            "role": enrolment.get_role_display().lower(),
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
            "invited_by": invited_by.display_name if invited_by else "",
            "needs_password": not user.is_active,
            "url": url,
            "max_age_days": max_age_days,
        },
        idempotency_key=f"invitation:{enrolment.pk}",
        user=user,
        programme_name=cohort.programme.name,
    )


def send_register_interest_confirmation(*, entry, url: str, key: str):
    """To the address of an existing talent-pool entry: confirm a change made on the public
    form. It carries nothing the form's user typed, only the link to see it."""
    return email_enqueue(
        to=entry.email,
        kind="register-interest-confirm",
        template="register-interest-confirm",
        idempotency_key=key,
        programme_name=entry.programme.name,
        context={"url": url},
    )
