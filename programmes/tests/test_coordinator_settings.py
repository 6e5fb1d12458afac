"""What a coordinator decides is on the coordinator's pages, not only in the Django admin:
line-manager sign-off, the duplicate-project threshold, a mentor's capacity, and the way to the
skill suggestions."""

import pytest
from django.urls import reverse

from people.models import AuditEvent
from people.tests.factories import SkillFactory
from programmes.models import Enrolment

pytestmark = pytest.mark.django_db


def _programme_data(programme, **extra):
    return {
        "name": programme.name,
        "slug": programme.slug,
        "organisation": programme.organisation,
        "checkin_cadence_days": 14,
        "length_weeks": 12,
        **extra,
    }


def test_the_coordinator_turns_sign_off_on_and_sets_the_duplicate_threshold(
    client, coordinator, programme
):
    client.force_login(coordinator)
    page = client.get(programme.get_absolute_url()).content.decode()
    assert "line-manager sign-off off" in page and "35% similar" in page
    assert reverse("programmes:edit", args=[programme.slug]) in page
    response = client.post(
        reverse("programmes:edit", args=[programme.slug]),
        _programme_data(programme, requires_manager_signoff="on", duplicate_threshold="0.5"),
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.requires_manager_signoff is True and programme.duplicate_threshold == 0.5
    # Left empty, the threshold stays as it is.
    client.post(reverse("programmes:edit", args=[programme.slug]), _programme_data(programme))
    programme.refresh_from_db()
    assert programme.duplicate_threshold == 0.5 and programme.requires_manager_signoff is False


@pytest.mark.parametrize("bad", ["0", "1.5", "-1", "nan", "inf", "abc"])
def test_a_threshold_out_of_range_is_refused_with_what_was_typed_kept(
    client, coordinator, programme, bad
):
    client.force_login(coordinator)
    response = client.post(
        reverse("programmes:edit", args=[programme.slug]),
        _programme_data(programme, name="Renamed", duplicate_threshold=bad),
    )
    assert response.status_code == 200 and 'value="Renamed"' in response.content.decode()
    programme.refresh_from_db()
    assert programme.duplicate_threshold == 0.35


def test_the_coordinator_changes_a_mentors_capacity_from_the_cohort_page(
    client, coordinator, cohort, mentor, mentee
):
    enrolment = Enrolment.objects.get(user=mentor)
    url = reverse(
        "programmes:mentor_capacity", args=[cohort.programme.slug, cohort.pk, enrolment.pk]
    )
    client.force_login(coordinator)
    assert url in client.get(cohort.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 200
    bad = client.post(url, {"capacity": "25"})
    assert bad.status_code == 200 and "less than or equal to 20" in bad.content.decode()
    assert client.post(url, {"capacity": "3", "agreement": "Agreed by email"}).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.capacity == 3
    assert AuditEvent.objects.filter(action="mentor-capacity-changed", actor=coordinator).exists()
    # A mentee has no capacity page.
    mentee_place = Enrolment.objects.get(user=mentee)
    other = reverse(
        "programmes:mentor_capacity", args=[cohort.programme.slug, cohort.pk, mentee_place.pk]
    )
    assert client.get(other).status_code == 404


def test_coordinators_find_the_skill_suggestions_from_their_programmes_page(
    client, coordinator, programme, mentee
):
    SkillFactory(name="Quantum basket weaving", approved=False, suggested_by=mentee)
    client.force_login(coordinator)
    page = client.get(reverse("programmes:list")).content.decode()
    assert reverse("people:skill_suggestions") in page and "1 waiting" in page
    client.force_login(mentee)
    page = client.get(reverse("programmes:list")).content.decode()
    assert reverse("people:skill_suggestions") not in page
