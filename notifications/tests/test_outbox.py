import smtplib
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import services
from notifications.kinds import UnknownEmailKind
from notifications.models import Email
from notifications.tasks import email_send, email_sweep

pytestmark = pytest.mark.django_db

APPLY_ASYNC = "notifications.tasks.email_send.apply_async"


def _enqueue_uncommitted(key="k", kind="account", **kw):
    return services.email_enqueue(
        to="mentee@example.gov.uk",
        kind=kind,
        template="account",
        context={"subject": "Hi", "body_text": "Body"},
        idempotency_key=key,
        **kw,
    )


def test_enqueue_writes_one_row_and_queues_once_on_commit(django_capture_on_commit_callbacks):
    with (
        mock.patch(APPLY_ASYNC) as apply_async,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        email = _enqueue_uncommitted()
        assert apply_async.call_count == 0  # nothing before the commit
    assert Email.objects.count() == 1
    assert len(callbacks) == 1
    apply_async.assert_called_once_with(args=(email.pk,), retry=False)


def test_rolled_back_transaction_leaves_no_row_and_queues_nothing(
    django_capture_on_commit_callbacks,
):
    with (
        mock.patch(APPLY_ASYNC) as apply_async,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _enqueue_uncommitted()
        raise RuntimeError("the change that caused the email failed")
    assert Email.objects.count() == 0
    assert callbacks == []
    apply_async.assert_not_called()


def test_same_idempotency_key_twice_gives_one_row_untouched(enqueue):
    first = enqueue(key="application-accepted:7")
    second = services.email_enqueue(
        to="someone.else@example.gov.uk",
        kind="account",
        template="account",
        context={"subject": "Other", "body_text": "Other"},
        idempotency_key="application-accepted:7",
    )
    assert second.pk == first.pk
    assert second.to == "mentee@example.gov.uk"
    assert Email.objects.count() == 1
    assert len(mail.outbox) == 1


def test_unknown_kind_is_an_error(db):
    with pytest.raises(UnknownEmailKind):
        _enqueue_uncommitted(kind="no-such-kind")


def test_subject_text_and_html_are_rendered_and_sent(enqueue):
    email = enqueue(programme_name="Data Science Accelerator")
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    assert email.subject == "Hello & welcome"  # plain text: not HTML-escaped
    assert "Line <one>" in email.body_text
    assert "Data Science Accelerator" in email.body_text
    assert "Line &lt;one&gt;" in email.body_html
    assert 'href="https://x.test/a"' in email.body_html
    assert "Data Science Accelerator" in email.body_html
    [sent] = mail.outbox
    assert sent.subject == "Hello & welcome"
    assert sent.to == ["mentee@example.gov.uk"]
    assert "Line <one>" in sent.body
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html"
    assert "Data Science Accelerator" in html
    assert sent.extra_headers["Message-ID"].startswith(f"<outbox-{email.pk}.")


def test_attachments_are_sent(enqueue):
    ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    enqueue(attachments=[{"filename": "invite.ics", "content": ics, "mimetype": "text/calendar"}])
    [sent] = mail.outbox
    assert sent.attachments == [("invite.ics", ics, "text/calendar")]


def test_claim_prevents_a_second_send(enqueue):
    email = enqueue()
    assert email_send(email.pk) == "skipped"
    assert email_send.apply(args=(email.pk,)).get() == "skipped"
    assert len(mail.outbox) == 1


def test_a_row_claimed_by_another_worker_is_not_sent(django_capture_on_commit_callbacks):
    with mock.patch(APPLY_ASYNC):
        email = _enqueue_uncommitted()
    Email.objects.filter(pk=email.pk).update(status=Email.Status.SENDING)
    assert services.email_deliver(email_id=email.pk) == "skipped"
    assert mail.outbox == []


def test_broker_down_does_not_raise_or_lose_the_row(django_capture_on_commit_callbacks, caplog):
    with (
        mock.patch(APPLY_ASYNC, side_effect=OSError("Connection refused")) as apply_async,
    ):
        # Two transactions (the rows of one transaction go to the broker as one message).
        with django_capture_on_commit_callbacks(execute=True):
            email = _enqueue_uncommitted()
        with django_capture_on_commit_callbacks(execute=True):
            second = _enqueue_uncommitted(key="second")
    assert apply_async.call_count == 1  # the second does not wait for a broker known to be down
    email.refresh_from_db()
    assert email.status == second.status == Email.Status.PENDING
    assert "the sweeper will retry" in caplog.text


def test_sweeper_queues_rows_the_broker_missed_once_it_is_back(
    django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_REQUEUE_GRACE_SECONDS = 60
    with (
        mock.patch(APPLY_ASYNC, side_effect=OSError("Connection refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        email = _enqueue_uncommitted()
    services._broker_down_until = 0.0
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert services.email_sweep()["queued"] == 1
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert len(mail.outbox) == 1


def test_temporary_smtp_failure_backs_off_then_sends(enqueue, flaky, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    flaky.failures = [
        smtplib.SMTPDataError(451, b"4.3.0 Try again later"),
        ConnectionRefusedError("connection refused"),
    ]
    email = enqueue()
    email.refresh_from_db()
    assert email.status == Email.Status.PENDING
    assert email.attempts == 1
    assert "451" in email.last_error
    assert 29 <= (email.next_attempt_at - timezone.now()).total_seconds() <= 30
    assert email_send(email.pk) == "skipped"  # not due yet

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert email_send(email.pk) == "retry"
        email.refresh_from_db()
        assert email.attempts == 2
        # Exponential: 30 s, then 60 s.
        assert 59 <= (email.next_attempt_at - timezone.now()).total_seconds() <= 60
    with time_machine.travel(timezone.now() + timedelta(seconds=100)):
        assert email_send(email.pk) == "sent"
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert len(mail.outbox) == 1


def test_backoff_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_CAP_SECONDS = 600
    assert [services._backoff_seconds(n) for n in (1, 2, 3, 5, 20)] == [30, 60, 120, 480, 600]


def test_permanent_failure_is_marked_failed_and_not_retried(enqueue, flaky):
    flaky.failures = [smtplib.SMTPRecipientsRefused({"x@y": (550, b"5.1.1 No such user")})]
    email = enqueue()
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert "permanent" in email.last_error
    assert "550" in email.last_error
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        services.email_sweep()
        assert email_send(email.pk) == "skipped"
    assert flaky.calls == 1
    assert mail.outbox == []


def test_gives_up_after_max_attempts(enqueue, flaky, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    flaky.failures = [smtplib.SMTPServerDisconnected("gone")] * 5
    email = enqueue()
    for hours in (2, 4):
        with time_machine.travel(timezone.now() + timedelta(hours=hours)):
            email_send(email.pk)
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert email.attempts == 3
    assert "gave up after 3" in email.last_error
    assert flaky.calls == 3


def test_sweeper_requeues_stuck_rows_deletes_old_sent_and_is_idempotent(
    enqueue, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_SENDING_TIMEOUT_SECONDS = 300
    settings.OUTBOX_REQUEUE_GRACE_SECONDS = 60
    settings.OUTBOX_SENT_RETENTION_DAYS = 30
    now = timezone.now()
    with mock.patch(APPLY_ASYNC):
        stuck = _enqueue_uncommitted(key="stuck")
        busy = _enqueue_uncommitted(key="busy")
        lost = _enqueue_uncommitted(key="lost")  # its on-commit task never reached the broker
        fresh = _enqueue_uncommitted(key="fresh")
    Email.objects.filter(pk=stuck.pk).update(
        status="sending", claimed_at=now - timedelta(minutes=6), attempts=1
    )
    Email.objects.filter(pk=busy.pk).update(
        status="sending", claimed_at=now - timedelta(minutes=1), attempts=1
    )
    Email.objects.filter(pk=lost.pk).update(next_attempt_at=now - timedelta(minutes=2))
    old = enqueue(key="old")
    recent = enqueue(key="recent")
    Email.objects.filter(pk=old.pk).update(sent_at=now - timedelta(days=31))
    mail.outbox.clear()

    first = email_sweep()
    assert first == {"reset": 1, "failed": 0, "queued": 2, "deleted": 1}
    assert {m.extra_headers["Message-ID"].split(".")[0] for m in mail.outbox} == {
        f"<outbox-{stuck.pk}",
        f"<outbox-{lost.pk}",
    }
    assert Email.objects.get(pk=busy.pk).status == "sending"
    assert Email.objects.get(pk=fresh.pk).status == "pending"
    assert not Email.objects.filter(pk=old.pk).exists()
    assert Email.objects.get(pk=recent.pk).status == "sent"

    second = email_sweep()  # a second beat finds nothing to do
    assert second == {"reset": 0, "failed": 0, "queued": 0, "deleted": 0}
    assert len(mail.outbox) == 2


def test_sweeper_fails_rows_lost_mid_send_too_often(settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with mock.patch(APPLY_ASYNC):
        email = _enqueue_uncommitted()
    Email.objects.filter(pk=email.pk).update(
        status="sending", claimed_at=timezone.now() - timedelta(hours=1), attempts=3
    )
    assert services.email_sweep()["failed"] == 1
    assert Email.objects.get(pk=email.pk).status == "failed"


def test_opted_out_optional_kind_is_cancelled_and_essential_still_sent(enqueue, mentee, preference):
    preference(mentee)
    digest = enqueue(key="digest", kind="test-digest", user=mentee)
    assert digest.status == Email.Status.CANCELLED
    assert "turned off" in digest.last_error
    # A disabled preference cannot stop an essential email.
    preference(mentee, "account")
    account = enqueue(key="account", kind="account", user=mentee)
    account.refresh_from_db()
    assert account.status == Email.Status.SENT
    assert [m.to for m in mail.outbox] == [[mentee.email]]


def test_opt_out_is_found_by_address_when_no_user_is_given(enqueue, mentee, preference):
    preference(mentee)
    email = enqueue(kind="test-digest", to="MENTEE@example.gov.uk")
    assert email.status == Email.Status.CANCELLED


def test_list_unsubscribe_headers_only_on_optional_kinds(enqueue, mentee):
    digest = enqueue(key="digest", kind="test-digest", user=mentee)
    account = enqueue(key="account", kind="account", user=mentee)
    assert digest.headers["List-Unsubscribe"].startswith("<http")
    assert "/notifications/unsubscribe/" in digest.headers["List-Unsubscribe"]
    assert digest.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Unsubscribe" in digest.body_html
    assert "/notifications/unsubscribe/" in digest.body_text
    assert account.headers == {}
    assert "nsubscribe" not in account.body_text
    sent_digest, sent_account = mail.outbox
    assert sent_digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe" not in sent_account.extra_headers
    assert "List-Unsubscribe" in sent_digest.message().as_string()


def test_admin_retry_and_cancel(enqueue, flaky, django_capture_on_commit_callbacks):
    flaky.failures = [smtplib.SMTPDataError(554, b"Rejected")]
    failed = enqueue(key="failed")
    with mock.patch(APPLY_ASYNC):
        pending = _enqueue_uncommitted(key="pending")
    assert services.email_cancel(email_ids=[failed.pk, pending.pk]) == 1
    assert Email.objects.get(pk=pending.pk).status == "cancelled"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.email_retry(email_ids=[failed.pk, pending.pk]) == 2
    assert set(Email.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 2
