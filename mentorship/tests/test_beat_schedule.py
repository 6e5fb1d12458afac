"""The beat schedule: every periodic task it names exists, is registered with Celery, and runs
without error on an empty database and on the demo (a task renamed in its app but not in
settings would otherwise fail silently, once an hour, forever)."""

import pytest
from django.conf import settings
from django.core.management import call_command

from mentorship.celery import app

pytestmark = pytest.mark.django_db(transaction=False)

SCHEDULE = sorted(settings.CELERY_BEAT_SCHEDULE.items())


def test_the_schedule_names_tasks():
    assert len(SCHEDULE) >= 5
    for name, entry in SCHEDULE:
        assert entry["task"], name
        assert float(entry["schedule"]) > 0, name


@pytest.mark.parametrize(("entry_name", "entry"), SCHEDULE, ids=[n for n, _ in SCHEDULE])
def test_every_scheduled_task_is_registered_with_celery(entry_name, entry):
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks, f"{entry_name}: {entry['task']} is not a registered task"


def _run_every_task():
    app.loader.import_default_modules()
    for name, entry in SCHEDULE:
        result = app.tasks[entry["task"]].apply()
        assert result.successful(), f"{name} failed: {result.traceback}"


def test_every_scheduled_task_runs_on_an_empty_database():
    _run_every_task()


@pytest.mark.slow
def test_every_scheduled_task_runs_on_the_demo_and_again_without_doing_anything_twice():
    from notifications.models import Email

    call_command("seed_demo")
    _run_every_task()
    emails = Email.objects.count()
    _run_every_task()
    # Periodic tasks are idempotent: two beats (or a beat restarted) never send twice.
    assert Email.objects.count() == emails
