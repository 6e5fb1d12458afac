"""The Notify path end to end with a real Celery worker (no eager mode): rows travel through a
broker to a worker that sends them with the real client to the Notify stand-in, which answers
429s and 5xx part of the time, loses answers, and sees a worker "die" after Notify accepted a
message. Counted at the stand-in: every row accepted exactly once.

The SIGKILL of whole worker processes runs in ``make test-reliability``
(bench/notify_reliability.py); here the state such a kill leaves behind (a row stuck
in *sending* that Notify already accepted) is set up directly and recovered by the sweeper.
"""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError, close_old_connections, transaction
from django.utils import timezone

from notifications import notify, services
from notifications.kinds import register_kind
from notifications.models import Email
from notifications.tests.notify_standin import NotifyStandin

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker_app(tmp_path, settings):
    """The project's Celery configuration on a file broker this test owns, as the current app
    (so the outbox's on-commit queueing publishes to it), with a real worker thread."""
    from mentorship.celery import app as project_app

    folder = tmp_path / "queue"
    folder.mkdir()
    app = Celery("notify-worker-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url="filesystem://",
        broker_transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "processed_folder": str(tmp_path),
            "control_folder": str(tmp_path / "control"),
        },
        result_backend="cache+memory://",
        task_always_eager=False,
        task_default_queue=f"test-{uuid.uuid4().hex}",
        broker_connection_retry_on_startup=True,
    )
    import notifications.tasks  # noqa: F401  (its shared tasks join every app on finalize)

    assert "notifications.email_send" in app.tasks  # finalizes the app before the worker starts
    app.set_current()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield app
    finally:
        project_app.set_current()


@pytest.fixture
def standin(settings):
    server = NotifyStandin().start()
    settings.NOTIFY_API_KEY = server.api_key
    settings.NOTIFY_TEMPLATE_ID = server.template_id
    settings.NOTIFY_BASE_URL = server.base_url
    settings.OUTBOX_RETRY_BASE_SECONDS = 1
    settings.OUTBOX_RETRY_CAP_SECONDS = 1
    settings.OUTBOX_MAX_ATTEMPTS = 50
    settings.OUTBOX_REQUEUE_GRACE_SECONDS = 1
    settings.OUTBOX_SENDING_TIMEOUT_SECONDS = 2
    notify._local.__dict__.clear()
    register_kind("reliability", essential=True, label="Reliability test")
    yield server
    server.stop()


def _enqueue(name, n):
    ids = []
    with transaction.atomic():
        for i in range(n):
            ids.append(
                services.email_enqueue(
                    to=f"person{i}@example.gov.uk",
                    kind="reliability",
                    template="account",
                    context={"subject": f"{name} {i}", "body_text": f"Message {i}."},
                    idempotency_key=f"{name}:{i}",
                ).pk
            )
    return ids


def _drain(ids, timeout=90):
    """Run the sweeper (as beat would) until every row is sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            services.email_sweep()
            if not Email.objects.filter(pk__in=ids).exclude(status="sent").exists():
                return True
        except OperationalError:
            # The test database is SQLite in memory, shared with the worker thread through a
            # shared cache, which locks whole tables: try again (a worker that met the lock
            # left its row pending or sending, and the sweeper recovers it).
            pass
        finally:
            close_old_connections()
        time.sleep(0.5)
    return False


def test_no_email_lost_or_duplicated_under_429s_5xx_and_lost_answers(worker_app, standin):
    # Faults spread over the run: 429s, 500s and 503s answered to some requests, two answers
    # lost after Notify accepted, and a 3-second outage part-way.
    standin.script(429, 500, 201, 503, 429, 201, 502, 429)
    standin.accept_then_fail = 2
    stop = threading.Event()

    def outage_later():
        if not stop.wait(1.0):
            standin.outage(503, 3.0)

    threading.Thread(target=outage_later, daemon=True).start()
    ids = _enqueue("faults", 40)
    try:
        assert _drain(ids), Email.objects.exclude(status="sent").values_list("status", "last_error")
    finally:
        stop.set()
    keys = [f"faults:{i}" for i in range(40)]
    counts = [standin.accepted[k] for k in keys]
    assert counts.count(0) == 0, "lost"
    assert max(counts) == 1, "duplicated"
    assert standin.answers[429] >= 3 and standin.answers[500] >= 3
    rows = Email.objects.filter(pk__in=ids)
    assert all(r.provider_id in standin.notifications for r in rows)


def test_a_worker_lost_after_notify_accepted_sends_nothing_twice(worker_app, standin):
    """The state a SIGKILL leaves between Notify's 201 and the UPDATE to sent: the row stuck in
    sending, the notification made. The sweeper takes the row back; the next attempt finds the
    notification by reference and only marks the row sent."""
    services._broker_down_until = float("inf")  # the row without its own task
    try:
        [pk] = _enqueue("killed", 1)
    finally:
        services._broker_down_until = 0.0
    email = Email.objects.get(pk=pk)
    Email.objects.filter(pk=pk).update(
        status="sending", attempts=1, claimed_at=timezone.now() - timedelta(seconds=10)
    )
    email.attempts = 1
    notify.notify_send(email)  # Notify accepted it; then the worker died
    assert _drain([pk])
    assert standin.accepted["killed:0"] == 1
    assert standin.answers[201] == 1
