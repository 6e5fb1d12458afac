import re

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Email, EmailPreference
from notifications.services import unsubscribe_token_make

pytestmark = pytest.mark.django_db


def test_unsubscribe_confirm_page_needs_no_login(client, mentee):
    token = unsubscribe_token_make(user_id=mentee.pk, kind="test-digest")
    response = client.get(reverse("notifications:unsubscribe", args=[token]))
    assert response.status_code == 200
    assert b"Test digests".lower() in response.content.lower()
    # A GET (a mail scanner following the link) changes nothing.
    assert not EmailPreference.objects.exists()


def test_one_click_post_unsubscribes_without_login_or_csrf(mentee):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    token = unsubscribe_token_make(user_id=mentee.pk, kind="test-digest")
    response = client.post(
        reverse("notifications:unsubscribe", args=[token]),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    pref = EmailPreference.objects.get(user=mentee, kind="test-digest")
    assert pref.enabled is False


def test_unsubscribe_link_from_a_real_email_works(client, enqueue, mentee):
    email = enqueue(kind="test-digest", user=mentee)
    url = email.headers["List-Unsubscribe"].strip("<>")
    path = url.split("127.0.0.1:8000", 1)[1]
    assert client.post(path).status_code == 200
    second = enqueue(key="next-week", kind="test-digest", user=mentee)
    assert second.status == Email.Status.CANCELLED
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("kind", ["test-digest", "account", "no-such-kind"])
def test_tampered_or_unusable_token_is_404(client, mentee, outsider, kind):
    token = unsubscribe_token_make(user_id=mentee.pk, kind=kind)
    if kind == "test-digest":
        # Someone edits the token to unsubscribe another person.
        other = unsubscribe_token_make(user_id=outsider.pk, kind=kind)
        token = other.split(":")[0] + ":" + token.split(":", 1)[1]
    for method in (client.get, client.post):
        response = method(reverse("notifications:unsubscribe", args=[token]))
        assert response.status_code == 404
    assert not EmailPreference.objects.exists()


def test_garbage_token_is_404(client, db):
    assert client.post("/notifications/unsubscribe/not-a-token/").status_code == 404


def test_preferences_page_requires_login(client, db):
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_preferences_page_lists_optional_kinds_and_changes_only_own_rows(
    client, mentee, outsider, preference
):
    preference(outsider, enabled=True)
    client.force_login(mentee)
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 200
    assert b"Test digests" in response.content
    assert b"Account emails" not in response.content  # essential: not offered
    [checkbox] = re.findall(rb'<input[^>]*name="kind_test-digest"[^>]*>', response.content)
    assert b"checked" in checkbox

    response = client.post(reverse("notifications:preferences"), {})  # box unticked
    assert response.status_code == 302
    assert EmailPreference.objects.get(user=mentee, kind="test-digest").enabled is False
    assert EmailPreference.objects.get(user=outsider, kind="test-digest").enabled is True
    assert EmailPreference.objects.filter(user=outsider).count() == 1  # nothing added for others

    client.post(reverse("notifications:preferences"), {"kind_test-digest": "on"})
    assert EmailPreference.objects.get(user=mentee, kind="test-digest").enabled is True


def test_nav_links_to_email_settings(client, mentee):
    client.force_login(mentee)
    response = client.get(reverse("notifications:preferences"))
    assert b'href="/notifications/preferences/">Email settings' in response.content


def test_password_reset_email_goes_through_the_outbox(
    client, mentee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": mentee.email})
    assert response.status_code == 302
    email = Email.objects.get()
    assert email.kind == "account"
    assert email.status == Email.Status.SENT
    assert email.user == mentee
    assert email.idempotency_key.startswith("account:password_reset_key:")
    [sent] = mail.outbox
    assert sent.to == [mentee.email]
    assert sent.subject == "Reset your Mentorship password"
    assert "/accounts/password/reset/key/" in sent.body
    assert "/accounts/password/reset/key/" in sent.alternatives[0][0]


def test_asking_twice_sends_two_account_emails(client, mentee, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("account_reset_password"), {"email": mentee.email})
    assert Email.objects.count() == 2
    assert len(mail.outbox) == 2


def test_admin_shows_outbox_with_filters_and_rendered_bodies(client, staff, enqueue):
    email = enqueue()
    client.force_login(staff)
    response = client.get("/admin/notifications/email/?status__exact=sent")
    assert response.status_code == 200
    assert b"mentee@example.gov.uk" in response.content
    response = client.get(f"/admin/notifications/email/{email.pk}/change/")
    assert response.status_code == 200
    assert b'class="email-preview"' in response.content
    assert b"Line &lt;one&gt;" in response.content
    # No style attribute the page's Content-Security-Policy would block.
    assert (
        b"<pre style=" not in response.content and b"<iframe sandbox style" not in response.content
    )
    preview = client.get(f"/admin/notifications/email/{email.pk}/preview/")
    assert preview.status_code == 200 and preview.content == email.body_html.encode()
    policy = preview["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'self'" in policy and "sandbox" in policy
    assert preview["X-Frame-Options"] == "SAMEORIGIN"


def test_outbox_command_lists_and_shows(enqueue, capsys):
    from django.core.management import call_command

    email = enqueue()
    call_command("outbox")
    out = capsys.readouterr().out
    assert "mentee@example.gov.uk" in out
    assert "Hello & welcome" in out
    call_command("outbox", "--show", str(email.pk))
    assert "Line <one>" in capsys.readouterr().out


def test_an_unsubscribe_link_made_before_lib_signing_still_works(client, mentee):
    """Links already emailed were made by ``signing.dumps`` under this salt."""
    from django.core import signing

    old = signing.dumps({"u": mentee.pk, "k": "test-digest"}, salt="notifications.unsubscribe")
    client.post(reverse("notifications:unsubscribe", args=[old]))
    assert EmailPreference.objects.get(user=mentee, kind="test-digest").enabled is False
