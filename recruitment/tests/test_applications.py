import datetime as dt

import pytest
from django.urls import reverse

from notifications.models import Email
from people.models import AuditEvent
from programmes.models import Cohort, Enrolment
from programmes.tests.factories import EnrolmentFactory
from recruitment.models import BusinessPriority, Project
from recruitment.services import manager_signoff_token

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY)


@pytest.fixture
def recruiting(cohort):
    Cohort.objects.filter(pk=cohort.pk).update(status="recruiting")
    cohort.refresh_from_db()
    return cohort


@pytest.fixture
def applicant(outsider):
    return outsider  # someone with an account and no enrolment yet


def mentee_data(**extra):
    return {
        "goals": "Learn to automate my team's reporting.",
        "title": "Automating the monthly inflation report with Python",
        "description": "Replace the spreadsheet pipeline behind the monthly CPI publication.",
        "expected_benefit": "Two days a month saved for the prices team.",
        **extra,
    }


def test_mentee_applies_with_a_project_and_sees_their_status(client, recruiting, applicant):
    priority = BusinessPriority.objects.create(programme=recruiting.programme, name="Automation")
    client.force_login(applicant)
    home = client.get(reverse("home")).content.decode()
    assert reverse("recruitment:apply", args=[recruiting.pk, "mentee"]) in home
    response = client.post(
        reverse("recruitment:apply", args=[recruiting.pk, "mentee"]),
        mentee_data(priorities=[priority.pk]),
    )
    enrolment = Enrolment.objects.get(user=applicant, cohort=recruiting)
    assert response.url == reverse("recruitment:application", args=[enrolment.pk])
    assert (enrolment.role, enrolment.status) == ("mentee", "applied")
    assert enrolment.applied_at is not None
    assert list(enrolment.project.priorities.all()) == [priority]
    page = client.get(response.url).content.decode()
    assert "Applied" in page and "Automating the monthly inflation report" in page


def test_application_form_keeps_what_was_typed_on_error(client, recruiting, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("recruitment:apply", args=[recruiting.pk, "mentee"]),
        mentee_data(description=""),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Automating the monthly inflation report with Python"' in html
    assert "Two days a month saved" in html
    assert "Your application is not sent yet" in html
    assert not Enrolment.objects.filter(user=applicant).exists()


def test_mentor_volunteers_with_capacity_topics_and_availability(client, recruiting, applicant):
    client.force_login(applicant)
    client.post(
        reverse("recruitment:apply", args=[recruiting.pk, "mentor"]),
        {"capacity": 3, "availability": "Tuesday afternoons", "goals": ""},
    )
    enrolment = Enrolment.objects.get(user=applicant)
    assert (enrolment.role, enrolment.capacity, enrolment.availability) == (
        "mentor",
        3,
        "Tuesday afternoons",
    )
    assert not Project.objects.exists()


def test_an_invitation_becomes_an_application(client, recruiting, applicant):
    EnrolmentFactory(user=applicant, cohort=recruiting, role="mentee", status="invited")
    client.force_login(applicant)
    client.post(reverse("recruitment:apply", args=[recruiting.pk, "mentee"]), mentee_data())
    assert Enrolment.objects.get(user=applicant).status == "applied"
    assert Enrolment.objects.filter(user=applicant).count() == 1


def test_cohort_not_recruiting_or_closed_is_404(
    client, cohort, recruiting, applicant, time_machine
):
    client.force_login(applicant)
    Cohort.objects.filter(pk=cohort.pk).update(status="draft")
    url = reverse("recruitment:apply", args=[cohort.pk, "mentee"])
    assert client.get(url).status_code == 404
    Cohort.objects.filter(pk=cohort.pk).update(status="recruiting")
    assert client.get(url).status_code == 200
    time_machine.move_to(dt.datetime(2026, 12, 20, tzinfo=dt.UTC))  # closed 15 December
    client.force_login(applicant)
    assert client.post(url, mentee_data()).status_code == 404
    assert not Enrolment.objects.filter(user=applicant).exists()


def _past_project(programme, title, description):
    past = Cohort.objects.create(
        programme=programme,
        name="Past",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 4, 1),
        status="finished",
    )
    enrolment = EnrolmentFactory(cohort=past, role="mentee")
    return Project.objects.create(enrolment=enrolment, title=title, description=description)


