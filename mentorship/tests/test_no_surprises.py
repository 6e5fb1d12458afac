"""Issue 17: a day in the application without surprises. Each test is one surprise a new user
met, checked through the pages as that person."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Email
from people.models import ProfileSkill, User
from people.tests.factories import InterestFactory, SkillFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-new-password-1"


def _text(response) -> str:
    return response.content.decode()


# --- Item 8: menus, settings and reminders that fit the person ---------------------------------


def test_a_mentee_sees_no_coordinate_menu_and_a_coordinator_does(client, mentee, coordinator):
    client.force_login(mentee)
    assert ">Coordinate</a>" not in _text(client.get(reverse("home")))
    client.force_login(coordinator)
    assert ">Coordinate</a>" in _text(client.get(reverse("home")))


def test_the_coordinator_digest_is_offered_only_to_coordinators(
    client, mentee, coordinator, programme
):
    client.force_login(mentee)
    page = _text(client.get(reverse("notifications:preferences")))
    assert "Coordinator weekly digest" not in page and "Check-in reminders" in page
    # Saving the mentee's settings leaves the digest alone.
    client.post(reverse("notifications:preferences"), {})
    assert not mentee.email_preferences.filter(kind="coordinator-digest").exists()
    client.force_login(coordinator)
    assert "Coordinator weekly digest" in _text(client.get(reverse("notifications:preferences")))


def _complete(user):
    profile = user.profile
    profile.organisation, profile.team, profile.grade = "ONS", "Data", 5
    profile.profession, profile.location = "Statistics", "Newport"
    profile.line_manager_email, profile.bio = "boss@example.gov.uk", "Counts things."
    profile.save()
    profile.interests.add(InterestFactory())
    for direction, name in (("teach", "SQL"), ("learn", "Python")):
        ProfileSkill.objects.create(
            profile=profile, skill=SkillFactory(name=name), direction=direction, level=2
        )


def test_complete_your_profile_disappears_at_100_percent(client, mentee):
    client.force_login(mentee)
    assert "Complete your profile" in _text(client.get(reverse("home")))
    _complete(mentee)
    assert mentee.profile.completeness()[0] == 100
    assert "Complete your profile" not in _text(client.get(reverse("home")))


def test_a_new_sign_up_is_asked_for_a_name_and_is_named_by_it(client, db, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    form = _text(client.get(reverse("account_signup")))
    assert 'name="full_name"' in form and "Full name" in form
    data = {"email": "nia@example.gov.uk", "password1": PASSWORD, "password2": PASSWORD}
    refused = client.post(reverse("account_signup"), data)
    assert refused.status_code == 200 and "This field is required" in _text(refused)
    assert _text(refused).count('value="nia@example.gov.uk"') == 1  # what was typed is kept
    client.post(reverse("account_signup"), {**data, "full_name": "  Nia   Newcomer "})
    assert User.objects.get(email="nia@example.gov.uk").display_name == "Nia Newcomer"


def test_a_person_without_a_name_is_never_shown_by_an_email_prefix(db):
    user = User.objects.create_user(email="j.smith@example.gov.uk", password=PASSWORD)
    assert user.display_name == "j.smith@example.gov.uk"


# --- Item 9: account pages and emails in the site's own voice -----------------------------------


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("account_login", "Sign in"),
        ("account_signup", "Create an account"),
        ("account_reset_password", "Reset your password"),
    ],
)
def test_account_pages_use_the_sites_own_words(client, db, url, heading):
    page = _text(client.get(reverse(url)))
    assert f'<h1 class="h2">{heading}</h1>' in page
    assert "If you have not created an account yet, then please" not in page
    assert "Sign Up" not in page and "Sign In" not in page


def test_the_confirmation_email_speaks_as_the_site_in_text_and_html(
    client, db, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "full_name": "Nia Newcomer",
                "email": "nia@example.gov.uk",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    email = Email.objects.get(to="nia@example.gov.uk")
    assert email.subject == "Confirm your email address for Mentorship"
    assert email.body_text.startswith("Hello Nia Newcomer,")
    assert "/accounts/confirm-email/" in email.body_text
    assert "/accounts/confirm-email/" in email.body_html and "<html" in email.body_html
    for stock in ("Hello from", "Please Confirm", "[Mentorship]", "example.com!"):
        assert stock not in email.subject + email.body_text, stock
    [sent] = mail.outbox
    assert sent.alternatives and sent.subject == email.subject


# The invitation for an existing account (item 8): recruitment/tests/test_invites.py.


# --- Item 14: dates, the figures' definitions, the favicon --------------------------------------


def test_the_events_form_pre_fills_dates_the_browser_can_read(client, coordinator, cohort):
    from community.tests.factories import StandupGroupFactory

    StandupGroupFactory(cohort=cohort)  # the stand-up form (with its pre-filled date) shows
    client.force_login(coordinator)
    page = _text(client.get(reverse("community:events", args=[cohort.programme.slug, cohort.pk])))
    dates = re.findall(r'<input type="date"[^>]*value="([^"]*)"', page)
    assert len(dates) == 1 and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates), dates


def test_the_figures_definitions_are_a_page_linked_from_the_dashboards(
    client, coordinator, cohort, mentee
):
    client.force_login(coordinator)
    dashboard = _text(
        client.get(reverse("insights:cohort", args=[cohort.programme.slug, cohort.pk]))
    )
    assert f'href="{reverse("insights:metrics")}"' in dashboard
    assert "docs/metrics.md" not in dashboard
    page = _text(client.get(reverse("insights:metrics")))
    assert "<h1" in page and 'id="at-risk"' in page and "<table" in page
    assert "<strong>silent</strong>" in page and "##" not in page
    client.force_login(mentee)
    assert client.get(reverse("insights:metrics")).status_code == 404


def test_no_page_asks_for_a_missing_favicon(client, mentee):
    client.force_login(mentee)
    home = _text(client.get(reverse("home")))
    icon = re.search(r'<link rel="icon" href="([^"]+)"', home).group(1)
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"] == icon
    client.logout()
    assert client.get("/favicon.ico").status_code == 301  # signed out too (the sign-in page)


# --- Item 15: the demo's links use the port it runs on ------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PORT": "8001"}, "http://127.0.0.1:8001"),
        ({}, "http://127.0.0.1:8000"),
        (
            {"PORT": "8001", "SITE_URL": "https://mentoring.example.gov.uk"},
            "https://mentoring.example.gov.uk",
        ),
    ],
)
def test_site_url_follows_the_port_unless_it_is_set(env, expected):
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL")}
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "mentorship.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == expected
