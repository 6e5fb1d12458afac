"""People change their plans, in a real browser (issue 16): a mentee withdraws after pairing,
and a late joiner is paired in the running cohort through "Pair the waiting mentees"."""

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from pairing.models import Pair
from people.tests.factories import UserFactory
from programmes.models import Cohort
from programmes.tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory

from .helpers import check_page, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-journey-password-1"


def person(email, name, *, grade):
    user = UserFactory(email=email, full_name=name)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    profile = user.profile
    profile.grade, profile.team = grade, f"Team of {name}"
    profile.save()
    return user


@pytest.fixture
def running_cohort(settings):
    settings.RHYTHM_IGNORE_SEND_WINDOWS = True
    coordinator = person("cora@example.gov.uk", "Cora Coordinator", grade=7)
    programme = ProgrammeFactory(name="Data Science Accelerator", coordinators=[coordinator])
    today = dt.date.today()
    cohort = CohortFactory(
        programme=programme,
        name="Autumn",
        applications_open=None,
        applications_close=None,
        starts_on=today - dt.timedelta(days=14),
        ends_on=today + dt.timedelta(days=70),
        capacity=3,
    )
    Cohort.objects.filter(pk=cohort.pk).update(status="running")

    def enrol(email, name, role, grade, **kwargs):
        user = person(email, name, grade=grade)
        return EnrolmentFactory(user=user, cohort=cohort, role=role, **kwargs)

    mentors = [
        enrol("max.mentor@example.gov.uk", "Max Mentor", "mentor", 7, capacity=1),
        enrol("meg.mentor@example.gov.uk", "Meg Mentor", "mentor", 7, capacity=1),
    ]
    mentees = [
        enrol("wes.withdraws@example.gov.uk", "Wes Withdraws", "mentee", 4),
        enrol("sam.stays@example.gov.uk", "Sam Stays", "mentee", 4),
    ]
    for mentor, mentee in zip(mentors, mentees, strict=True):
        Pair.objects.create(
            cohort=cohort, mentor=mentor, mentee=mentee, started_on=cohort.starts_on
        )
    late = enrol("liz.late@example.gov.uk", "Liz Late", "mentee", 4, status="applied")
    return {
        "coordinator": coordinator,
        "cohort": Cohort.objects.get(pk=cohort.pk),
        "mentors": mentors,
        "mentees": mentees,
        "late": late,
    }


def test_a_withdrawal_after_pairing_and_a_late_joiner_paired_in_a_running_cohort(
    make_page, visits, running_cohort
):
    cohort, late = running_cohort["cohort"], running_cohort["late"]
    (max_mentor, meg_mentor), (wes, sam) = running_cohort["mentors"], running_cohort["mentees"]
    page = make_page()

    # --- Wes, paired with Max, withdraws: a confirmation says who will be emailed ---
    sign_in(page, wes.user.email, PASSWORD)
    page.get_by_role("link", name=re.compile("Paired")).click()
    check_page(page, visits, "mentee")
    page.get_by_role("link", name="Withdraw…").click()
    page.get_by_role("heading", name="We will email").wait_for()
    for who in ("wes.withdraws@example.gov.uk", "max.mentor@example.gov.uk", "cora@"):
        page.get_by_text(re.compile(re.escape(who))).first.wait_for()
    check_page(page, visits, "mentee")
    screenshot(page, "withdraw-confirmation")
    mail.outbox.clear()
    page.get_by_label(re.compile("Why are you leaving")).fill("A new job in another department")
    page.get_by_role("button", name=re.compile("^Withdraw and email 3 people")).click()
    page.get_by_text("You have withdrawn.").wait_for()
    check_page(page, visits, "mentee")
    pair = Pair.objects.get(mentee=wes)
    assert (pair.status, pair.end_reason) == ("ended", "mentee_left")
    told = {m.to[0]: m.subject for m in mail.outbox}
    assert "has left" in told["max.mentor@example.gov.uk"]
    assert told["wes.withdraws@example.gov.uk"].startswith("You have withdrawn")
    assert "has withdrawn" in told["cora@example.gov.uk"]
    page.get_by_role("button", name="Sign out").click()

    # --- The coordinator accepts a late applicant; she is listed as waiting, with why ---
    sign_in(page, running_cohort["coordinator"].email, PASSWORD)
    page.goto(cohort.get_absolute_url())
    page.get_by_role("link", name="Review applications").click()
    page.get_by_role("checkbox", name="Select Liz Late").check()
    page.get_by_role("button", name="Accept").click()
    page.get_by_role("button", name="Accept and email 1 person").click()
    page.get_by_text("1 applicant updated (accept).").wait_for()
    page.goto(cohort.get_absolute_url())
    page.get_by_text("1 mentee waiting for a mentor.").wait_for()
    check_page(page, visits, "coordinator")
    page.get_by_role("link", name=re.compile("See who and why")).click()
    page.get_by_text(re.compile("Liz Late.*accepted after the pairs were published")).wait_for()
    check_page(page, visits, "coordinator")
    screenshot(page, "waiting-for-a-mentor")

    # --- One click pairs the waiting with the spare places; reviewed, then published ---
    page.get_by_role("button", name="Pair the waiting mentees").click()
    page.wait_for_url(re.compile(r"/pairing/runs/\d+/"))
    page.get_by_text(re.compile("Every existing pair is kept")).first.wait_for()
    rows = page.locator("tbody tr[id^=p]")
    assert rows.count() == 1
    assert "Max Mentor" in rows.first.inner_text()  # the only mentor with a place left
    check_page(page, visits, "coordinator")
    screenshot(page, "pair-the-waiting")
    page.get_by_role("link", name=re.compile(r"^Review and publish 1 pair")).click()
    page.get_by_text(re.compile(r"liz\.late@example\.gov\.uk")).wait_for()
    check_page(page, visits, "coordinator")
    mail.outbox.clear()
    page.get_by_role("button", name="Publish and email 2 people").click()
    page.wait_for_url(re.compile(r"/pairs/$"))
    page.get_by_text("Every accepted mentee has a mentor.").wait_for()
    check_page(page, visits, "coordinator")
    assert Pair.objects.active().get(mentee=late).mentor == max_mentor
    assert Pair.objects.active().get(mentee=sam).mentor == meg_mentor  # kept as it was
    assert sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Meet your")) == [
        "liz.late@example.gov.uk",
        "max.mentor@example.gov.uk",
    ]
    assert Cohort.objects.get(pk=cohort.pk).status == "running"
