"""Batched delivery: one broker message per transaction, one SMTP connection per batch, and
every row still claimed on its own (the exactly-once guarantees of test_outbox.py)."""

import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction

from notifications import services
from notifications.models import Email
from notifications.tasks import email_send_batch

pytestmark = pytest.mark.django_db

SEND = "notifications.tasks.email_send.apply_async"
SEND_BATCH = "notifications.tasks.email_send_batch.apply_async"


def _enqueue(key):
    return services.email_enqueue(
        to=f"{key}@example.gov.uk",
        kind="account",
        template="account",
        context={"subject": "Hi", "body_text": "Body"},
        idempotency_key=key,
    )


class CountingBackend(mail.backends.locmem.EmailBackend):
    opened = 0

    def open(self):
        type(self).opened += 1
        return True


@pytest.fixture
def counting(settings):
    settings.EMAIL_BACKEND = "notifications.tests.test_batch_delivery.CountingBackend"
    CountingBackend.opened = 0
    return CountingBackend


# Grouping needs real commits (Django runs on-commit hooks after the outermost commit, outside
# any atomic block); the tests that use captureOnCommitCallbacks stay per row, as before.
committed = pytest.mark.django_db(transaction=True)


@committed
def test_one_transaction_publishes_one_batch_message():
    with mock.patch(SEND) as send, mock.patch(SEND_BATCH) as send_batch, transaction.atomic():
        ids = [_enqueue(f"k{i}").pk for i in range(5)]
        send_batch.assert_not_called()  # nothing before the commit
    send.assert_not_called()
    send_batch.assert_called_once_with(args=(ids,), retry=False)


@committed
def test_batches_are_cut_at_outbox_batch_size(settings):
    settings.OUTBOX_BATCH_SIZE = 2
    with mock.patch(SEND) as send, mock.patch(SEND_BATCH) as send_batch, transaction.atomic():
        ids = [_enqueue(f"k{i}").pk for i in range(5)]
    assert [c.kwargs["args"] for c in send_batch.call_args_list] == [(ids[0:2],), (ids[2:4],)]
    send.assert_called_once_with(args=(ids[4],), retry=False)


@committed
def test_a_rolled_back_savepoint_does_not_lose_the_rows_enqueued_after_it():
    with mock.patch(SEND) as send, mock.patch(SEND_BATCH) as send_batch, transaction.atomic():
        try:
            with transaction.atomic():
                _enqueue("rolled-back")
                raise RuntimeError
        except RuntimeError:
            pass
        kept = [_enqueue("a").pk, _enqueue("b").pk]
    send.assert_not_called()
    send_batch.assert_called_once_with(args=(kept,), retry=False)
    assert Email.objects.count() == 2


@committed
def test_a_rolled_back_transaction_publishes_nothing_and_the_next_one_its_own_rows():
    with mock.patch(SEND) as send, mock.patch(SEND_BATCH) as send_batch:
        with pytest.raises(RuntimeError), transaction.atomic():
            _enqueue("gone-1")
            _enqueue("gone-2")
            raise RuntimeError
        with transaction.atomic():
            kept = _enqueue("kept").pk
    send_batch.assert_not_called()
    send.assert_called_once_with(args=(kept,), retry=False)


@committed
def test_each_transaction_gets_its_own_batch():
    with mock.patch(SEND) as send, mock.patch(SEND_BATCH) as send_batch:
        with transaction.atomic():
            first = [_enqueue("a1").pk, _enqueue("a2").pk]
        with transaction.atomic():
            second = [_enqueue("b1").pk, _enqueue("b2").pk]
        third = _enqueue("c").pk  # autocommit: queued at once
    assert [c.kwargs["args"] for c in send_batch.call_args_list] == [(first,), (second,)]
    send.assert_called_once_with(args=(third,), retry=False)


def test_under_captured_callbacks_each_row_is_queued_by_its_own_hook(
    django_capture_on_commit_callbacks,
):
    """A row whose hook a test never runs does not hold back a later row's (test helpers)."""
    with mock.patch(SEND) as send, mock.patch(SEND_BATCH):
        _enqueue("never-run")
        with django_capture_on_commit_callbacks(execute=True):
            later = _enqueue("later").pk
    send.assert_called_once_with(args=(later,), retry=False)


