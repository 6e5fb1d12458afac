"""In choice mode an accepted mentee finds the page that ranks their shortlist from their home
page; nobody else is shown the link."""

import pytest
from django.urls import reverse

from pairing.models import PairingSettings
from programmes.models import Cohort

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("choice_mode", "status", "shown"),
    [(True, "matching", True), (True, "recruiting", True), (False, "matching", False),
     (True, "running", False)],
)  # fmt: skip
def test_the_ranking_page_is_linked_from_home_while_the_mentee_can_rank(
    client, programme, cohort, mentee, mentor, choice_mode, status, shown
):
    PairingSettings.objects.create(programme=programme, choice_mode=choice_mode)
    Cohort.objects.filter(pk=cohort.pk).update(status=status)
    url = reverse("pairing:choose", args=[cohort.pk])
    client.force_login(mentee)
    assert (url in client.get(reverse("home")).content.decode()) is shown
    client.force_login(mentor)
    assert url not in client.get(reverse("home")).content.decode()


def test_the_places_to_rank_take_two_queries(programme, cohort, mentee, django_assert_num_queries):
    from pairing.selectors import cohorts_to_rank_for

    PairingSettings.objects.create(programme=programme, choice_mode=True)
    Cohort.objects.filter(pk=cohort.pk).update(status="matching")
    with django_assert_num_queries(2):
        assert [e.cohort_id for e in cohorts_to_rank_for(user=mentee)] == [cohort.pk]
