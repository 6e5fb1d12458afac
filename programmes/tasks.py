"""Periodic tasks of programmes."""

from celery import shared_task

from .retention import retention_anonymise


@shared_task(name="programmes.retention_anonymise")
def retention_anonymise_task() -> int:
    """Daily from beat: retention per cohort (programmes/retention.py): the free text of cohorts
    that finished RETENTION_MONTHS ago is deleted and their people's links anonymised."""
    return retention_anonymise()
