"""Account security (issue 10 item 2): rate limits, the admin login, enumeration, MFA, SSO."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client, override_settings
from django.urls import reverse

from notifications.models import Email
from people.tests.factories import UserFactory

PASSWORD = "correct-horse-battery-42"
LOGIN = "/accounts/login/"


@pytest.fixture
def member(db):
    user = UserFactory(email="member@example.gov.uk", full_name="Mel Member")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, email, password, **extra):
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


# --- Rate limits ------------------------------------------------------------------------------


def test_five_failed_sign_ins_lock_the_account_even_with_the_right_password(client, member):
    for _ in range(5):
        response = _login(client, member.email, "wrong-password")
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()
    response = _login(client, member.email, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_more_than_30_sign_in_attempts_a_minute_from_one_address_get_429(client, db):
    statuses = [_login(client, f"p{i}@example.gov.uk", "x").status_code for i in range(31)]
    assert set(statuses[:30]) == {200}
    assert statuses[30] == 429
    response = _login(client, "another@example.gov.uk", "x")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()  # the project's 429 page


def test_password_reset_requests_for_one_email_are_limited_to_five_a_minute(client, member):
    url = reverse("account_reset_password")
    statuses = [client.post(url, {"email": member.email}).status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429


def test_the_counters_live_in_the_shared_cache(client, member):
    from django.core.cache import cache

    for _ in range(5):
        _login(client, member.email, "wrong-password")
    assert "Too many" in _login(client, member.email, PASSWORD).content.decode()
    cache.clear()  # what a second web process would share, and lose only with the cache
    assert _login(client, member.email, PASSWORD).status_code == 302


# --- The Django admin login goes through allauth ------------------------------------------------


def test_admin_login_sends_people_to_the_allauth_sign_in_page(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    response = client.post("/admin/login/", {"username": "x@example.gov.uk", "password": "x"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_admin_sign_in_is_rate_limited_like_every_sign_in(client, staff):
    staff.set_password(PASSWORD)
    staff.save()
    for _ in range(5):
        _login(client, staff.email, "wrong", QUERY_STRING="next=/admin/")
    response = client.post(f"{LOGIN}?next=/admin/", {"login": staff.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302


# --- No account enumeration ---------------------------------------------------------------------


def _text(response):
    return response.content.decode()


def test_sign_in_says_the_same_for_known_and_unknown_emails(client, member):
    known = _login(client, member.email, "wrong-password")
    unknown = _login(client, "nobody@example.gov.uk", "wrong-password")
    assert known.status_code == unknown.status_code == 200
    message = "The email address and/or password you specified are not correct."
    assert message in _text(known) and message in _text(unknown)
    assert "not assigned" not in _text(unknown)


def test_password_reset_says_the_same_for_known_and_unknown_emails(client, member):
    url = reverse("account_reset_password")
    known = client.post(url, {"email": member.email})
    unknown = client.post(url, {"email": "nobody@example.gov.uk"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The owner of each address hears about it by email, nobody learns it on screen.
    assert Email.objects.filter(to=member.email).exists()
    assert Email.objects.filter(to="nobody@example.gov.uk").exists()


@pytest.mark.parametrize("verification", ["mandatory", "optional"])
def test_sign_up_says_the_same_for_known_and_unknown_emails_in_every_verification_mode(
    client, member, settings, verification
):
    settings.ACCOUNT_EMAIL_VERIFICATION = verification
    url = reverse("account_signup")
    data = {
        "full_name": "Nia Newcomer",
        "password1": "a-long-new-password-1",
        "password2": "a-long-new-password-1",
    }
    pages = []
    for email in (member.email, "newcomer@example.gov.uk"):
        visitor = Client()  # each sign-up from its own browser
        response = visitor.post(url, {**data, "email": email})
        assert response.status_code == 302, _text(response)
        page = visitor.get(response["Location"])
        assert page.status_code == 200
        text = re.sub(r'"X-CSRFToken": "[^"]*"|value="[A-Za-z0-9]{64}"', "", _text(page))
        pages.append((response["Location"], text.replace(email, "ADDRESS")))
    assert pages[0] == pages[1]
    assert "already" not in pages[0][1].lower()
    # Each address's owner hears by email: the newcomer a link, the member "you have one".
    assert Email.objects.filter(to="newcomer@example.gov.uk", subject__startswith="Confirm")
    assert Email.objects.filter(to=member.email, subject__startswith="You already have")


# --- Multi-factor authentication ----------------------------------------------------------------


def _activate_totp(user):
    return TOTP.activate(user, generate_totp_secret())


def _sign_in(client, user):
    """A real sign-in, then allauth's "confirm access" step that setting up MFA asks for."""
    user.set_password(PASSWORD)
    user.save()
    assert _login(client, user.email, PASSWORD).status_code == 302
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


