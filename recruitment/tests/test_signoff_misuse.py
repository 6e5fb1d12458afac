"""Line-manager sign-off, attacked by the applicant it is meant to check (issue 15, items 10, 11).

Each test is what a participant could try through the pages: approve their own application,
revive an old link, send the application's email to any address as often as they like, or put
a link in front of the reader under the application's name.
"""

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.template.defaultfilters import urlize
from django.urls import reverse

from notifications.models import Email
from people.models import AuditEvent
from people.tests.factories import UserFactory
from programmes.models import Cohort, Enrolment
from programmes.tests.factories import CohortFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)
LINK = re.compile(r"/programmes/manager-signoff/[^/\s]+/")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture
def recruiting(cohort):
    Cohort.objects.filter(pk=cohort.pk).update(status="recruiting")
    cohort.programme.requires_manager_signoff = True
    cohort.programme.save()
    cohort.refresh_from_db()
    return cohort


@pytest.fixture
def applicant(outsider):
    return outsider


def apply(client, cohort, manager_email, **extra):
    return client.post(
        reverse("recruitment:apply", args=[cohort.pk, "mentee"]),
        {
            "goals": "Learn to automate reporting.",
            "title": "Automating the monthly inflation report",
            "description": "Replace the spreadsheet pipeline behind the CPI publication.",
            "expected_benefit": "Two days a month saved.",
            "manager_email": manager_email,
            **extra,
        },
    )


def signoff_links(to: str) -> list[str]:
    return [
        LINK.search(e.body_text).group(0)
        for e in Email.objects.filter(kind="manager-signoff", to=to).order_by("pk")
    ]


def test_an_applicant_cannot_name_their_own_address_as_their_manager(client, recruiting, applicant):
    client.force_login(applicant)
    response = apply(client, recruiting, applicant.email.upper())
    assert response.status_code == 200
    page = response.content.decode()
    assert "not one of your own" in page and "Automating the monthly inflation report" in page
    assert not Enrolment.objects.filter(user=applicant).exists()
    assert not Email.objects.filter(kind="manager-signoff").exists()


def test_an_applicant_cannot_name_a_sub_address_of_their_own(client, recruiting, applicant):
    client.force_login(applicant)
    response = apply(client, recruiting, "Outsider+Manager@example.gov.uk")
    assert "not one of your own" in response.content.decode()
    assert not Email.objects.filter(kind="manager-signoff").exists()


def test_an_applicant_cannot_name_a_second_address_of_their_own(client, recruiting, applicant):
    EmailAddress.objects.create(user=applicant, email="me.personal@example.com", verified=True)
    client.force_login(applicant)
    response = apply(client, recruiting, "Me.Personal@example.com")
    assert "not one of your own" in response.content.decode()
    assert not Email.objects.filter(kind="manager-signoff").exists()


def test_switching_the_address_away_and_back_does_not_revive_the_old_link(
    client, recruiting, applicant
):
    client.force_login(applicant)
    apply(client, recruiting, "boss@example.gov.uk")
    [first] = signoff_links("boss@example.gov.uk")
    apply(client, recruiting, "friend@example.gov.uk")
    apply(client, recruiting, "boss@example.gov.uk")
    old_friend = signoff_links("friend@example.gov.uk")[0]
    first_again, current = signoff_links("boss@example.gov.uk")
    assert first_again == first and current != first  # a fresh email with a fresh link

    client.logout()
    # The first link, the one sent to a friend: both dead. A decision through them is refused.
    for dead in (first, old_friend):
        assert client.get(dead).status_code == 404
        assert client.post(dead, {"decision": "approve"}).status_code == 404
    enrolment = Enrolment.objects.get(user=applicant)
    assert enrolment.manager_decision == "pending"
    assert client.get(current).status_code == 200


def test_a_link_is_spent_once_a_decision_is_recorded(client, recruiting, applicant):
    client.force_login(applicant)
    apply(client, recruiting, "boss@example.gov.uk")
    [link] = signoff_links("boss@example.gov.uk")
    client.logout()
    assert client.post(link, {"decision": "decline"}).status_code == 200
    assert client.get(link).status_code == 404
    assert client.post(link, {"decision": "approve"}).status_code == 404
    assert Enrolment.objects.get(user=applicant).manager_decision == "declined"


