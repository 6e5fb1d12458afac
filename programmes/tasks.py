"""Periodic tasks of programmes."""

from celery import shared_task

from .retention import retention_anonymise


@shared_task(name="programmes.retention_anonymise")
def retention_anonymise_task() -> int:
    """Daily from beat: anonymise people whose cohorts finished RETENTION_MONTHS ago."""
    return retention_anonymise()
