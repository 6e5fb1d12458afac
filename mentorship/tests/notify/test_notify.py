"""The GOV.UK Notify backend, driven through the real notifications-python-client over HTTP to a
local stand-in that answers as Notify's API does (notify_standin.py)."""

import time
from datetime import timedelta

import jwt
import pytest
import requests
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import notify, services
from notifications.models import DeliveryStatus, Email, UndeliverableAddress
from notifications.tests.notify_standin import NotifyStandin
from people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "callback-token-for-tests-0123456789"


@pytest.fixture
def standin(settings):
    server = NotifyStandin().start()
    settings.NOTIFY_API_KEY = server.api_key
    settings.NOTIFY_TEMPLATE_ID = server.template_id
    settings.NOTIFY_BASE_URL = server.base_url
    settings.NOTIFY_CALLBACK_TOKEN = TOKEN
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    notify._local.__dict__.clear()
    yield server
    server.stop()
    notify._local.__dict__.clear()


def _later(email, seconds=3600):
    return time_machine.travel(email.next_attempt_at + timedelta(seconds=seconds), tick=False)


def test_a_row_is_one_notify_request_with_its_key_as_reference(standin, enqueue):
    email = enqueue(key="welcome:1")
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert mail.outbox == []  # not through EMAIL_BACKEND
    [sent] = standin.notifications.values()
    assert email.provider_id == sent["id"]
    assert sent["reference"] == "welcome:1"
    assert sent["email_address"] == "mentee@example.gov.uk"
    assert sent["subject"] == email.subject == "Hello & welcome"
    assert "Line <one>" in sent["body"]  # plain text: Notify escapes it, we do not
    assert "\n---\n" in sent["body"]  # the signature rule, in Notify's markdown
    assert standin.answers[201] == 1


def test_optional_kinds_carry_notifys_one_click_unsubscribe(standin, enqueue, digest_kind):
    person = UserFactory(email="p@example.gov.uk")
    enqueue(key="digest:1", to=person.email, kind=digest_kind, user=person)
    [sent] = standin.notifications.values()
    assert "/notifications/unsubscribe/" in sent["one_click_unsubscribe_url"]


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_rate_limit_and_server_errors_are_temporary_with_backoff(standin, enqueue, status):
    standin.script(status)
    email = enqueue(key=f"t:{status}")
    email.refresh_from_db()
    assert email.status == Email.Status.PENDING
    assert email.attempts == 1
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=25)
    assert f"GOV.UK Notify {status}" in email.last_error
    with _later(email):
        assert services.email_deliver(email_id=email.pk) == "sent"
    assert standin.delivered_count([f"t:{status}"]) == 1


def test_notify_unreachable_is_temporary(standin, enqueue):
    standin.stop()
    email = enqueue(key="down")
    email.refresh_from_db()
    assert email.status == Email.Status.PENDING
    assert "GOV.UK Notify 503" in email.last_error  # the client's code for "no answer"


def test_validation_error_is_permanent_and_readable_in_the_admin(standin, enqueue, admin_client):
    email = enqueue(key="bad", to="not-an-address@nowhere")
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert email.attempts == 1
    assert "GOV.UK Notify 400: ValidationError: email_address Not a valid email address" in (
        email.last_error
    )
    page = admin_client.get(reverse("admin:notifications_email_changelist"))
    assert "GOV.UK Notify 400" in page.content.decode()


def test_a_bad_or_revoked_key_is_permanent(standin, enqueue, settings):
    standin.revoked = True
    email = enqueue(key="revoked")
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert "403: AuthError: Invalid token: API key revoked" in email.last_error
    standin.revoked = False
    settings.NOTIFY_API_KEY = f"standin-{standin.service_id}-{'0' * 8}-0000-0000-0000-{'0' * 12}"
    email = enqueue(key="wrong-secret")
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert "Invalid token: API key not found" in email.last_error


def test_an_answer_lost_after_notify_accepted_is_not_sent_twice(standin, enqueue):
    """Notify created the notification but the answer was a 500 (or never came): the retry finds
    it by reference instead of creating a second email."""
    standin.accept_then_fail = 1
    email = enqueue(key="lost-answer")
    email.refresh_from_db()
    assert email.status == Email.Status.PENDING
    with _later(email):
        assert services.email_deliver(email_id=email.pk) == "sent"
    email.refresh_from_db()
    assert standin.delivered_count(["lost-answer"]) == 1
    assert email.provider_id == next(iter(standin.notifications))


