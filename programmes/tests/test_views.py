import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from programmes.models import Cohort, Programme

pytestmark = pytest.mark.django_db


def coordinator_urls(programme, cohort):
    s, pk = programme.slug, cohort.pk
    return [
        ("get", reverse("programmes:detail", args=[s])),
        ("get", reverse("programmes:edit", args=[s])),
        ("post", reverse("programmes:edit", args=[s])),
        ("get", reverse("programmes:cohort_create", args=[s])),
        ("post", reverse("programmes:cohort_create", args=[s])),
        ("get", reverse("programmes:cohort_detail", args=[s, pk])),
        ("get", reverse("programmes:cohort_edit", args=[s, pk])),
        ("post", reverse("programmes:cohort_edit", args=[s, pk])),
        ("post", reverse("programmes:cohort_status", args=[s, pk])),
    ]


@pytest.mark.parametrize("persona", ["mentor", "mentee", "outsider"])
def test_participants_and_outsiders_get_404_on_coordinator_pages(request, client, cohort, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for method, url in coordinator_urls(cohort.programme, cohort):
        response = getattr(client, method)(url, {"status": "recruiting", "name": "Hacked"})
        assert response.status_code == 404, (persona, method, url)
    cohort.refresh_from_db()
    assert cohort.status == "draft" and cohort.name == "Spring 2027"


def test_coordinator_gets_404_on_another_programmes_pages(client, coordinator, other_cohort):
    client.force_login(coordinator)
    for method, url in coordinator_urls(other_cohort.programme, other_cohort):
        assert getattr(client, method)(url, {"status": "recruiting"}).status_code == 404, url


def test_cohort_of_another_programme_is_404_even_under_own_programme_slug(
    client, coordinator, programme, other_cohort
):
    client.force_login(coordinator)
    url = reverse("programmes:cohort_detail", args=[programme.slug, other_cohort.pk])
    assert client.get(url).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, cohort):
    for _method, url in coordinator_urls(cohort.programme, cohort):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    for name in ["home", "programmes:list", "people:profile"]:
        assert client.get(reverse(name)).url.startswith(reverse("account_login"))


def test_landing_and_account_pages_are_public(client):
    assert client.get(reverse("landing")).status_code == 200
    assert client.get(reverse("account_login")).status_code == 200
    assert client.get(reverse("account_signup")).status_code == 200
    assert client.get(reverse("account_reset_password")).status_code == 200


def test_coordinator_sees_only_their_programmes(client, coordinator, programme, other_programme):
    client.force_login(coordinator)
    response = client.get(reverse("programmes:list"))
    assert list(response.context["programmes"]) == [programme]
    assert other_programme.name not in response.content.decode()


def test_staff_see_and_manage_every_programme(client, staff, programme, other_cohort):
    client.force_login(staff)
    response = client.get(reverse("programmes:list"))
    assert set(response.context["programmes"]) == {programme, other_cohort.programme}
    url = reverse("programmes:cohort_detail", args=[other_cohort.programme.slug, other_cohort.pk])
    assert client.get(url).status_code == 200


def test_coordinator_edits_their_programme(client, coordinator, programme, outsider):
    client.force_login(coordinator)
    response = client.post(
        reverse("programmes:edit", args=[programme.slug]),
        {
            "name": "Data Science Accelerator",
            "slug": programme.slug,
            "organisation": "ONS",
            "description": "Twelve weeks.",
            "checkin_cadence_days": 7,
            "length_weeks": 12,
            "coordinator_emails": outsider.email,
        },
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.checkin_cadence_days == 7
    assert set(programme.coordinators.all()) == {coordinator, outsider}


def test_programme_form_keeps_what_was_typed_on_error(client, coordinator, programme):
    client.force_login(coordinator)
    response = client.post(
        reverse("programmes:edit", args=[programme.slug]),
        {
            "name": "Renamed programme",
            "slug": programme.slug,
            "organisation": "ONS",
            "checkin_cadence_days": 0,
            "length_weeks": 12,
            "coordinator_emails": "nobody@example.gov.uk",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Renamed programme"' in html
    assert "No account uses: nobody@example.gov.uk" in html
    programme.refresh_from_db()
    assert programme.name == "Data Science Accelerator"


def test_programme_creation_needs_permission(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("programmes:create")).status_code == 404
    outsider.user_permissions.add(Permission.objects.get(codename="add_programme"))
    response = client.post(
        reverse("programmes:create"),
        {
            "name": "Policy Mentoring",
            "slug": "policy-mentoring",
            "organisation": "Cabinet Office",
            "checkin_cadence_days": 14,
            "length_weeks": 10,
        },
    )
    programme = Programme.objects.get(slug="policy-mentoring")
    assert response.url == programme.get_absolute_url()
    assert list(programme.coordinators.all()) == [outsider]


def test_coordinator_creates_and_edits_a_cohort(client, coordinator, programme):
    client.force_login(coordinator)
    data = {
        "name": "Spring 2028",
        "applications_open": "2027-11-01",
        "applications_close": "2027-12-10",
        "starts_on": "2028-01-10",
        "ends_on": "2028-04-01",
        "capacity": 25,
    }
    response = client.post(reverse("programmes:cohort_create", args=[programme.slug]), data)
    cohort = Cohort.objects.get(programme=programme, name="Spring 2028")
    assert response.url == cohort.get_absolute_url()
    assert cohort.status == "draft"
    data["capacity"] = 30
    client.post(reverse("programmes:cohort_edit", args=[programme.slug, cohort.pk]), data)
    cohort.refresh_from_db()
    assert cohort.capacity == 30


def test_cohort_form_shows_date_errors_and_keeps_input(client, coordinator, programme):
    client.force_login(coordinator)
    response = client.post(
        reverse("programmes:cohort_create", args=[programme.slug]),
        {"name": "Backwards", "starts_on": "2028-04-01", "ends_on": "2028-01-01", "capacity": 5},
    )
    assert response.status_code == 200
    assert "The cohort must end after it starts." in response.content.decode()
    assert 'value="Backwards"' in response.content.decode()
    assert not Cohort.objects.filter(name="Backwards").exists()


def test_coordinator_changes_cohort_status_and_bad_moves_are_refused(client, coordinator, cohort):
    client.force_login(coordinator)
    url = reverse("programmes:cohort_status", args=[cohort.programme.slug, cohort.pk])
    client.post(url, {"status": "running"})
    cohort.refresh_from_db()
    assert cohort.status == "draft"
    confirm = client.get(url, {"status": "recruiting"})
    assert "Move Spring 2027 from draft to recruiting?" in confirm.content.decode()
    cohort.refresh_from_db()
    assert cohort.status == "draft"  # showing the confirmation changes nothing
    client.post(url, {"status": "recruiting"})
    cohort.refresh_from_db()
    assert cohort.status == "recruiting"
