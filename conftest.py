"""Shared fixtures: the personas every access test uses, built by ``mentorship.testing``.

- ``coordinator`` coordinates ``programme``; ``mentor`` and ``mentee`` are enrolled in its
  ``cohort``; ``outsider`` has an account and nothing else.
- ``other_programme`` belongs to someone else entirely.

Helpers a test imports (``service_reachable``, ``skip_or_fail``, ``answered_response``) live in
``mentorship/testing.py``, not here.
"""

import pytest

from mentorship import testing


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
    # Dashboards compute their figures on every request in tests (insights/cache.py keeps
    # them five minutes in production); insights/tests/test_cache.py turns the cache on.
    settings.INSIGHTS_CACHE_SECONDS = 0
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
    return testing.make_coordinator()


@pytest.fixture
def programme(coordinator):
    return testing.make_programme(coordinator)


@pytest.fixture
def cohort(programme):
    return testing.make_cohort(programme)


@pytest.fixture
def past_cohort(programme):
    return testing.make_past_cohort(programme)


@pytest.fixture
def mentor(cohort):
    return testing.make_mentor(cohort)


@pytest.fixture
def mentee(cohort):
    return testing.make_mentee(cohort)


@pytest.fixture
def outsider(db):
    return testing.make_outsider()


@pytest.fixture
def staff(db):
    return testing.make_staff()


@pytest.fixture
def other_programme(db):
    return testing.make_other_programme()


@pytest.fixture
def other_cohort(other_programme):
    return testing.make_other_cohort(other_programme)


@pytest.fixture
def validations(monkeypatch):
    """Records each ``full_clean`` run on the models named, for the "validated once" tests (a
    form builds no model; its service validates it: docs/architecture.md, "forms").

    seen = validations({Profile: ("organisation",), Cohort: ()})
    ... post the form ...
    assert seen == [("Profile", "DfE")]  # the model's name, then the fields' values then
    """
    seen = []

    def watch(fields_by_model: dict) -> list:
        for model, fields in fields_by_model.items():
            real = model.full_clean

            def counted(self, *args, _real=real, _fields=tuple(fields), **kwargs):
                seen.append((type(self).__name__, *(getattr(self, f) for f in _fields)))
                return _real(self, *args, **kwargs)

            monkeypatch.setattr(model, "full_clean", counted)
        return seen

    return watch
