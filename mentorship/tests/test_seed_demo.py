import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from mentorship.management.commands.seed_demo import LATE_ACCEPTANCES
from pairing.models import MatchRun, Pair
from people.models import User
from programmes.models import Cohort, Enrolment, Programme
from recruitment.models import Project
from recruitment.selectors import review_rows

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
    for cohort in Programme.objects.get(slug="data-science-accelerator").cohorts.all():
        assert cohort.name in html


def test_seed_demo_refuses_outside_local_mode(settings):
    settings.LOCAL = False
    with pytest.raises(CommandError, match="local mode"):
        call_command("seed_demo")
    assert User.objects.count() == 0
    call_command("seed_demo", "--force")
    assert User.objects.count() > 0


def _cohorts():
    programme = Programme.objects.get(slug="data-science-accelerator")
    return {c.status: c for c in programme.cohorts.all()}, programme


@pytest.mark.parametrize(
    "now",
    [dt.datetime(2027, 6, 16, 10, tzinfo=dt.UTC), dt.datetime(2029, 2, 3, 10, tzinfo=dt.UTC)],
)
def test_the_demo_is_placed_around_today(time_machine, now):
    time_machine.move_to(now, tick=False)
    today = now.date()
    call_command("seed_demo")
    cohorts, programme = _cohorts()
    assert set(cohorts) == {"finished", "running", "recruiting"}
    finished, running, recruiting = cohorts["finished"], cohorts["running"], cohorts["recruiting"]
    assert finished.ends_on < running.starts_on and finished.ends_on < today
    # Running, about half-way through.
    assert running.starts_on <= today <= running.ends_on
    elapsed = (today - running.starts_on).days / (running.ends_on - running.starts_on).days
    assert 0.3 <= elapsed <= 0.7
    # Recruiting: applications have been open for weeks and stay open for weeks more.
    assert recruiting.applications_open <= today - dt.timedelta(weeks=3)
    assert recruiting.applications_close >= today + dt.timedelta(weeks=2)
    assert recruiting.is_open_for_applications
    assert recruiting.starts_on > recruiting.applications_close
    # Pairs and meetings are in the past, the running cohort's check-ins up to today.
    assert not Pair.objects.filter(started_on__gt=today).exists()
    last = max(running.pairs.values_list("checkins__met_on", flat=True), key=lambda d: d or today)
    assert today - dt.timedelta(weeks=3) <= last <= today


def test_the_recruiting_cohort_shows_proposals_duplicates_a_withdrawal_and_late_joiners():
    call_command("seed_demo")
    cohorts, programme = _cohorts()
    recruiting = cohorts["recruiting"]
    projects = Project.objects.filter(enrolment__cohort=recruiting)
    assert projects.count() >= 10
    assert all(p.priorities.exists() for p in projects)
    flagged = review_rows(cohort=recruiting, duplicates_only=True)
    # Exactly the two near-duplicate A&E forecasting projects, each flagged with the other.
    assert sorted("A&E" in r["project"].title for r in flagged) == [True, True]
    assert {r["similar"][0][0].pk for r in flagged} == {r["project"].pk for r in flagged}

    run = MatchRun.objects.get(cohort=recruiting)
    assert run.status == "draft" and run.proposals.exists()
    in_run = set(run.proposals.values_list("mentee_id", flat=True))
    withdrawn = recruiting.enrolments.filter(role="mentee", status="withdrawn")
    assert withdrawn.count() == 1 and withdrawn.get().pk in in_run  # withdrew after the run
    late = recruiting.enrolments.filter(
        role="mentee", status="accepted", decided_at__gt=run.created_at
    )
    assert late.count() == LATE_ACCEPTANCES
    assert not in_run & set(late.values_list("pk", flat=True))


def test_a_stale_demo_is_laid_out_again_around_today(time_machine):
    time_machine.move_to(dt.datetime(2027, 6, 16, 10, tzinfo=dt.UTC), tick=False)
    call_command("seed_demo")
    first = {c.status: c.name for c in _cohorts()[0].values()}
    users = User.objects.count()
    time_machine.move_to(dt.datetime(2028, 3, 1, 10, tzinfo=dt.UTC), tick=False)
    call_command("seed_demo")
    cohorts, _ = _cohorts()
    assert len(cohorts) == 3 and Cohort.objects.count() == 3
    today = dt.date(2028, 3, 1)
    assert cohorts["running"].starts_on <= today <= cohorts["running"].ends_on
    assert {c.status: c.name for c in cohorts.values()} != first
    assert User.objects.count() == users  # the same people, in new cohorts


def test_a_second_run_keeps_the_cohorts_a_coordinator_moved_on(time_machine):
    time_machine.move_to(dt.datetime(2027, 6, 16, 10, tzinfo=dt.UTC), tick=False)
    call_command("seed_demo")
    cohorts, _ = _cohorts()
    recruiting = cohorts["recruiting"]
    Cohort.objects.filter(pk=recruiting.pk).update(status="matching")
    time_machine.move_to(dt.datetime(2027, 6, 20, 10, tzinfo=dt.UTC), tick=False)
    call_command("seed_demo")
    assert Cohort.objects.count() == 3
    recruiting.refresh_from_db()
    assert recruiting.status == "matching"
