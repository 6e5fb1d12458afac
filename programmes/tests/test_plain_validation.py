"""Issue 17, item 3: cohort and programme forms refuse impossible values in plain words (never
the database's own "Constraint … is violated"), and a cohort dated in the past is not offered."""

import datetime as dt

import pytest
from django.urls import reverse

from programmes.models import Cohort, Programme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))


def _programme_data(**extra):
    data = {
        "name": "Data Science Accelerator",
        "slug": "dsa-2",
        "organisation": "ONS",
        "description": "",
        "checkin_cadence_days": 14,
        "length_weeks": 12,
    }
    return {**data, **extra}


def test_a_programme_of_0_weeks_is_a_form_error_not_a_database_message(client, staff):
    client.force_login(staff)
    response = client.post(reverse("programmes:create"), _programme_data(length_weeks=0))
    html = response.content.decode()
    assert response.status_code == 200
    assert "A programme lasts at least 1 week." in html
    assert "Constraint" not in html and "programme_length_pos" not in html
    assert not Programme.objects.filter(slug="dsa-2").exists()


def test_a_check_in_cadence_of_0_days_is_a_form_error(client, coordinator, programme):
    client.force_login(coordinator)
    url = reverse("programmes:edit", args=[programme.slug])
    response = client.post(url, _programme_data(slug=programme.slug, checkin_cadence_days=0))
    assert "Constraint" not in response.content.decode()
    assert "1 day or more" in response.content.decode()


def _cohort_data(**extra):
    data = {
        "name": "Spring 2027",
        "starts_on": "2027-01-11",
        "ends_on": "2027-04-02",
        "capacity": 20,
    }
    return {**data, **extra}


def test_a_cohort_of_capacity_0_is_refused_in_words(client, coordinator, programme):
    client.force_login(coordinator)
    response = client.post(
        reverse("programmes:cohort_create", args=[programme.slug]), _cohort_data(capacity=0)
    )
    assert "A cohort takes at least 1 mentee." in response.content.decode()
    assert not Cohort.objects.filter(programme=programme).exists()


def test_a_new_cohort_dated_in_the_past_is_refused(client, coordinator, programme):
    client.force_login(coordinator)
    response = client.post(
        reverse("programmes:cohort_create", args=[programme.slug]),
        _cohort_data(starts_on="2020-01-06", ends_on="2020-04-03"),
    )
    assert "This date is in the past" in response.content.decode()
    assert 'value="2020-01-06"' in response.content.decode()  # what was typed is kept
    assert not Cohort.objects.filter(programme=programme).exists()


def test_a_cohort_dated_in_the_past_cannot_recruit_nor_be_offered(client, coordinator, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(
        starts_on=dt.date(2020, 1, 6),
        ends_on=dt.date(2020, 4, 3),
        applications_close=None,
        applications_open=None,
    )
    client.force_login(coordinator)
    url = reverse("programmes:cohort_status", args=[cohort.programme.slug, cohort.pk])
    response = client.post(url, {"status": "recruiting"}, follow=True)
    cohort.refresh_from_db()
    assert cohort.status == "draft"
    assert "which is not in the future: nobody can apply to it" in response.content.decode()
    # Even if it was recruiting already, nobody is offered a place in it.
    Cohort.objects.filter(pk=cohort.pk).update(status="recruiting")
    cohort.refresh_from_db()
    assert not cohort.is_open_for_applications


def test_moving_a_cohort_is_confirmed_first_and_done_once(client, coordinator, cohort):
    client.force_login(coordinator)
    url = reverse("programmes:cohort_status", args=[cohort.programme.slug, cohort.pk])
    page = client.get(url, {"status": "recruiting"}).content.decode()
    assert "offered to everyone signed in" in page
    cohort.refresh_from_db()
    assert cohort.status == "draft"
    data = {"status": "recruiting", "form_token": "r" * 32}
    client.post(url, data)
    Cohort.objects.filter(pk=cohort.pk).update(status="draft")  # moved back meanwhile
    again = client.post(url, data, follow=True)
    cohort.refresh_from_db()
    assert cohort.status == "draft"
    assert "This was already done: The cohort is now recruiting." in again.content.decode()
