"""email_enqueue(send_after=...) holds an email back; email_enqueue_many writes many at once."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import Email

pytestmark = pytest.mark.django_db

APPLY_ASYNC = "notifications.tasks.email_send.apply_async"


def _request(key, **kw):
    return {
        "to": "mentee@example.gov.uk",
        "kind": "account",
        "template": "account",
        "context": {"subject": "Hi", "body_text": "Body"},
        "idempotency_key": key,
        "user": None,
        **kw,
    }


def test_send_after_sets_next_attempt_and_is_not_queued_until_due(
    django_capture_on_commit_callbacks,
):
    later = timezone.now() + timedelta(hours=5)
    with mock.patch(APPLY_ASYNC) as apply_async, django_capture_on_commit_callbacks(execute=True):
        email = services.email_enqueue(**_request("held"), send_after=later)
    apply_async.assert_not_called()
    assert email.next_attempt_at == later
    assert services.email_deliver(email_id=email.pk) == "skipped"
    with time_machine.travel(later + timedelta(minutes=2)):
        assert services.email_sweep()["queued"] == 1  # eager: the sweeper's queueing sends it
    assert Email.objects.get(pk=email.pk).status == Email.Status.SENT
    assert len(mail.outbox) == 1


def test_enqueue_many_skips_existing_keys_and_honours_preferences(
    django_assert_max_num_queries, digest_kind, preference
):
    person = get_user_model().objects.create(email="p@example.gov.uk")  # the outbox is below people
    preference(person, digest_kind)
    services.email_enqueue(**_request("k0"))
    requests = [_request(f"k{i}") for i in range(40)]
    requests.append(_request("opted-out", kind=digest_kind, user=person, to=person.email))
    with django_assert_max_num_queries(6):
        created = services.email_enqueue_many(requests)
    assert len(created) == 40  # k0 existed
    assert Email.objects.count() == 41
    opted = Email.objects.get(idempotency_key="opted-out")
    assert opted.status == Email.Status.CANCELLED
    assert opted.headers["List-Unsubscribe"].startswith("<http")
    assert services.email_enqueue_many(requests) == []


def test_enqueue_many_reports_a_racing_writers_row_and_returns_whole_rows():
    """A key written by someone else between the look-up and the insert is skipped by the insert
    and reported as the other writer's row; the rows returned are saved, with their ids."""
    services.email_enqueue(**_request("race"))
    theirs = Email.objects.get(idempotency_key="race")
    real_filter = Email.objects.filter
    calls = []

    def blind_filter(*args, **kwargs):  # the first look-up (of taken keys) misses "race"
        calls.append(kwargs)
        if len(calls) == 1:
            kwargs["idempotency_key__in"] = [
                k for k in kwargs["idempotency_key__in"] if k != "race"
            ]
        return real_filter(*args, **kwargs)

    with mock.patch.object(Email.objects, "filter", blind_filter):
        created = services.email_enqueue_many([_request("race"), _request("new")])
    by_key = {e.idempotency_key: e for e in created}
    assert by_key["race"].pk == theirs.pk
    fresh = Email.objects.get(idempotency_key="new")
    assert by_key["new"].pk == fresh.pk and not by_key["new"]._state.adding
    assert by_key["new"].subject == fresh.subject and by_key["new"].created_at == fresh.created_at
    assert Email.objects.count() == 2