def test_after_a_decline_the_applicant_cannot_shop_for_another_approver(
    client, recruiting, applicant
):
    client.force_login(applicant)
    apply(client, recruiting, "boss@example.gov.uk")
    [link] = signoff_links("boss@example.gov.uk")
    client.logout()
    client.post(link, {"decision": "decline"})

    client.force_login(applicant)
    response = apply(client, recruiting, "friendly@example.gov.uk")
    assert "already answered" in response.content.decode()
    enrolment = Enrolment.objects.get(user=applicant)
    assert (enrolment.manager_email, enrolment.manager_decision) == (
        "boss@example.gov.uk",
        "declined",
    )
    assert not Email.objects.filter(to="friendly@example.gov.uk").exists()


def test_coordinators_see_which_address_approved_and_when(
    client, recruiting, applicant, coordinator
):
    client.force_login(applicant)
    apply(client, recruiting, "boss@example.gov.uk")
    [link] = signoff_links("boss@example.gov.uk")
    client.logout()
    client.post(link, {"decision": "approve"})

    client.force_login(coordinator)
    slug = recruiting.programme.slug
    page = client.get(reverse("recruitment:review", args=[slug, recruiting.pk])).content.decode()
    assert "Approved by the line manager: boss@example.gov.uk, 29 Nov 2026 12:00" in page
    export = b"".join(
        client.get(reverse("recruitment:cohort_export", args=[slug, recruiting.pk]))
    ).decode()
    assert "boss@example.gov.uk,2026-11-29 12:00" in export
    event = AuditEvent.objects.get(action="manager-signoff")
    assert "boss@example.gov.uk approved" in event.summary


def test_an_applicant_cannot_make_the_application_email_address_after_address(
    client, recruiting, applicant, settings
):
    settings.SIGNOFF_REQUESTS_PER_APPLICANT_PER_DAY = 3
    client.force_login(applicant)
    for n in range(3):
        apply(client, recruiting, f"target{n}@example.com")
    response = apply(client, recruiting, "target3@example.com")
    assert "too many times today" in response.content.decode()
    assert Email.objects.filter(kind="manager-signoff").count() == 3
    assert Enrolment.objects.get(user=applicant).manager_email == "target2@example.com"


def test_many_applicants_cannot_flood_one_address(client, recruiting, settings):
    settings.SIGNOFF_REQUESTS_PER_ADDRESS_PER_DAY = 2
    victim = "victim@example.com"
    for n in range(3):
        client.force_login(UserFactory(email=f"sock{n}@example.gov.uk"))
        cohort = CohortFactory(programme=recruiting.programme, status="recruiting")
        response = apply(client, cohort, victim)
    assert "too many approval requests today" in response.content.decode()
    assert Email.objects.filter(to=victim).count() == 2


def test_the_limits_are_per_day(client, recruiting, applicant, settings, time_machine):
    settings.SIGNOFF_REQUESTS_PER_APPLICANT_PER_DAY = 1
    client.force_login(applicant)
    apply(client, recruiting, "one@example.com")
    assert "too many" in apply(client, recruiting, "two@example.com").content.decode()
    time_machine.move_to(TODAY + dt.timedelta(days=1, minutes=1), tick=False)
    apply(client, recruiting, "two@example.com")
    assert Email.objects.filter(to="two@example.com").exists()


HOSTILE_NAME = "https://pay-here.example/login evil.example"


def test_the_managers_email_carries_no_link_the_applicant_wrote(client, recruiting):
    applicant = UserFactory(email="sneaky@example.gov.uk", full_name=HOSTILE_NAME)
    client.force_login(applicant)
    apply(client, recruiting, "boss@example.gov.uk", title="See www.evil.example now")
    email = Email.objects.get(kind="manager-signoff")
    # The subject names no one and carries nothing the applicant typed.
    assert email.subject == (
        "An application to Data Science Accelerator is waiting for your approval"
    )
    for body in (email.body_text, email.body_html):
        for bad in ("https://pay-here", "pay-here.example", "evil.example", "www.evil"):
            assert bad not in body
        assert "pay-here[.]example" in body  # still readable, no longer a link
    # A client's autolinker finds the application's own link and nothing else.
    links = re.findall(r'href="([^"]+)"', urlize(email.body_text))
    assert len(links) == 1 and "/programmes/manager-signoff/" in links[0]
