"""Links already emailed keep working after the move to recruitment and to lib.signing.

Before, the sign-off and invitation links were made with ``django.core.signing.dumps`` under the
salts ``programmes.manager-signoff`` and ``programmes.invitation``; the tests below make links the
old way and follow them through the new pages.
"""

import datetime as dt

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from people.tests.factories import UserFactory
from programmes.tests.factories import EnrolmentFactory
from recruitment.invitations import invitation_token
from recruitment.services import manager_signoff_token

pytestmark = pytest.mark.django_db


def old_manager_link(enrolment) -> str:
    token = signing.dumps(
        {"e": enrolment.pk, "m": enrolment.manager_email}, salt="programmes.manager-signoff"
    )
    return reverse("recruitment:manager_signoff", args=[token])


def old_invitation_link(enrolment) -> str:
    token = signing.dumps({"e": enrolment.pk, "u": enrolment.user_id}, salt="programmes.invitation")
    return reverse("recruitment:invitation_accept", args=[token])


@pytest.fixture
def pending_signoff(cohort):
    return EnrolmentFactory(
        cohort=cohort,
        status="applied",
        manager_email="boss@example.gov.uk",
        manager_decision="pending",
    )


@pytest.fixture
def invited(cohort):
    user = UserFactory(is_active=False)
    user.set_unusable_password()
    user.save()
    return EnrolmentFactory(cohort=cohort, user=user, status="invited")


def test_a_signoff_link_emailed_before_the_move_still_records_the_decision(client, pending_signoff):
    url = old_manager_link(pending_signoff)
    assert client.get(url).status_code == 200
    client.post(url, {"decision": "approve"})
    pending_signoff.refresh_from_db()
    assert pending_signoff.manager_decision == "approved"


def test_an_old_signoff_link_still_expires_after_thirty_days(client, pending_signoff):
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC), tick=False):
        url = old_manager_link(pending_signoff)
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=False):
        assert client.get(url).status_code == 404


def test_an_invitation_link_emailed_before_the_move_still_lets_the_person_in(client, invited):
    url = old_invitation_link(invited)
    page = client.get(url)
    assert page.status_code == 200 and invited.user.email in page.content.decode()
    response = client.post(
        url, {"new_password1": "correct-Horse-42", "new_password2": "correct-Horse-42"}
    )
    assert response.status_code == 302
    invited.user.refresh_from_db()
    assert invited.user.is_active and invited.user.check_password("correct-Horse-42")


def test_an_old_invitation_link_still_expires_after_thirty_days(client, invited):
    with time_machine.travel(dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC), tick=False):
        url = old_invitation_link(invited)
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), tick=False):
        response = client.get(url)
    assert response.status_code == 404 and "expired" in response.content.decode()


def test_new_links_are_not_valid_for_the_other_use(client, pending_signoff):
    """The two salts stay apart: a sign-off token is no invitation, and the reverse."""
    as_invitation = reverse(
        "recruitment:invitation_accept", args=[manager_signoff_token(pending_signoff)]
    )
    as_signoff = reverse("recruitment:manager_signoff", args=[invitation_token(pending_signoff)])
    assert client.get(as_invitation).status_code == 404
    assert client.get(as_signoff).status_code == 404
