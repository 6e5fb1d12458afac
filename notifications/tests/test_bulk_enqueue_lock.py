"""A bulk enqueue holds the write transaction for its INSERT only, so delivery goes on beside it.

On SQLite (the embedded default) a transaction holds the database's one write lock from its
start, and a delivery worker waiting for it sleeps in steps of up to 100 ms: when the emails were
rendered inside back-to-back transactions, no email was delivered until the enqueue ended.
Rendering now comes first, outside any transaction; what decides a row's status is read inside,
so an opt-out committed while the batch renders is still honoured.
"""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from notifications import services
from notifications.models import Email

from .test_send_after import _request

pytestmark = pytest.mark.django_db(transaction=True)  # no test transaction around the enqueue


def test_emails_are_rendered_outside_the_write_transaction_and_inserted_inside_it():
    seen = []
    real_row, real_insert = services._email_row, services._insert_ignoring_conflicts

    def row(**kwargs):
        seen.append(("render", connection.in_atomic_block))
        return real_row(**kwargs)

    def insert(rows):
        seen.append(("insert", connection.in_atomic_block))
        return real_insert(rows)

    with (
        mock.patch.object(services, "_email_row", row),
        mock.patch.object(services, "_insert_ignoring_conflicts", insert),
        mock.patch("notifications.tasks.email_send.apply_async") as one,
        mock.patch("notifications.tasks.email_send_batch.apply_async") as many,
    ):
        created = services.email_enqueue_many([_request(f"k{i}") for i in range(5)], batch_size=2)
    assert len(created) == 5 and Email.objects.count() == 5
    assert seen == [
        ("render", False),
        ("render", False),
        ("insert", True),
        ("render", False),
        ("render", False),
        ("insert", True),
        ("render", False),
        ("insert", True),
    ]
    # One broker message per committed batch: two of two emails, one of one.
    assert (many.call_count, one.call_count) == (2, 1)


def test_an_opt_out_committed_while_the_batch_renders_cancels_its_row(digest_kind):
    person = get_user_model().objects.create(email="p@example.gov.uk")
    real_row = services._email_row

    def row(**kwargs):
        if kwargs["idempotency_key"] == "digest":
            # The person turns the kind off on their settings page, committed at once.
            services.email_preference_set(user=person, kind=digest_kind, enabled=False)
        return real_row(**kwargs)

    requests = [
        _request("digest", kind=digest_kind, user=person, to=person.email),
        _request("account", user=person, to=person.email),
    ]
    with (
        mock.patch.object(services, "_email_row", row),
        mock.patch("notifications.tasks.email_send.apply_async") as apply_async,
    ):
        services.email_enqueue_many(requests)
    digest = Email.objects.get(idempotency_key="digest")
    assert digest.status == Email.Status.CANCELLED
    assert digest.last_error == f"Not sent: the person turned off '{digest_kind}' emails."
    assert Email.objects.get(idempotency_key="account").status == Email.Status.PENDING
    account = Email.objects.get(idempotency_key="account")
    assert [call.kwargs["args"] for call in apply_async.call_args_list] == [(account.pk,)]
