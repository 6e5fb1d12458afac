"""Celery tasks of the outbox. Each takes primary keys and calls a service.

The task never retries itself with a countdown: a temporary failure is recorded on the row
(``next_attempt_at``) and the sweeper queues it again when it is due, so no message waits in
Redis longer than its visibility timeout (which would deliver it twice).
"""

from celery import shared_task

from . import services


@shared_task(name="notifications.email_send", ignore_result=True)
def email_send(email_id: int) -> str:
    return services.email_deliver(email_id=email_id)


@shared_task(name="notifications.email_send_batch", ignore_result=True)
def email_send_batch(email_ids: list[int]) -> list[str]:
    """Several rows over one SMTP connection, each claimed as ``email_send`` claims its row."""
    return services.email_deliver_many(email_ids=email_ids)


@shared_task(name="notifications.email_sweep", ignore_result=True)
def email_sweep() -> dict:
    return services.email_sweep()
