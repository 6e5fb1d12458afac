"""Periodic work for community events, run by Celery beat."""

from celery import shared_task

from . import services


@shared_task(name="community.event_reminders_send")
def event_reminders_send() -> int:
    """Remind people of tomorrow's stand-ups and sessions. Idempotent per occurrence per
    person, so beat may run it hourly (and two beats are harmless)."""
    return services.event_reminders_send()
