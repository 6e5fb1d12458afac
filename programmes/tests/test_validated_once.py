"""A programme and a cohort, created or changed through their pages: the form checks each field
as typed and the service validates the model once (the forms are no ModelForms; see
docs/architecture.md, "forms"). An edit form shows what is stored, and what only the model
refuses comes back on the form's field."""

import datetime as dt

import pytest
from django.urls import reverse

from programmes.models import Cohort, Programme

from .factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))


@pytest.fixture
def validated(validations):
    return validations({Programme: ("name",), Cohort: ("name",)})


PROGRAMME = {
    "name": "Policy Mentoring",
    "slug": "policy-mentoring",
    "organisation": "Cabinet Office",
    "checkin_cadence_days": 14,
    "length_weeks": 10,
}


def test_a_programme_is_created_and_changed_with_one_validation_each(
    client, staff, outsider, validated
):
    client.force_login(staff)
    assert client.post(reverse("programmes:create"), PROGRAMME).status_code == 302
    assert validated == [("Programme", "Policy Mentoring")]
    programme = Programme.objects.get(slug="policy-mentoring")
    assert programme.duplicate_threshold == 0.35  # left empty: the default
    programme.coordinators.add(outsider)
    Programme.objects.filter(pk=programme.pk).update(duplicate_threshold=0.5)
    validated.clear()
    url = reverse("programmes:edit", args=[programme.slug])
    html = client.get(url).content.decode()
    assert 'value="Policy Mentoring"' in html and 'value="0.5"' in html  # what is stored
    assert outsider.email in html  # the other coordinators
    response = client.post(url, {**PROGRAMME, "name": "Policy mentoring", "length_weeks": 12})
    assert response.status_code == 302 and validated == [("Programme", "Policy mentoring")]
    programme.refresh_from_db()
    assert (programme.name, programme.length_weeks, programme.duplicate_threshold) == (
        "Policy mentoring",
        12,
        0.5,  # left empty: unchanged
    )


def test_a_web_address_taken_is_refused_on_its_field(client, staff):
    ProgrammeFactory(slug="policy-mentoring")
    client.force_login(staff)
    response = client.post(reverse("programmes:create"), PROGRAMME)
    assert response.status_code == 200
    assert response.context["form"].errors == {"slug": ["Programme with this Slug already exists."]}
    assert 'value="Policy Mentoring"' in response.content.decode()


COHORT = {
    "name": "Spring 2028",
    "applications_open": "2027-11-01",
    "applications_close": "2027-12-10",
    "starts_on": "2028-01-10",
    "ends_on": "2028-04-01",
    "capacity": 25,
}


def test_a_cohort_is_created_and_changed_with_one_validation_each(
    client, coordinator, programme, validated
):
    client.force_login(coordinator)
    response = client.post(reverse("programmes:cohort_create", args=[programme.slug]), COHORT)
    assert response.status_code == 302 and validated == [("Cohort", "Spring 2028")]
    cohort = Cohort.objects.get(programme=programme, name="Spring 2028")
    validated.clear()
    url = reverse("programmes:cohort_edit", args=[programme.slug, cohort.pk])
    html = client.get(url).content.decode()
    assert 'value="Spring 2028"' in html and 'value="2028-01-10"' in html  # what is stored
    response = client.post(url, {**COHORT, "capacity": 30})
    assert response.status_code == 302 and validated == [("Cohort", "Spring 2028")]
    cohort.refresh_from_db()
    assert cohort.capacity == 30


def test_a_cohort_name_taken_is_refused_in_plain_words_keeping_what_was_typed(
    client, coordinator, programme
):
    """Seen walking as the coordinator: 'Cohort with this Programme and Name already exists.'"""
    client.force_login(coordinator)
    url = reverse("programmes:cohort_create", args=[programme.slug])
    client.post(url, COHORT)
    response = client.post(url, {**COHORT, "capacity": 31})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This programme already has a cohort with this name: choose another name."
    ]
    assert 'value="31"' in response.content.decode()
    assert Cohort.objects.filter(programme=programme, name="Spring 2028").count() == 1
    # The same name in other letters is the same name to whoever picks a cohort from a list.
    response = client.post(url, {**COHORT, "name": "SPRING 2028"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This programme already has a cohort with this name: choose another name."
    ]
    assert Cohort.objects.filter(programme=programme, name__iexact="spring 2028").count() == 1


def test_a_cohort_that_started_keeps_its_date_and_its_dates_are_checked_by_the_model(
    client, coordinator, cohort
):
    """Its start date is in the past: unchanged, it is no error (only a new date must be today
    or later). Dates out of order are the model's rule, shown on the field; nothing changes."""
    Cohort.objects.filter(pk=cohort.pk).update(
        starts_on=dt.date(2026, 10, 5), ends_on=dt.date(2027, 1, 8)
    )
    client.force_login(coordinator)
    url = reverse("programmes:cohort_edit", args=[cohort.programme.slug, cohort.pk])
    data = {"name": "Autumn 2026", "starts_on": "2026-10-05", "ends_on": "2027-01-08"}
    assert client.post(url, {**data, "capacity": 12}).status_code == 302
    cohort.refresh_from_db()
    assert (cohort.name, cohort.capacity) == ("Autumn 2026", 12)
    response = client.post(url, {**data, "ends_on": "2026-09-01", "capacity": 12})
    assert response.status_code == 200
    assert response.context["form"].errors == {"ends_on": ["The cohort must end after it starts."]}
    response = client.post(url, {**data, "starts_on": "2026-10-06", "capacity": 12})
    assert "This date is in the past" in response.content.decode()  # a new date, in the past
    cohort.refresh_from_db()
    assert (cohort.starts_on, cohort.ends_on) == (dt.date(2026, 10, 5), dt.date(2027, 1, 8))
