"""Periodic work of the programme rhythm, run by Celery beat."""

from celery import shared_task

from . import services


@shared_task(name="rhythm.run_all", ignore_result=True)
def rhythm_run_all() -> dict:
    """Run every rule for today and queue what is due. Idempotent: two beats send nothing twice."""
    return services.rhythm_run()