def test_an_ics_attachment_becomes_a_signed_link_to_the_same_file(standin, enqueue, client):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    enqueue(
        key="with-ics",
        attachments=[{"filename": "checkin.ics", "content": ics, "mimetype": "text/calendar"}],
    )
    [sent] = standin.notifications.values()
    line = next(li for li in sent["body"].splitlines() if li.startswith("Add it to your calendar"))
    url = line.split(": ", 1)[1]
    assert sent["body"].index(line) < sent["body"].index("---")  # before the footer
    response = client.get(url.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar"
    assert response.content.decode() == ics
    assert 'filename="checkin.ics"' in response["Content-Disposition"]
    assert client.get(url.replace("http://127.0.0.1:8000", "")[:-3] + "xx/").status_code == 404


def test_the_attachment_link_expires(standin, enqueue, client, settings):
    enqueue(key="old-ics", attachments=[{"filename": "a.ics", "content": "x", "mimetype": "a/b"}])
    email = Email.objects.get(idempotency_key="old-ics")
    path = notify.attachment_link(email_id=email.pk, index=0).replace("http://127.0.0.1:8000", "")
    with time_machine.travel(timezone.now() + timedelta(days=settings.NOTIFY_ICS_LINK_DAYS + 1)):
        assert client.get(path).status_code == 404


def test_the_shared_rate_limit_waits_for_the_next_second(settings):
    settings.NOTIFY_RATE_LIMIT_PER_MINUTE = 61 * 3  # three a second
    started = time.monotonic()
    for _ in range(3):
        notify.rate_limit_acquire(wait=0)
    assert time.monotonic() - started < 0.5
    with pytest.raises(notify.NotifyRateLimited):
        # Unless the second turned over in between, the fourth has no room.
        for _ in range(4):
            notify.rate_limit_acquire(wait=0)
    notify.rate_limit_acquire(wait=2)  # waits for the next second's window


def test_our_limit_does_not_count_as_an_attempt(standin, enqueue, settings, monkeypatch):
    def full(**kw):
        raise notify.NotifyRateLimited("full")

    monkeypatch.setattr(notify, "rate_limit_acquire", full)
    email = enqueue(key="throttled")
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.PENDING, 0)
    assert standin.answers[201] == 0


def test_markdown_keeps_text_from_becoming_headings():
    text = "# not a heading\n^ not inset\n- item\n\n\n\nend\n--\nSent by us"
    assert notify.notify_markdown(text) == (
        " # not a heading\n ^ not inset\n* item\n\nend\n---\nSent by us\n"
    )


# --- The stand-in answers as Notify does ----------------------------------------------------------


def _post(standin, token, body=None):
    return requests.post(
        f"{standin.base_url}/v2/notifications/email",
        json=body or {"email_address": "a@b.gov.uk", "template_id": standin.template_id},
        headers={"Authorization": f"Bearer {token}"} if token else {},
        timeout=5,
    )


def test_standin_checks_the_jwt_like_notify(standin):
    assert _post(standin, None).status_code == 401
    old = jwt.encode({"iss": standin.service_id, "iat": int(time.time()) - 120}, standin.secret)
    answer = _post(standin, old)
    assert answer.status_code == 403
    assert answer.json() == {
        "status_code": 403,
        "errors": [
            {
                "error": "AuthError",
                "message": "Error: Your system clock must be accurate to within 30 seconds",
            }
        ],
    }
    other = jwt.encode(
        {"iss": standin.service_id, "iat": int(time.time())}, "another-secret-of-thirty-two-bytes!!"
    )
    assert _post(standin, other).json()["errors"][0]["message"] == (
        "Invalid token: API key not found"
    )
    good = jwt.encode({"iss": standin.service_id, "iat": int(time.time())}, standin.secret)
    answer = _post(standin, good)
    assert answer.status_code == 400
    assert answer.json()["errors"][0] == {
        "error": "BadRequestError",
        "message": "Missing personalisation: subject, body",
    }


def test_standin_enforces_the_minute_rate_limit(standin):
    standin.rate_limit = 2
    good = jwt.encode({"iss": standin.service_id, "iat": int(time.time())}, standin.secret)
    body = {
        "email_address": "a@b.gov.uk",
        "template_id": standin.template_id,
        "personalisation": {"subject": "s", "body": "b"},
    }
    assert [_post(standin, good, body).status_code for _ in range(3)] == [201, 201, 429]


