import pytest
from django.core.management import CommandError, call_command

from pairing.models import Pair
from people.models import User
from programmes.models import Cohort, Enrolment, Programme

pytestmark = pytest.mark.django_db


def counts():
    return (
        User.objects.count(),
        Programme.objects.count(),
        Cohort.objects.count(),
        Enrolment.objects.count(),
        Pair.objects.count(),
    )


def test_seed_demo_is_idempotent_and_realistic():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first

    programme = Programme.objects.get(name="Data Science Accelerator")
    statuses = set(programme.cohorts.values_list("status", flat=True))
    assert {"finished", "recruiting"} <= statuses
    people = Enrolment.objects.filter(cohort__programme=programme)
    assert people.filter(role="mentee").values("user").distinct().count() >= 40
    assert people.filter(role="mentor").values("user").distinct().count() >= 20
    recruiting = programme.cohorts.get(status="recruiting")
    assert recruiting.enrolments.filter(role="mentee").count() >= 40
    assert recruiting.enrolments.filter(role="mentor").count() >= 20
    orgs = set(User.objects.values_list("profile__organisation", flat=True))
    assert len(orgs) >= 5


def test_seed_demo_logins_work(client):
    call_command("seed_demo")
    for email in [
        "admin@example.com",
        "coordinator@example.com",
        "mentor@example.com",
        "mentee@example.com",
    ]:
        assert client.login(email=email, password="demo-password-123"), email
    assert User.objects.get(email="admin@example.com").is_superuser
    programme = Programme.objects.get(name="Data Science Accelerator")
    assert programme.coordinators.filter(email="coordinator@example.com").exists()


def test_demo_coordinator_sees_the_programme_and_cohorts(client):
    call_command("seed_demo")
    client.login(email="coordinator@example.com", password="demo-password-123")
    html = client.get("/programmes/data-science-accelerator/").content.decode()
    assert "Spring 2026" in html and "Spring 2027" in html


def test_seed_demo_refuses_outside_local_mode(settings):
    settings.LOCAL = False
    with pytest.raises(CommandError, match="local mode"):
        call_command("seed_demo")
    assert User.objects.count() == 0
    call_command("seed_demo", "--force")
    assert User.objects.count() > 0