@override_settings(REQUIRE_MFA_FOR_COORDINATORS=True)
def test_coordinator_without_an_authenticator_is_sent_to_set_one_up(client, coordinator, programme):
    _sign_in(client, coordinator)
    for url in ("/home/", reverse("programmes:detail", args=[programme.slug])):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")
    # The set-up page itself, the account pages and signing out stay reachable.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert client.get(reverse("account_email")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


@override_settings(REQUIRE_MFA_FOR_COORDINATORS=True)
def test_coordinator_with_totp_sees_their_programme(client, coordinator, programme):
    _activate_totp(coordinator)
    client.force_login(coordinator)
    assert client.get(reverse("programmes:detail", args=[programme.slug])).status_code == 200


@override_settings(REQUIRE_MFA_FOR_COORDINATORS=True)
def test_staff_without_an_authenticator_cannot_open_the_admin(client, staff):
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    _activate_totp(staff)
    assert client.get("/admin/").status_code == 200


@override_settings(REQUIRE_MFA_FOR_COORDINATORS=True)
def test_participants_are_not_asked_for_a_second_factor(client, mentee, mentor):
    for person in (mentee, mentor):
        client.force_login(person)
        assert client.get("/home/").status_code == 200


def test_local_mode_does_not_require_mfa_so_the_demo_logins_work(client, coordinator, settings):
    assert settings.REQUIRE_MFA_FOR_COORDINATORS is False
    client.force_login(coordinator)
    assert client.get("/home/").status_code == 200


def test_mfa_pages_render_inside_the_project_layout(client, member):
    _sign_in(client, member)
    for name in ("mfa_index", "mfa_activate_totp"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        html = _text(response)
        assert '<html lang="en-GB">' in html, name
        assert "Skip to main content" in html and 'aria-label="Account"' in html, name
        assert reverse("people:my_data") in html, name
    response = client.get(reverse("mfa_activate_totp"))
    assert "data:image/svg+xml" in _text(response)  # the QR code, allowed by img-src data:


def test_sign_in_with_totp_asks_for_the_code(client, member):
    _activate_totp(member)
    response = _login(client, member.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


# --- Single sign-on (OpenID Connect) ------------------------------------------------------------

OIDC_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": "entra",
                "name": "Microsoft Entra ID",
                "client_id": "client-id",
                "secret": "client-secret",
                "settings": {"server_url": "https://login.example.test/tenant/v2.0"},
            }
        ],
    }
}


def test_without_oidc_variables_the_sign_in_page_offers_no_single_sign_on(client, db, settings):
    assert settings.SOCIALACCOUNT_PROVIDERS == {}
    html = _text(client.get(LOGIN))
    assert "Microsoft Entra ID" not in html and "/accounts/oidc/" not in html


def test_with_an_oidc_provider_configured_the_sign_in_page_offers_it(client, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = OIDC_PROVIDERS
    html = _text(client.get(LOGIN))
    assert "Microsoft Entra ID" in html
    assert "/accounts/oidc/entra/login/" in html