# --- Delivery receipts --------------------------------------------------------------------------


def _receipt(client, payload, token=TOKEN):
    return client.post(
        reverse("notifications:notify_callback"),
        payload,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_a_receipt_records_delivered_on_the_row(standin, enqueue, client):
    email = enqueue(key="r1")
    [sent] = standin.notifications.values()
    assert _receipt(client, standin.callback_payload(sent)).status_code == 204
    email.refresh_from_db()
    assert email.delivery_status == DeliveryStatus.DELIVERED
    assert email.delivery_status_at is not None


def test_receipts_need_the_bearer_token(standin, enqueue, client, settings):
    enqueue(key="r2")
    [sent] = standin.notifications.values()
    payload = standin.callback_payload(sent)
    assert _receipt(client, payload, token="wrong-token").status_code == 401
    assert _receipt(client, payload, token="").status_code == 401
    settings.NOTIFY_CALLBACK_TOKEN = ""
    assert _receipt(client, payload).status_code == 404
    assert Email.objects.get(idempotency_key="r2").delivery_status == ""


def test_a_receipt_for_an_unknown_row_is_acknowledged(standin, client):
    payload = {"id": "x", "reference": "gone", "status": "delivered", "to": "a@b.c"}
    assert _receipt(client, payload).status_code == 204
    assert _receipt(client, {**payload, "status": "weird"}).status_code == 400
    assert _receipt(client, "not json").status_code == 400


def test_a_permanent_failure_stops_optional_emails_and_asks_the_person(
    standin, enqueue, client, digest_kind
):
    person = UserFactory(email="perm-fail@simulator.notify")
    enqueue(key="first", to=person.email, user=person)
    [sent] = standin.notifications.values()
    payload = standin.callback_payload(sent)
    assert payload["status"] == "permanent-failure"
    with_callbacks = _receipt(client, payload)
    assert with_callbacks.status_code == 204
    assert UndeliverableAddress.objects.filter(address=person.email, user=person).exists()

    optional = enqueue(key="digest-after", to=person.email, kind=digest_kind, user=person)
    assert optional.status == Email.Status.CANCELLED
    assert "undeliverable" in optional.last_error
    essential = enqueue(key="account-after", to=person.email, user=person)
    assert Email.objects.get(pk=essential.pk).status == Email.Status.SENT

    client.force_login(person)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "We cannot email you" in page
    assert client.post(reverse("notifications:address_confirm")).status_code == 302
    assert not UndeliverableAddress.objects.exists()
    assert (
        "We cannot email you"
        not in client.get(reverse("notifications:preferences")).content.decode()
    )
    again = enqueue(key="digest-confirmed", to=person.email, kind=digest_kind, user=person)
    assert Email.objects.get(pk=again.pk).status == Email.Status.SENT


def test_the_banner_goes_when_the_address_changes(standin, client):
    person = UserFactory(email="old@example.gov.uk")
    services.address_undeliverable_mark(address=person.email)
    client.force_login(person)
    assert (
        "We cannot email you" in client.get(reverse("notifications:preferences")).content.decode()
    )
    person.email = "new@example.gov.uk"
    person.save()
    assert "We cannot email you" not in (
        client.get(reverse("notifications:preferences")).content.decode()
    )


def test_a_delivery_clears_an_undeliverable_address(standin, enqueue, client):
    person = UserFactory(email="back@example.gov.uk")
    services.address_undeliverable_mark(address=person.email)
    enqueue(key="essential", to=person.email, user=person)
    [sent] = standin.notifications.values()
    _receipt(client, standin.callback_payload(sent, status="delivered"))
    assert not UndeliverableAddress.objects.exists()


def test_the_confirm_button_does_not_redirect_elsewhere(standin, client):
    person = UserFactory()
    client.force_login(person)
    response = client.post(reverse("notifications:address_confirm"), {"next": "https://evil.test/"})
    assert response["Location"] == reverse("notifications:preferences")


def test_the_cohort_page_lists_who_cannot_be_emailed(client, coordinator, cohort, mentee, mentor):
    services.address_undeliverable_mark(address=mentee.email)
    client.force_login(coordinator)
    page = client.get(
        reverse("programmes:cohort_detail", args=[cohort.programme.slug, cohort.pk])
    ).content.decode()
    assert "1 person cannot be emailed" in page
    assert mentee.email in page
    assert mentor.email not in page.split("cannot be emailed")[1].split("</section>")[0]
