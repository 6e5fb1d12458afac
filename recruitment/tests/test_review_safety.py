"""The coordinator's review (issue 17, items 1, 2 and 6): a bulk decision names the people it
emails before it is made, is made once whatever the back button and double clicks do, and each
applicant's application can be read in full."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from notifications.models import Email
from people.tests.factories import UserFactory
from programmes.models import Cohort, Enrolment
from programmes.tests.factories import EnrolmentFactory
from recruitment.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))


@pytest.fixture
def recruiting(cohort):
    Cohort.objects.filter(pk=cohort.pk).update(status="recruiting")
    cohort.refresh_from_db()
    return cohort


def _url(name, cohort, *extra):
    return reverse(f"recruitment:{name}", args=[cohort.programme.slug, cohort.pk, *extra])


def _applicant(cohort, name, **extra):
    user = UserFactory(full_name=name, email=f"{name.split()[0].lower()}@example.gov.uk")
    return EnrolmentFactory(user=user, cohort=cohort, status="applied", **extra)


def _token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def test_a_bulk_decision_names_the_people_before_anyone_is_emailed(client, coordinator, recruiting):
    ann, bob, cat = (_applicant(recruiting, n) for n in ("Ann Able", "Bob Baker", "Cat Cole"))
    client.force_login(coordinator)
    page = client.post(
        _url("review_confirm", recruiting), {"decision": "accepted", "enrolments": [ann.pk, bob.pk]}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ann Able" in html and "Bob Baker" in html and "Cat Cole" not in html
    assert "Accept and email 2 people" in html
    assert not Email.objects.exists()
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"applied"}
    # Confirming does it, for exactly the people named (by id), with the page's token.
    client.post(
        _url("review_decide", recruiting),
        {"decision": "accepted", "enrolments": [ann.pk, bob.pk], "form_token": _token(html)},
    )
    assert sorted(Email.objects.values_list("to", flat=True)) == [ann.user.email, bob.user.email]
    cat.refresh_from_db()
    assert cat.status == "applied"


def test_confirmation_lists_who_is_left_alone_and_not_emailed(client, coordinator, recruiting):
    ann = _applicant(recruiting, "Ann Able")
    done = _applicant(recruiting, "Dan Done")
    Enrolment.objects.filter(pk=done.pk).update(status="accepted")
    client.force_login(coordinator)
    html = client.post(
        _url("review_confirm", recruiting),
        {"decision": "accepted", "enrolments": [ann.pk, done.pk]},
    ).content.decode()
    assert "Accept and email 1 person" in html
    changing, unchanged = html.split('id="unchanged"')
    assert "Ann Able" in changing and "Dan Done" in unchanged


def test_back_and_resubmit_of_a_decision_does_nothing_and_says_so(client, coordinator, recruiting):
    ann, bob = _applicant(recruiting, "Ann Able"), _applicant(recruiting, "Bob Baker")
    client.force_login(coordinator)
    data = {"decision": "accepted", "enrolments": [ann.pk], "form_token": "t" * 32}
    client.post(_url("review_decide", recruiting), data)
    # The list changed since (Ann moved); the browser resends the same confirmation page.
    Enrolment.objects.filter(pk=ann.pk).update(status="applied")
    again = client.post(_url("review_decide", recruiting), data, follow=True)
    assert "This was already done: 1 applicant updated (accept)." in again.content.decode()
    assert Email.objects.filter(kind="application-decision").count() == 1
    ann.refresh_from_db()
    bob.refresh_from_db()
    assert ann.status == "applied" and bob.status == "applied"


def test_the_review_form_lets_no_browser_restore_ticked_boxes(client, coordinator, recruiting):
    ann = _applicant(recruiting, "Ann Able")
    client.force_login(coordinator)
    html = client.get(_url("review", recruiting)).content.decode()
    form = re.search(r'<form method="post" id="decide"[^>]*>', html).group(0)
    assert 'autocomplete="off"' in form
    assert f'value="{ann.pk}" id="sel-{ann.pk}" autocomplete="off"' in html
    # "Select all" with a count, from a static file (strict CSP: no inline script).
    assert 'data-select-all="enrolments"' in html
    assert re.search(r'<script src="[^"]*js/select-all\.js">', html)
    assert "<script>" not in html


def test_names_link_to_the_whole_application_and_the_row_shows_the_project(
    client, coordinator, recruiting
):
    ann = _applicant(recruiting, "Ann Able", goals="Learn to test pipelines.")
    Project.objects.create(
        enrolment=ann,
        title="Testing the CPI pipeline",
        description="Write tests for every stage of the monthly prices pipeline.",
        expected_benefit="Fewer late corrections.",
    )
    client.force_login(coordinator)
    review = client.get(_url("review", recruiting)).content.decode()
    link = _url("review_application", recruiting, ann.pk)
    assert f'href="{link}"' in review
    assert "Write tests for every stage" in review
    page = client.get(link).content.decode()
    for text in (
        "Ann Able",
        "Learn to test pipelines.",
        "Testing the CPI pipeline",
        "Fewer late corrections.",
        ann.user.email,
    ):
        assert text in page


def test_the_application_page_is_404_for_another_cohorts_applicant(
    client, coordinator, recruiting, other_cohort
):
    stranger = EnrolmentFactory(cohort=other_cohort, status="applied")
    client.force_login(coordinator)
    assert client.get(_url("review_application", recruiting, stranger.pk)).status_code == 404


def test_a_filter_not_among_the_choices_is_ignored_with_a_notice_and_the_others_kept(
    client, coordinator, recruiting
):
    """An edited or old link (?status=shortlisted): the status is ignored, said on the page,
    and the role filter still applies; before, every filter was dropped without a word."""
    _applicant(recruiting, "Asha Mentee", role="mentee")
    _applicant(recruiting, "Bo Mentor", role="mentor")
    client.force_login(coordinator)
    response = client.get(_url("review", recruiting) + "?role=mentee&status=shortlisted")
    page = response.content.decode()
    assert response.status_code == 200
    assert "The address asked for a status that does not exist: ignored, showing any." in page
    assert "Asha Mentee" in page and "Bo Mentor" not in page
    plain = client.get(_url("review", recruiting) + "?role=mentee").content.decode()
    assert "does not exist" not in plain
