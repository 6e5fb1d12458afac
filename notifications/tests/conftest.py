import pytest
from celery import current_app

from notifications import services
from notifications.kinds import KINDS, register_kind
from notifications.tests.backends import FlakyBackend
from notifications.tests.factories import EmailPreferenceFactory


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks queued on commit run inline, so a test sees their effect in mail.outbox."""
    conf = current_app.conf
    before = conf.task_always_eager
    conf.task_always_eager = True
    yield
    conf.task_always_eager = before


@pytest.fixture(autouse=True)
def broker_breaker_closed():
    services._broker_down_until = 0.0
    yield
    services._broker_down_until = 0.0


@pytest.fixture(autouse=True)
def digest_kind():
    """An optional kind for the tests; the real ones belong to the other apps."""
    register_kind("test-digest", essential=False, label="Test digests")
    yield "test-digest"
    KINDS.pop("test-digest", None)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.FlakyBackend"
    FlakyBackend.failures = []
    FlakyBackend.calls = 0
    yield FlakyBackend
    FlakyBackend.failures = []


@pytest.fixture
def enqueue(django_capture_on_commit_callbacks):
    """email_enqueue with the account templates, committing (and so sending) at once."""
    from notifications.services import email_enqueue

    def _enqueue(*, key="key-1", to="mentee@example.gov.uk", kind="account", user=None, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return email_enqueue(
                to=to,
                kind=kind,
                template="account",
                context={"subject": "Hello & welcome", "body_text": "Line <one>\nhttps://x.test/a"},
                verbatim=("subject", "body_text"),  # as the account adapter passes allauth's text
                idempotency_key=key,
                user=user,
                **kw,
            )

    return _enqueue


@pytest.fixture
def preference():
    """Set one person's choice for one kind (off unless ``enabled=True``)."""

    def _preference(user, kind="test-digest", *, enabled=False):
        return EmailPreferenceFactory(user=user, kind=kind, enabled=enabled)

    return _preference
