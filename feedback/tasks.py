"""Periodic work for surveys, run by Celery beat."""

from celery import shared_task

from . import services


@shared_task(name="feedback.survey_invitations_create")
def survey_invitations_create() -> int:
    """Invite everyone whose survey is due today. Idempotent, so two beats are harmless."""
    services.survey_defaults_for_new_cohorts()
    return len(services.survey_invitations_create())
