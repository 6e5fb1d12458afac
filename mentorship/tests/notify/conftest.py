"""The Notify tests cross apps (people's factories, feedback's survey answers, the cohort page),
so they live above every app; they use the outbox's own test fixtures."""

from notifications.tests.conftest import (  # noqa: F401  (fixtures)
    broker_breaker_closed,
    digest_kind,
    eager_celery,
    enqueue,
    flaky,
)
