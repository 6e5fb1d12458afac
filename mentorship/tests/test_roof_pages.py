"""The pages the project package composes from several apps: "My programmes" and the cohort hub.

Their access rules (404 for anyone who does not coordinate) are tested with programmes' pages
in programmes/tests/test_views.py, since programmes names them."""

import pytest
from django.urls import reverse

from programmes.tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

# User, cohort, the count, ids and rows of the page of people, their pairs (states), places
# left, undeliverable addresses: the same on every page and at any size (the fixture's cohort is
# not running, so no query for waiting mentees). The session and the menu's coordinator flag come
# from the cache (cached_db sessions, people/roles.py).
COHORT_PAGE_QUERIES = 8


def test_the_cohort_hub_links_to_every_coordinator_page_of_the_cohort(client, coordinator, cohort):
    client.force_login(coordinator)
    s, pk = cohort.programme.slug, cohort.pk
    html = client.get(reverse("programmes:cohort_detail", args=[s, pk])).content.decode()
    for name in [
        "recruitment:review",
        "recruitment:cohort_invite",
        "recruitment:cohort_export",
        "programmes:cohort_edit",
        "pairing:cohort_pairing",
        "pairing:cohort_pairs",
        "feedback:cohort",
        "community:groups",
        "insights:cohort",
        "rhythm:cohort_schedule",
    ]:
        assert f'href="{reverse(name, args=[s, pk])}"' in html, name


def test_the_programme_page_links_to_the_talent_pool_and_dashboard(client, coordinator, programme):
    client.force_login(coordinator)
    html = client.get(reverse("programmes:detail", args=[programme.slug])).content.decode()
    assert reverse("recruitment:talent_pool", args=[programme.slug]) in html
    assert reverse("insights:programme", args=[programme.slug]) in html


def test_cohort_page_filters_people_by_role_and_status(client, coordinator, cohort, mentor, mentee):
    EnrolmentFactory(cohort=cohort, role="mentee", status="waitlisted")
    client.force_login(coordinator)
    url = reverse("programmes:cohort_detail", args=[cohort.programme.slug, cohort.pk])
    assert len(client.get(url).context["enrolments"]) == 3
    mentors = client.get(url, {"role": "mentor"}).context["enrolments"]
    assert [e.user for e in mentors] == [mentor]
    waitlisted = client.get(url, {"role": "mentee", "status": "waitlisted"}).context["enrolments"]
    assert len(waitlisted) == 1


def test_cohort_page_query_count_does_not_grow_with_people(
    client, coordinator, cohort, django_assert_max_num_queries
):
    client.force_login(coordinator)
    url = reverse("programmes:cohort_detail", args=[cohort.programme.slug, cohort.pk])
    EnrolmentFactory.create_batch(3, cohort=cohort)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    EnrolmentFactory.create_batch(30, cohort=cohort)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_cohort_page_lists_people_a_page_at_a_time_keeping_the_filters(
    client, coordinator, cohort, monkeypatch
):
    """A national cohort has tens of thousands of people: the page shows them a page at a time
    (lib/pagination.py), and every page link keeps the filters."""
    monkeypatch.setattr("lib.pagination.PER_PAGE", 2)
    EnrolmentFactory.create_batch(5, cohort=cohort, role="mentee", status="accepted")
    EnrolmentFactory(cohort=cohort, role="mentor", status="accepted")
    client.force_login(coordinator)
    url = reverse("programmes:cohort_detail", args=[cohort.programme.slug, cohort.pk])
    first = client.get(url, {"role": "mentee"})
    assert len(first.context["enrolments"]) == 2
    html = first.content.decode()
    assert 'aria-label="Pages of people"' in html
    assert "?role=mentee&amp;page=2" in html
    assert "5 matching enrolments, 1 to 2 shown" in html
    last = client.get(url, {"role": "mentee", "page": 3})
    assert len(last.context["enrolments"]) == 1
    assert all(e.role == "mentee" for e in last.context["enrolments"])
    assert 'aria-current="page"' in last.content.decode()
    # Past the end or not a number: the last or first page, never an error.
    assert client.get(url, {"role": "mentee", "page": 99}).context["page"].number == 3
    assert client.get(url, {"page": "x"}).context["page"].number == 1


def test_cohort_page_query_count_is_pinned_whatever_the_page(
    client, coordinator, cohort, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr("lib.pagination.PER_PAGE", 3)
    EnrolmentFactory.create_batch(7, cohort=cohort)
    client.force_login(coordinator)
    url = reverse("programmes:cohort_detail", args=[cohort.programme.slug, cohort.pk])
    client.get(url)  # the session's first read
    with django_assert_num_queries(COHORT_PAGE_QUERIES):
        client.get(url)
    with django_assert_num_queries(COHORT_PAGE_QUERIES):
        client.get(url, {"page": 3})


def test_home_lists_a_participants_enrolments_only(client, mentee, cohort, other_cohort):
    EnrolmentFactory(cohort=other_cohort)  # someone else's
    client.force_login(mentee)
    response = client.get(reverse("home"))
    assert [e.cohort for e in response.context["enrolments"]] == [cohort]
    assert list(response.context["coordinated"]) == []
    assert other_cohort.name not in response.content.decode()


def test_participant_sees_a_person_can_be_mentee_and_mentor(client, mentee, programme):
    later = CohortFactory(programme=programme, name="Later cohort")
    EnrolmentFactory(user=mentee, cohort=later, role="mentor")
    client.force_login(mentee)
    html = client.get(reverse("home")).content.decode()
    assert "Mentee" in html and "Mentor" in html


def test_the_programme_page_counts_accepted_people_as_the_cohort_page_counts_places(
    client, coordinator, cohort, mentor, mentee
):
    # Besides the fixture's accepted mentor and mentee: people who take no place.
    for status in ["invited", "applied", "waitlisted", "declined", "withdrawn"]:
        EnrolmentFactory(cohort=cohort, role="mentee", status=status)
        EnrolmentFactory(cohort=cohort, role="mentor", status=status)
    cohort.capacity = 3
    cohort.save()
    client.force_login(coordinator)
    slug = cohort.programme.slug
    hub = client.get(reverse("programmes:cohort_detail", args=[slug, cohort.pk]))
    assert "room for 3 mentees (2 places left)" in hub.content.decode()
    page = client.get(reverse("programmes:detail", args=[slug]))
    (row,) = page.context["cohorts"]
    assert (row.mentee_count, row.mentor_count) == (1, 1)
    assert "<td>1 / 3</td>" in page.content.decode()
