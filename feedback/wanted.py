""" "Still wanted?" check of survey emails (notifications/wanted.py): the invitation is still
unanswered and the survey still open. Registered for the survey invitation from
FeedbackConfig.ready(); the programme rhythm registers the same function for its survey
reminders. The row's ``refs`` carry ``{"invitation": <id>}``."""

from django.utils import timezone

from .models import SurveyInvitation


def invitation_still_open(email) -> str | None:
    invitation_id = (email.refs or {}).get("invitation")
    if not invitation_id:
        return None
    row = (
        SurveyInvitation.objects.filter(pk=invitation_id)
        .values_list("answered_at", "closes_on")
        .first()
    )
    if row is None:
        return "the survey invitation no longer exists."
    answered_at, closes_on = row
    if answered_at is not None:
        return "the survey was answered."
    if closes_on < timezone.localdate():
        return f"the survey closed on {closes_on:%d %B %Y}."
    return None


def register() -> None:
    from notifications.wanted import register_check

    register_check("survey-invitation", invitation_still_open)