def test_a_batch_sends_every_row_over_one_connection(django_capture_on_commit_callbacks, counting):
    with mock.patch(SEND), mock.patch(SEND_BATCH), django_capture_on_commit_callbacks():
        ids = [_enqueue(f"k{i}").pk for i in range(4)]

    assert email_send_batch(ids) == ["sent"] * 4

    assert counting.opened == 1
    assert sorted(m.to[0] for m in mail.outbox) == [f"k{i}@example.gov.uk" for i in range(4)]
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}


def test_a_batch_skips_rows_sent_or_claimed_elsewhere_and_sends_the_rest_once(
    django_capture_on_commit_callbacks, counting
):
    with mock.patch(SEND), mock.patch(SEND_BATCH), django_capture_on_commit_callbacks():
        ids = [_enqueue(f"k{i}").pk for i in range(3)]
    Email.objects.filter(pk=ids[1]).update(status=Email.Status.SENDING)

    assert email_send_batch(ids) == ["sent", "skipped", "sent"]
    assert email_send_batch(ids) == ["skipped"] * 3  # the same batch delivered twice
    assert len(mail.outbox) == 2


def test_a_failed_row_does_not_stop_the_batch_and_the_next_row_gets_a_fresh_connection(
    django_capture_on_commit_callbacks, flaky
):
    with mock.patch(SEND), mock.patch(SEND_BATCH), django_capture_on_commit_callbacks():
        ids = [_enqueue(f"k{i}").pk for i in range(3)]
    flaky.failures = [
        smtplib.SMTPServerDisconnected("gone"),
        smtplib.SMTPRecipientsRefused({"x@y": (550, b"5.1.1 No such user")}),
    ]

    assert services.email_deliver_many(email_ids=ids) == ["retry", "failed", "sent"]
    statuses = dict(Email.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["pending", "failed", "sent"]
    assert len(mail.outbox) == 1


def test_a_batch_past_its_time_budget_hands_the_rest_on(
    django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_BATCH_SECONDS = -1  # every row after the first is over budget
    with mock.patch(SEND), mock.patch(SEND_BATCH), django_capture_on_commit_callbacks():
        ids = [_enqueue(f"k{i}").pk for i in range(3)]

    with mock.patch(SEND_BATCH) as send_batch:
        assert services.email_deliver_many(email_ids=ids) == ["sent", "queued", "queued"]
    send_batch.assert_called_once_with(args=(ids[1:],), retry=False)
    assert Email.objects.filter(pk__in=ids[1:], status=Email.Status.PENDING).count() == 2


class _Sink:
    """An SMTP server (aiosmtpd) that keeps what it accepted."""

    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 OK"


@pytest.fixture
def smtp_sink(settings):
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield sink
    controller.stop()


def test_over_smtp_a_batch_sends_the_bytes_django_would_and_marks_every_row_sent(
    django_capture_on_commit_callbacks, smtp_sink
):
    import email

    with mock.patch(SEND), mock.patch(SEND_BATCH), django_capture_on_commit_callbacks():
        ids = [_enqueue(f"k{i}").pk for i in range(3)]

    assert services.email_deliver_many(email_ids=ids) == ["sent"] * 3

    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}
    assert len(smtp_sink.messages) == 3
    for pk, (mail_from, rcpt_tos, content) in zip(ids, smtp_sink.messages, strict=True):
        row = Email.objects.get(pk=pk)
        assert mail_from == "mentorship@localhost"
        assert rcpt_tos == [row.to]
        parsed = email.message_from_bytes(content)
        assert parsed["Message-ID"].startswith(f"<outbox-{pk}.")
        assert parsed["Subject"] == row.subject
        text, html = parsed.get_payload()
        assert text.get_payload(decode=True).decode() == row.body_text.replace("\n", "\r\n")
        assert html.get_content_type() == "text/html"


def test_a_sent_row_is_marked_sent_even_when_the_next_claim_fails(
    django_capture_on_commit_callbacks, counting
):
    """The SENT mark rides in the next row's claim transaction; if that transaction fails, the
    mark is written on its own before the error goes on: a sent row never stays *sending*."""
    with mock.patch(SEND), mock.patch(SEND_BATCH), django_capture_on_commit_callbacks():
        ids = [_enqueue(f"k{i}").pk for i in range(3)]
    real_claim = services._claim
    calls = []

    def claim(email_id, now):
        calls.append(email_id)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_claim(email_id, now)

    with mock.patch.object(services, "_claim", claim), pytest.raises(RuntimeError):
        services.email_deliver_many(email_ids=ids)

    statuses = dict(Email.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["sent", "pending", "pending"]
    assert len(mail.outbox) == 1
