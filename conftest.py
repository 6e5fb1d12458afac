"""Shared fixtures: the personas every access test uses.

- ``coordinator`` coordinates ``programme``; ``mentor`` and ``mentee`` are enrolled in its
  ``cohort``; ``outsider`` has an account and nothing else.
- ``other_programme`` belongs to someone else entirely.
"""

import os
import socket
from urllib.parse import urlparse

import pytest

from people.tests.factories import UserFactory
from programmes.tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory


@pytest.fixture(autouse=True)
def _local_dirs(settings, tmp_path):
    # Mail files and broker folders of a test never land in the developer's var/.
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    # Each test its own (file) cache: rate-limit counters never leak between tests or runs.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    # Real hashing costs a third of a second a user; tests do not need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_inline():
    """Tasks queued by a test run in the test, never land in the developer's var/broker/.

    Tests that prove delivery through a real broker and worker build their own Celery app.
    """
    from mentorship.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def coordinator(db):
    return UserFactory(email="coordinator@example.gov.uk", full_name="Cora Coordinator")


@pytest.fixture
def programme(coordinator):
    return ProgrammeFactory(name="Data Science Accelerator", coordinators=[coordinator])


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Spring 2027")


@pytest.fixture
def mentor(cohort):
    user = UserFactory(email="mentor@example.gov.uk", full_name="Morgan Mentor")
    EnrolmentFactory(user=user, cohort=cohort, role="mentor", capacity=2)
    return user


@pytest.fixture
def mentee(cohort):
    user = UserFactory(email="mentee@example.gov.uk", full_name="Mina Mentee")
    EnrolmentFactory(user=user, cohort=cohort, role="mentee")
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.gov.uk", full_name="Otto Outsider")


@pytest.fixture
def staff(db):
    return UserFactory(email="admin@example.gov.uk", is_staff=True, is_superuser=True)


@pytest.fixture
def other_programme(db):
    other = UserFactory(email="other.coordinator@example.gov.uk")
    return ProgrammeFactory(name="Policy Profession Mentoring", coordinators=[other])


@pytest.fixture
def other_cohort(other_programme):
    return CohortFactory(programme=other_programme, name="Other cohort")


def service_reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def skip_or_fail(reason: str):
    """Skip a test whose service is missing, or fail it when CI requires every service."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)
