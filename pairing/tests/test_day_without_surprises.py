"""Issue 17 (items 1, 2, 5 and 16) through the pages: the pairing review says what it means,
a starting pair can log its introduction, and no form does its work twice."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from lib.audit import AuditContext
from pairing import services
from pairing.models import CheckIn, Pair
from pairing.tests import test_workflow
from pairing.tests.factories import PairFactory
from pairing.tests.test_workflow import person, run_args, start
from programmes.models import Cohort
from programmes.tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

people = test_workflow.people  # the fixture: two mentors, three mentees

TODAY = dt.date(2026, 11, 29)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))


@pytest.fixture
def matching_cohort(cohort):
    Cohort.objects.filter(pk=cohort.pk).update(status="matching")
    cohort.refresh_from_db()
    return cohort


def _page(client, run):
    return client.get(reverse("pairing:run", args=run_args(run))).content.decode()


def test_a_swap_counts_each_mentors_mentees_as_they_will_be(
    client,
    coordinator,
    matching_cohort,
    people,
):
    """Ada (2 places) has Cy and Ed, Bo (1 place) has Di: swapping Cy and Di leaves each mentor
    within capacity, so no "over capacity" warning (it used to say "2 mentees for 1 places")."""
    run = start(matching_cohort, coordinator)
    cy, di = run.proposals.get(mentee=people["cy"]), run.proposals.get(mentee=people["di"])
    assert (cy.mentor, di.mentor) == (people["ada"], people["bo"])
    client.force_login(coordinator)
    client.post(reverse("pairing:proposal_swap", args=[*run_args(run), cy.pk]), {"other": di.pk})
    cy.refresh_from_db()
    di.refresh_from_db()
    assert cy.mentor == people["bo"] and di.mentor == people["ada"]
    assert not [w for w in cy.warnings + di.warnings if "capacity" in w]


def test_the_summary_follows_an_exclude_like_the_publish_button(
    client,
    coordinator,
    matching_cohort,
    people,
):
    run = start(matching_cohort, coordinator)
    client.force_login(coordinator)
    cy = run.proposals.get(mentee=people["cy"])
    client.post(reverse("pairing:proposal_exclude", args=[*run_args(run), cy.pk]))
    html = _page(client, run)
    summary = re.search(r'<p id="run-summary"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "<strong>2 pairs</strong> for 3 mentees, 1 without a mentor" in summary
    assert "(after your changes)" in summary


def test_the_mentor_menu_says_places_used_and_a_full_mentor_cannot_be_chosen(
    client,
    coordinator,
    matching_cohort,
    people,
):
    run = start(matching_cohort, coordinator)
    client.force_login(coordinator)
    html = _page(client, run)
    assert "(1/1)" not in html and "(2/2)" not in html
    bo = people["bo"]
    # In Ed's menu (Ed is Ada's), Bo is full: listed, explained, not choosable.
    ed = run.proposals.get(mentee=people["ed"])
    menu = re.search(rf'<select[^>]*id="re-{ed.pk}"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert f'<option value="{bo.pk}" disabled>Bo – 1 of 1 place used (full)</option>' in menu
    assert f'<option value="{people["ada"].pk}" selected>Ada – 2 of 2 places used (full)' in menu


def test_the_review_page_makes_the_same_number_of_queries_for_more_pairs(
    client,
    coordinator,
    matching_cohort,
    people,
    django_assert_num_queries,
):
    run = start(matching_cohort, coordinator)
    client.force_login(coordinator)
    url = reverse("pairing:run", args=run_args(run))
    client.get(url)  # warm the session and the cached "Coordinate" menu flag
    # 6: the session comes from the cache and the menu flag too (issue 19), 8 before.
    with django_assert_num_queries(6):
        client.get(url)
    for i in range(10):
        EnrolmentFactory(
            user=person(f"more{i}@example.gov.uk", grade=4), cohort=matching_cohort, role="mentee"
        )
        EnrolmentFactory(
            user=person(f"guide{i}@example.gov.uk", grade=7),
            cohort=matching_cohort,
            role="mentor",
            capacity=3,
        )
    bigger = start(matching_cohort, coordinator)
    assert bigger.proposals.count() > 10
    url = reverse("pairing:run", args=run_args(bigger))
    with django_assert_num_queries(6):
        client.get(url)


def test_re_pairing_after_not_a_good_fit_never_suggests_the_same_mentor(
    client,
    coordinator,
    matching_cohort,
    people,
):
    run = start(matching_cohort, coordinator)
    services.match_run_publish(run=run, ctx=AuditContext(actor=coordinator))
    pair = Pair.objects.get(mentee=people["cy"])
    assert pair.mentor == people["ada"]  # Ada keeps a free place once the pair ends
    client.force_login(coordinator)
    slug, pk = matching_cohort.programme.slug, matching_cohort.pk
    client.post(
        reverse("pairing:pair_end", args=[slug, pk, pair.pk]), {"reason": "poor_fit", "note": ""}
    )
    page = client.get(reverse("pairing:repair", args=[slug, pk, people["cy"].pk]))
    assert people["ada"] not in [o["mentor"] for o in page.context["options"]]


# --- A pair whose cohort has not started ----------------------------------------------------


@pytest.fixture
def starting_pair(cohort):
    """Published today; the cohort starts in six weeks."""
    Cohort.objects.filter(pk=cohort.pk).update(
        status="running", starts_on=TODAY + dt.timedelta(days=42), ends_on=dt.date(2027, 6, 1)
    )
    cohort.refresh_from_db()
    return PairFactory(cohort=cohort, started_on=cohort.starts_on)


def _checkin(**extra):
    data = {
        "met_on": TODAY.isoformat(),
        "duration_minutes": 45,
        "format": "video",
        "worked_on": "Introductions",
        "rating": 4,
        "wellbeing": 4,
        "protected_time_kept": "on",
    }
    return {**data, **extra}


def test_a_starting_pair_can_log_its_introduction_and_is_not_paired_since_the_future(
    client, starting_pair
):
    client.force_login(starting_pair.mentor.user)
    url = reverse("pairing:detail", args=[starting_pair.pk])
    html = client.get(url).content.decode()
    assert "paired since" not in html
    assert "the programme starts on 10 January 2027" in html
    response = client.post(url, _checkin())
    assert response.status_code == 302
    assert CheckIn.objects.filter(pair=starting_pair, met_on=TODAY).count() == 1
    # Before the pair was made is still refused, in plain words.
    refused = client.post(url, _checkin(met_on="2026-11-01"))
    assert "before you were paired" in refused.content.decode()


def test_a_starting_cohort_says_starting_with_days_to_go(starting_pair):
    cohort = starting_pair.cohort
    assert cohort.status_label == "Starting" and cohort.days_to_start == 42


def test_resubmitting_a_check_in_saves_it_once(client, starting_pair):
    client.force_login(starting_pair.mentee.user)
    url = reverse("pairing:detail", args=[starting_pair.pk])
    html = client.get(url).content.decode()
    assert re.search(r'<form method="post" novalidate autocomplete="off">', html)
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    client.post(url, _checkin(form_token=token))
    again = client.post(url, _checkin(form_token=token), follow=True)
    assert CheckIn.objects.filter(pair=starting_pair).count() == 1
    assert "This was already done: Check-in logged." in again.content.decode()


def test_ending_a_pair_twice_from_the_same_page_is_answered_already_done(
    client, coordinator, starting_pair
):
    cohort = starting_pair.cohort
    client.force_login(coordinator)
    url = reverse("pairing:pair_end", args=[cohort.programme.slug, cohort.pk, starting_pair.pk])
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode()).group(
        1
    )
    data = {"reason": "poor_fit", "note": "", "form_token": token}
    client.post(url, data)
    again = client.post(url, data, follow=True)
    assert "This was already done" in again.content.decode()


def test_publishing_twice_from_the_same_page_is_answered_already_done(
    client, coordinator, matching_cohort, people
):
    run = start(matching_cohort, coordinator)
    client.force_login(coordinator)
    url = reverse("pairing:run_publish", args=run_args(run))
    html = client.get(url).content.decode()  # the confirmation page carries the token
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    client.post(url, {"form_token": token})
    again = client.post(url, {"form_token": token}, follow=True)
    assert "This was already done: Published 3 pairs" in again.content.decode()
    assert Pair.objects.filter(cohort=matching_cohort).count() == 3


def test_a_resent_re_pairing_is_done_once(client, coordinator, matching_cohort, people):
    run = start(matching_cohort, coordinator)
    services.match_run_publish(run=run, ctx=AuditContext(actor=coordinator))
    pair = Pair.objects.get(mentee=people["cy"])
    services.pair_end(pair=pair, ctx=AuditContext(actor=coordinator), reason="workload")
    fay = EnrolmentFactory(
        user=person("fay@example.gov.uk", grade=7, org="DWP"),
        cohort=matching_cohort,
        role="mentor",
        capacity=1,
    )
    client.force_login(coordinator)
    slug, pk = matching_cohort.programme.slug, matching_cohort.pk
    url = reverse("pairing:repair", args=[slug, pk, people["cy"].pk])
    token = re.search(r'name="form_token" value="([^"]+)"', client.get(url).content.decode())
    data = {"mentor": fay.pk, "form_token": token.group(1)}
    client.post(url, data)
    again = client.post(url, data, follow=True)
    assert "This was already done: Paired." in again.content.decode()
    assert Pair.objects.filter(mentee=people["cy"], status="active").count() == 1