def test_mentee_is_warned_about_similar_past_projects(client, recruiting, applicant):
    past = _past_project(
        recruiting.programme,
        "Python automation of the monthly CPI inflation publication",
        "Automate the spreadsheet pipeline behind the monthly inflation (CPI) report.",
    )
    client.force_login(applicant)
    response = client.post(
        reverse("recruitment:apply_similar", args=[recruiting.pk]),
        {"title": mentee_data()["title"], "description": mentee_data()["description"]},
    )
    html = response.content.decode()
    assert "Similar projects already exist" in html and past.title in html
    unrelated = client.post(
        reverse("recruitment:apply_similar", args=[recruiting.pk]),
        {"title": "Chatbot for HR policy questions", "description": "An assistant for HR."},
    ).content.decode()
    assert "Similar projects" not in unrelated


def test_manager_signoff_link_works_once_and_cannot_be_tampered_with(client, recruiting, applicant):
    programme = recruiting.programme
    programme.requires_manager_signoff = True
    programme.save()
    client.force_login(applicant)
    client.post(
        reverse("recruitment:apply", args=[recruiting.pk, "mentee"]),
        mentee_data(manager_email="Boss@Example.gov.uk"),
    )
    enrolment = Enrolment.objects.get(user=applicant)
    assert (enrolment.manager_email, enrolment.manager_decision) == (
        "boss@example.gov.uk",
        "pending",
    )
    email = Email.objects.get(kind="manager-signoff")
    assert email.to == "boss@example.gov.uk"
    token = manager_signoff_token(enrolment)
    assert token in email.body_text

    client.logout()  # the manager has no account
    url = reverse("recruitment:manager_signoff", args=[token])
    assert client.get(url).status_code == 200
    client.post(url, {"decision": "approve"})
    enrolment.refresh_from_db()
    assert enrolment.manager_decision == "approved" and enrolment.manager_decided_at
    response = client.post(url, {"decision": "decline"})
    enrolment.refresh_from_db()
    assert enrolment.manager_decision == "approved"
    assert response.status_code == 404  # the link is spent once a decision is recorded
    tampered = reverse("recruitment:manager_signoff", args=[token[:-2] + "xx"])
    assert client.get(tampered).status_code == 404


def test_manager_email_is_required_when_the_programme_asks_for_signoff(
    client, recruiting, applicant
):
    recruiting.programme.requires_manager_signoff = True
    recruiting.programme.save()
    client.force_login(applicant)
    response = client.post(
        reverse("recruitment:apply", args=[recruiting.pk, "mentee"]), mentee_data()
    )
    assert response.status_code == 200
    assert not Enrolment.objects.exists()


def test_participants_see_only_their_own_applications(client, mentee, mentor, cohort):
    theirs = Enrolment.objects.get(user=mentor)
    client.force_login(mentee)
    assert client.get(reverse("recruitment:application", args=[theirs.pk])).status_code == 404
    withdraw = reverse("recruitment:application_withdraw", args=[theirs.pk])
    assert client.post(withdraw).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "accepted"


def _review_url(cohort):
    return reverse("recruitment:review", args=[cohort.programme.slug, cohort.pk])


def _decide_url(cohort):
    return reverse("recruitment:review_decide", args=[cohort.programme.slug, cohort.pk])


def _confirm_url(cohort):
    return reverse("recruitment:review_confirm", args=[cohort.programme.slug, cohort.pk])


def test_coordinator_accepts_many_at_once_and_each_is_told_once(client, coordinator, recruiting):
    applicants = EnrolmentFactory.create_batch(3, cohort=recruiting, status="applied")
    client.force_login(coordinator)
    ids = [e.pk for e in applicants[:2]]
    client.post(_decide_url(recruiting), {"decision": "accepted", "enrolments": ids})
    statuses = dict(Enrolment.objects.filter(cohort=recruiting).values_list("pk", "status"))
    assert [statuses[e.pk] for e in applicants] == ["accepted", "accepted", "applied"]
    decided = Enrolment.objects.get(pk=ids[0])
    assert decided.decided_by == coordinator and decided.decided_at
    emails = Email.objects.filter(kind="application-decision")
    assert sorted(emails.values_list("to", flat=True)) == sorted(
        e.user.email for e in applicants[:2]
    )
    assert "You have a place" in emails.first().subject
    client.post(_decide_url(recruiting), {"decision": "accepted", "enrolments": ids})
    assert Email.objects.filter(kind="application-decision").count() == 2
    assert AuditEvent.objects.filter(action="applications-decided").count() == 1


