"""A task really travels through a broker to a real worker (no eager mode)."""

import os
import uuid

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from mentorship.testing import service_reachable, skip_or_fail

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _app(broker_url: str, transport_options: dict) -> Celery:
    """The project's Celery configuration, pointed at a broker this test owns."""
    app = Celery("mentorship-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(
        broker_url=broker_url,
        broker_transport_options=transport_options,
        result_backend="cache+memory://",
        task_always_eager=False,
        task_default_queue=f"test-{uuid.uuid4().hex}",
    )

    name = f"mentorship.test_ping.{uuid.uuid4().hex}"  # one per app: tasks share a registry

    @app.task(name=name)
    def ping(value="pong"):
        return value

    app.conf.ping_task_name = name
    return app


def _round_trip(app: Celery) -> str:
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        return app.tasks[app.conf.ping_task_name].delay("hello through the broker").get(timeout=30)


def test_task_runs_through_the_embedded_file_broker(tmp_path, settings):
    assert settings.CELERY_BROKER_URL.startswith("filesystem://") or "DATABASE_URL" in os.environ
    folder = tmp_path / "queue"
    folder.mkdir()
    app = _app(
        "filesystem://",
        {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "processed_folder": str(tmp_path),
            "control_folder": str(tmp_path / "control"),
        },
    )
    assert _round_trip(app) == "hello through the broker"


@pytest.mark.services
def test_task_runs_through_redis():
    if not service_reachable(REDIS_URL, 6379):
        skip_or_fail(f"Redis is not reachable at {REDIS_URL}")
    app = _app(REDIS_URL, {"visibility_timeout": 3600})
    assert _round_trip(app) == "hello through the broker"


def test_project_celery_settings_favour_at_least_once_delivery(settings):
    from mentorship.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
