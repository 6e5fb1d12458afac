"""An address reported undeliverable stops the optional emails already waiting for it (held for
the recipient's send window, or retrying), not only those written afterwards, as an opt-out does.
Essential emails to it still go."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from notifications import services
from notifications.models import Email

from .test_send_after import _request

pytestmark = pytest.mark.django_db


def test_marking_an_address_undeliverable_cancels_its_optional_emails_still_waiting(digest_kind):
    person = get_user_model().objects.create(email="Gone@Example.gov.uk")
    later = timezone.now() + timedelta(hours=10)  # held until the morning
    with mock.patch("notifications.tasks.email_send.apply_async"):
        digest = services.email_enqueue(
            **_request("digest", kind=digest_kind, user=person, to=person.email), send_after=later
        )
        account = services.email_enqueue(
            **_request("account", user=person, to=person.email), send_after=later
        )
        other = services.email_enqueue(
            **_request("other", kind=digest_kind, to="someone-else@example.gov.uk"),
            send_after=later,
        )
    services.address_undeliverable_mark(address="gone@example.gov.uk")
    digest.refresh_from_db()
    assert digest.status == Email.Status.CANCELLED
    assert digest.last_error == (
        "Not sent: GOV.UK Notify reported this address as undeliverable; optional emails stop "
        "until the person changes or confirms it."
    )
    # Essential ones still go; another address is untouched.
    assert Email.objects.get(pk=account.pk).status == Email.Status.PENDING
    assert Email.objects.get(pk=other.pk).status == Email.Status.PENDING
    # The worker's claim finds nothing to send.
    assert services.email_deliver(email_id=digest.pk) == "skipped"
    # A new optional email to it is written cancelled with the same words.
    with mock.patch("notifications.tasks.email_send.apply_async"):
        again = services.email_enqueue(
            **_request("digest-2", kind=digest_kind, user=person, to=person.email)
        )
    assert (again.status, again.last_error) == (Email.Status.CANCELLED, digest.last_error)
