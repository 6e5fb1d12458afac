"""The outbox asks "still wanted?" when it claims a row (notifications/wanted.py), and keeps
retries and late claims inside the recipient's send window."""

import datetime as dt
import smtplib
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from notifications import services
from notifications.models import Email
from notifications.wanted import register_check, unregister_check

pytestmark = pytest.mark.django_db

# Thursday 24 December 2026, 16:59 in London: the last minute of the last window before
# Christmas Day (Friday), the weekend and Boxing Day's substitute (Monday 28).
CHRISTMAS_EVE = dt.datetime(2026, 12, 24, 16, 59, tzinfo=dt.UTC)
TUESDAY_29 = dt.datetime(2026, 12, 29, 9, 0, tzinfo=dt.UTC)


def _enqueue(key="k", **kw):
    return services.email_enqueue(
        to="mentee@example.gov.uk",
        kind=kw.pop("kind", "account"),
        template="account",
        context={"subject": "Hi", "body_text": "Body"},
        idempotency_key=key,
        **kw,
    )


def test_a_retry_never_falls_outside_the_window_nor_on_a_bank_holiday(flaky):
    with time_machine.travel(CHRISTMAS_EVE, tick=False):
        email = _enqueue(time_zone="Europe/London", holidays="england-and-wales")
        flaky.failures = [smtplib.SMTPResponseException(421, b"Try later")]
        assert services.email_deliver(email_id=email.pk) == "retry"
    email.refresh_from_db()
    # The first retry, 30 s later, is still inside the window; the second is not.
    assert email.next_attempt_at == CHRISTMAS_EVE + dt.timedelta(seconds=30)
    with time_machine.travel(CHRISTMAS_EVE + dt.timedelta(seconds=45), tick=False):
        flaky.failures = [smtplib.SMTPResponseException(421, b"Try later")]
        assert services.email_deliver(email_id=email.pk) == "retry"
    email.refresh_from_db()
    assert email.next_attempt_at == TUESDAY_29  # not 17:00:45 on Christmas Eve
    assert email.last_error.startswith("Attempt 2, retrying at 2026-12-29 09:00 UTC (send window).")
    assert mail.outbox == []


def test_a_row_claimed_outside_its_window_waits_without_using_an_attempt(flaky):
    """A row the sweeper took back from a dead worker is due at once, whatever the hour."""
    late = dt.datetime(2026, 12, 24, 20, 0, tzinfo=dt.UTC)
    with time_machine.travel(late, tick=False):
        email = _enqueue(time_zone="Europe/London")
        assert services.email_deliver(email_id=email.pk) == "held"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == ("pending", 0, TUESDAY_29)
    with time_machine.travel(TUESDAY_29, tick=False):
        assert services.email_deliver(email_id=email.pk) == "sent"
    assert len(mail.outbox) == 1


def test_a_row_without_a_window_is_sent_at_any_hour():
    with time_machine.travel(dt.datetime(2026, 12, 25, 3, 0, tzinfo=dt.UTC), tick=False):
        email = _enqueue()  # an account email: no window
        assert services.email_deliver(email_id=email.pk) == "sent"


def test_a_registered_check_cancels_at_claim_time_with_its_reason():
    def not_wanted(email):
        return "the thing it was about is done." if email.refs.get("thing") == 7 else None

    register_check("account", not_wanted)
    try:
        wanted = _enqueue("a", refs={"thing": 6})
        unwanted = _enqueue("b", refs={"thing": 7})
        assert services.email_deliver(email_id=wanted.pk) == "sent"
        assert services.email_deliver(email_id=unwanted.pk) == "cancelled"
        # Claimed again (a duplicate task): nothing happens twice.
        assert services.email_deliver(email_id=unwanted.pk) == "skipped"
    finally:
        unregister_check("account", not_wanted)
    unwanted.refresh_from_db()
    assert unwanted.status == "cancelled"
    assert unwanted.last_error == "Not sent: the thing it was about is done."
    assert len(mail.outbox) == 1
    out = StringIO()
    call_command("outbox", stdout=out)
    assert "Not sent: the thing it was about is done." in out.getvalue()


def test_recheck_cancels_pending_rows_about_what_changed_and_leaves_the_rest():
    done = set()

    def check(email):
        return "done." if email.refs.get("thing") in done else None

    register_check("account", check)
    try:
        later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
        a = _enqueue("a", refs={"thing": 1}, send_after=later)
        b = _enqueue("b", refs={"thing": 2}, send_after=later)
        done.add(1)
        assert services.email_recheck(refs={"thing": 1}) == 1
        assert services.email_recheck(refs={"thing": 2}) == 0
    finally:
        unregister_check("account", check)
    assert Email.objects.get(pk=a.pk).status == "cancelled"
    assert Email.objects.get(pk=b.pk).status == "pending"


def test_a_deactivated_account_and_an_opt_out_stop_a_held_email(digest_kind):
    person = get_user_model().objects.create(email="p@example.gov.uk")
    other = get_user_model().objects.create(email="q@example.gov.uk")
    later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    held = {}
    for user in (person, other):
        held[user.pk] = services.email_enqueue(
            to=user.email,
            user=user,
            kind=digest_kind,
            template="account",
            context={"subject": "Hi", "body_text": "Body"},
            idempotency_key=f"digest-{user.pk}",
            send_after=later,
        )
    # Opting out cancels the held row at once, not only when its time comes.
    services.email_preference_set(user=person, kind=digest_kind, enabled=False)
    assert Email.objects.get(pk=held[person.pk].pk).last_error == (
        f"Not sent: the person turned off '{digest_kind}' emails."
    )
    other.is_active = False
    other.save()
    with time_machine.travel(later, tick=False):
        assert services.email_deliver(email_id=held[other.pk].pk) == "cancelled"
    assert Email.objects.get(pk=held[other.pk].pk).last_error == (
        "Not sent: the account was deactivated or erased."
    )
    assert mail.outbox == []


def test_an_invited_account_not_yet_accepted_still_gets_its_invitation(digest_kind):
    """Invited people have an inactive account with no password until they accept: the
    invitation must not be cancelled as if the account were deactivated."""
    invited = get_user_model()(email="new@example.gov.uk", is_active=False)
    invited.set_unusable_password()
    invited.save()
    row = services.email_enqueue(
        to=invited.email,
        user=invited,
        kind="account",
        template="account",
        context={"subject": "You are invited", "body_text": "Choose a password"},
        idempotency_key="invite-new",
    )
    assert services.email_deliver(email_id=row.pk) == "sent"
    erased = get_user_model()(email="erased-9@invalid", is_active=False)
    erased.set_unusable_password()
    erased.save()
    row = services.email_enqueue(
        to="was@example.gov.uk",
        user=erased,
        kind="account",
        template="account",
        context={"subject": "Hi", "body_text": "Body"},
        idempotency_key="to-erased",
    )
    assert services.email_deliver(email_id=row.pk) == "cancelled"
