from celery import shared_task

from . import services


@shared_task(name="pairing.match_run", acks_late=True)
def match_run_task(run_id: int) -> None:
    """Solve a large pairing run in a worker; a second delivery finds it claimed and stops."""
    services.match_run_execute(run_id=run_id)