def test_waitlist_and_decline_send_their_own_emails(client, coordinator, recruiting):
    a, b = EnrolmentFactory.create_batch(2, cohort=recruiting, status="applied")
    client.force_login(coordinator)
    client.post(_decide_url(recruiting), {"decision": "waitlisted", "enrolments": [a.pk]})
    client.post(_decide_url(recruiting), {"decision": "declined", "enrolments": [b.pk]})
    subjects = {e.to: e.subject for e in Email.objects.all()}
    assert "waiting list" in subjects[a.user.email]
    assert subjects[b.user.email].startswith("Your application")


def test_decisions_cannot_touch_another_cohorts_people(
    client, coordinator, recruiting, other_cohort
):
    stranger = EnrolmentFactory(cohort=other_cohort, status="applied")
    client.force_login(coordinator)
    for url in (_confirm_url(recruiting), _decide_url(recruiting)):
        response = client.post(url, {"decision": "accepted", "enrolments": [stranger.pk]})
        assert response.status_code == 302  # the form refuses an id that is not in this cohort
    stranger.refresh_from_db()
    assert stranger.status == "applied"


def test_notes_are_visible_to_coordinators_only(client, coordinator, recruiting, applicant):
    enrolment = EnrolmentFactory(user=applicant, cohort=recruiting, status="applied")
    client.force_login(coordinator)
    url = reverse(
        "recruitment:review_notes", args=[recruiting.programme.slug, recruiting.pk, enrolment.pk]
    )
    client.post(url, {"coordinator_notes": "Strong project; check capacity <b>soon</b>"})
    enrolment.refresh_from_db()
    assert enrolment.coordinator_notes.startswith("Strong project")
    review = client.get(_review_url(recruiting)).content.decode()
    assert "check capacity &lt;b&gt;soon&lt;/b&gt;" in review
    client.force_login(applicant)
    mine = client.get(reverse("recruitment:application", args=[enrolment.pk])).content.decode()
    assert "Strong project" not in mine


@pytest.mark.parametrize("persona", ["mentor", "mentee", "outsider"])
def test_review_pages_are_404_for_non_coordinators(request, client, recruiting, persona):
    enrolment = EnrolmentFactory(cohort=recruiting, status="applied")
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_review_url(recruiting)).status_code == 404
    for url in (_confirm_url(recruiting), _decide_url(recruiting)):
        post = client.post(url, {"decision": "accepted", "enrolments": [enrolment.pk]})
        assert post.status_code == 404
    page = reverse(
        "recruitment:review_application",
        args=[recruiting.programme.slug, recruiting.pk, enrolment.pk],
    )
    assert client.get(page).status_code == 404
    notes = reverse(
        "recruitment:review_notes", args=[recruiting.programme.slug, recruiting.pk, enrolment.pk]
    )
    assert client.post(notes, {"coordinator_notes": "x"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == "applied" and enrolment.coordinator_notes == ""


def test_review_flags_duplicate_projects(client, coordinator, recruiting):
    past = _past_project(
        recruiting.programme,
        "Estimating agricultural crop yield from satellite images",
        "Use Sentinel satellite imagery to estimate crop yields for agriculture statistics.",
    )
    new = EnrolmentFactory(cohort=recruiting, status="applied")
    Project.objects.create(
        enrolment=new,
        title="Using satellite imagery to estimate crop yields",
        description="Estimate yields of crops from satellite images for agricultural statistics.",
    )
    client.force_login(coordinator)
    response = client.get(_review_url(recruiting), {"duplicates": "on"})
    rows = response.context["rows"]
    assert [r["enrolment"] for r in rows] == [new]
    assert rows[0]["similar"][0][0] == past


def test_review_query_count_does_not_grow_with_applicants(
    client, coordinator, recruiting, django_assert_max_num_queries
):
    def add(n):
        for i in range(n):
            e = EnrolmentFactory(cohort=recruiting, status="applied")
            Project.objects.create(enrolment=e, title=f"Project {i} on topic {i}", description="x")

    add(2)
    client.force_login(coordinator)
    with django_assert_max_num_queries(20) as small:
        client.get(_review_url(recruiting))
    add(25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(_review_url(recruiting))
