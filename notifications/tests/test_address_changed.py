"""An optional email waiting for its send window (or a retry) when the person changes their
address goes to the new address, not the old one: the old one may be a mailbox they left behind
with their last department. Essential emails go where they were written to (a confirmation
link to the address being confirmed)."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail

from notifications import services
from notifications.models import Email

pytestmark = pytest.mark.django_db

LATER = dt.datetime(2030, 1, 2, 10, tzinfo=dt.UTC)


def _held(person, kind, key):
    return services.email_enqueue(
        to=person.email,
        user=person,
        kind=kind,
        template="account",
        context={"subject": "Hi", "body_text": "Body"},
        idempotency_key=key,
        send_after=LATER,
    )


def _move(person, address):
    person.email = address
    person.save(update_fields=["email"])


def test_a_held_optional_email_goes_to_the_address_the_person_has_now(digest_kind):
    person = get_user_model().objects.create(email="old@dept-a.gov.uk")
    digest = _held(person, digest_kind, "digest")
    _move(person, "new@dept-b.gov.uk")
    with time_machine.travel(LATER, tick=False):
        assert services.email_deliver(email_id=digest.pk) == "sent"
    assert [m.to for m in mail.outbox] == [["new@dept-b.gov.uk"]]
    assert Email.objects.get(pk=digest.pk).to == "new@dept-b.gov.uk"


def test_the_same_address_in_other_letters_is_not_a_change(digest_kind):
    person = get_user_model().objects.create(email="Same@Dept.gov.uk")
    digest = _held(person, digest_kind, "digest")
    _move(person, "same@dept.gov.uk")
    with time_machine.travel(LATER, tick=False):
        assert services.email_deliver(email_id=digest.pk) == "sent"
    assert Email.objects.get(pk=digest.pk).to == "Same@Dept.gov.uk"


def test_an_essential_email_goes_to_the_address_it_was_written_to(digest_kind):
    person = get_user_model().objects.create(email="old@dept-a.gov.uk")
    confirmation = services.email_enqueue(
        to="being-confirmed@dept-b.gov.uk",
        user=person,
        kind="account",
        template="account",
        context={"subject": "Confirm", "body_text": "Body"},
        idempotency_key="confirm",
        send_after=LATER,
    )
    _move(person, "new@dept-c.gov.uk")
    with time_machine.travel(LATER, tick=False):
        assert services.email_deliver(email_id=confirmation.pk) == "sent"
    assert [m.to for m in mail.outbox] == [["being-confirmed@dept-b.gov.uk"]]


def test_a_new_address_reported_undeliverable_stops_the_optional_email(digest_kind):
    person = get_user_model().objects.create(email="old@dept-a.gov.uk")
    digest = _held(person, digest_kind, "digest")
    services.address_undeliverable_mark(address="bounces@dept-b.gov.uk")
    _move(person, "Bounces@dept-b.gov.uk")
    with time_machine.travel(LATER, tick=False):
        assert services.email_deliver(email_id=digest.pk) == "cancelled"
    row = Email.objects.get(pk=digest.pk)
    assert row.to == "old@dept-a.gov.uk"
    assert row.last_error == f"Not sent: {services.UNDELIVERABLE_REASON}"
    assert mail.outbox == []


def test_a_batch_reads_the_new_address_too(digest_kind):
    people = [get_user_model().objects.create(email=f"p{i}@dept-a.gov.uk") for i in range(3)]
    rows = [_held(p, digest_kind, f"digest-{p.pk}") for p in people]
    _move(people[1], "p1@dept-b.gov.uk")
    with time_machine.travel(LATER, tick=False):
        assert services.email_deliver_many(email_ids=[r.pk for r in rows]) == ["sent"] * 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "p0@dept-a.gov.uk",
        "p1@dept-b.gov.uk",
        "p2@dept-a.gov.uk",
    ]
