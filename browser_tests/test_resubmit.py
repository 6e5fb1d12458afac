"""Back-and-resubmit and double clicks, in a real browser (issue 17, item 1), and the pairing
review at 1280 px (item 5).

A browser that goes back to a page it got by POST sends the same form again; here the very same
form (same fields, same one-time token) is sent again with the page's own JavaScript, which is
what the browser's "resend" does, without depending on how Chromium caches the page."""

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from mentorship import testing
from pairing.models import CheckIn
from pairing.tests.factories import MatchRunFactory, PairFactory, ProposedPairFactory
from people.tests.factories import UserFactory
from programmes.models import Cohort, Enrolment
from programmes.tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory

from .helpers import check_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-resubmit-password-1"

# What the browser keeps of a form it sent, and sending it again ("resend" after going back).
CAPTURE = """(selector) => {
  const form = document.querySelector(selector);
  return {action: form.action, fields: Array.from(new FormData(form).entries())};
}"""
RESEND = """(saved) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = saved.action;
  for (const [name, value] of saved.fields) {
    const input = document.createElement("input");
    input.type = "hidden"; input.name = name; input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}"""


def _person(email, name, **extra):
    user = UserFactory(email=email, full_name=name, **extra)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def world(db):
    coordinator = _person("cora@example.gov.uk", "Cora Coordinator")
    programme = ProgrammeFactory(name="Data Science Accelerator", coordinators=[coordinator])
    cohort = CohortFactory(
        programme=programme,
        name="Spring 2027",
        status="recruiting",
        applications_open=dt.date.today() - dt.timedelta(days=10),
        applications_close=dt.date.today() + dt.timedelta(days=10),
        starts_on=dt.date.today() + dt.timedelta(days=30),
        ends_on=dt.date.today() + dt.timedelta(days=120),
    )
    return {"coordinator": coordinator, "programme": programme, "cohort": cohort}


def _resend(page, saved):
    with page.expect_navigation():
        page.evaluate(RESEND, saved)


def test_a_resent_bulk_decision_accepts_nobody_else_and_says_so(make_page, world):
    cohort, slug = world["cohort"], world["programme"].slug
    ann, bob, cat = (
        EnrolmentFactory(cohort=cohort, status="applied", user=UserFactory(full_name=name))
        for name in ("Ann Able", "Bob Baker", "Cat Cole")
    )
    review = f"/programmes/{slug}/cohorts/{cohort.pk}/applications/"
    page = make_page()
    sign_in(page, world["coordinator"].email, PASSWORD)
    page.goto(review)
    # "Select all" with a count (static/js/select-all.js), then keep Ann only.
    page.get_by_label("Select all 3").check()
    page.get_by_text("3 of 3 selected").wait_for()
    page.get_by_label("Select Bob Baker").uncheck()
    page.get_by_label("Select Cat Cole").uncheck()
    page.get_by_text("1 of 3 selected").wait_for()
    page.get_by_role("button", name="Accept").click()
    page.get_by_role("heading", name="Accept 1 applicant?").wait_for()
    assert page.locator("#changing li").all_inner_texts()[0].startswith("Ann Able")
    assert not mail.outbox  # nobody is emailed before the confirmation
    saved = page.evaluate(CAPTURE, "form[action*='/applications/decide/']")
    page.get_by_role("button", name="Accept and email 1 person").click()
    page.get_by_text("1 applicant updated (accept).").wait_for()
    assert len(mail.outbox) == 1
    # The list changes (a colleague puts Ann back); then the browser resends the confirmation.
    Enrolment.objects.filter(pk=ann.pk).update(status="applied")
    _resend(page, saved)
    page.get_by_text("This was already done: 1 applicant updated (accept).").wait_for()
    assert len(mail.outbox) == 1
    statuses = dict(Enrolment.objects.filter(cohort=cohort).values_list("pk", "status"))
    assert [statuses[e.pk] for e in (ann, bob, cat)] == ["applied"] * 3
    # Back on the review page nothing is ticked by the browser.
    page.goto(review)
    assert page.locator("form#decide").get_attribute("autocomplete") == "off"
    assert not page.locator("input[name=enrolments]:checked").count()


def test_a_resent_check_in_is_saved_once(make_page, world):
    cohort = world["cohort"]
    Cohort.objects.filter(pk=cohort.pk).update(status="running")
    mentee = _person("mia@example.gov.uk", "Mia Mentee")
    pair = PairFactory(
        cohort=cohort,
        mentee=EnrolmentFactory(cohort=cohort, user=mentee, role="mentee"),
        started_on=dt.date.today() - dt.timedelta(days=3),
    )
    page = make_page()
    sign_in(page, mentee.email, PASSWORD)
    page.goto(f"/pairs/{pair.pk}/")
    page.get_by_label("What you worked on").fill("Introductions and a plan")
    page.locator("input[name=rating][value='4']").check()
    page.locator("input[name=wellbeing][value='4']").check()
    saved = page.evaluate(CAPTURE, "form[autocomplete=off]:has(input[name=met_on])")
    page.get_by_role("button", name="Log check-in").click()
    page.get_by_text("Check-in logged. Thank you.").wait_for()
    _resend(page, saved)
    page.get_by_text("This was already done: Check-in logged. Thank you.").wait_for()
    assert CheckIn.objects.filter(pair=pair).count() == 1


def test_the_review_menus_fit_at_1280_px(make_page, world):
    cohort = world["cohort"]
    Cohort.objects.filter(pk=cohort.pk).update(status="matching")
    run = MatchRunFactory(cohort=cohort, created_by=world["coordinator"])
    for i in range(4):
        ProposedPairFactory(
            run=run,
            mentee=EnrolmentFactory(
                cohort=cohort,
                role="mentee",
                user=UserFactory(full_name=f"Bartholomew Cholmondeley-Worthington-Smythe {i}"),
            ),
            mentor=EnrolmentFactory(
                cohort=cohort,
                role="mentor",
                capacity=1,
                user=UserFactory(
                    full_name=f"Alexandra Montgomery-Fitzwilliam-Featherstonehaugh {i}"
                ),
            ),
            reasons=[
                "Mentee wants Web scraping (priority medium); mentor teaches it at level 4",
                "Both interested in official statistics and reproducible analytical pipelines",
                "Grade gap 2 within window [1, 3]",
                "Same time zone (Europe/London)",
            ],
            breakdown={
                c: {"score": 0.3241, "weight": 0.3512}
                for c in ("skill_fit", "mutual", "interests", "project_fit", "seniority", "other")
            },
        )
    page = make_page({"width": 1280, "height": 900})
    sign_in(page, world["coordinator"].email, PASSWORD)
    page.goto(f"/programmes/{world['programme'].slug}/cohorts/{cohort.pk}/pairing/runs/{run.pk}/")
    table = page.locator(".table-responsive").first
    assert table.evaluate("(t) => t.scrollWidth <= t.clientWidth + 1")  # nothing hidden
    visible = page.locator(".table-responsive").first.bounding_box()
    for name in ("Reassign", "Swap"):
        buttons = page.get_by_role("button", name=re.compile(f"^{name}"))
        assert buttons.count() == 4
        for i in range(4):
            box = buttons.nth(i).bounding_box()
            assert box["x"] + box["width"] <= visible["x"] + visible["width"] + 1, name
            assert box["x"] + box["width"] <= 1280


def test_inviting_everyone_the_pool_filters_match_from_a_phone_once(make_page, visits, world):
    """The talent pool at 375 px and 1280 px (axe, CSP, no sideways scroll): 60 alumni over two
    pages, all invited from the second page with "Invite all", and the form resent after."""
    programme, cohort = world["programme"], world["cohort"]
    past = testing.make_past_cohort(programme)
    for i in range(60):
        user = UserFactory(
            email=f"alum{i:02}@example.gov.uk", full_name=f"Alumna Number{i:02}withalongname"
        )
        EnrolmentFactory(user=user, cohort=past, role="mentee", status="accepted")
    pool = f"/programmes/{programme.slug}/talent-pool/"
    wide = make_page()
    sign_in(wide, world["coordinator"].email, PASSWORD)
    wide.goto(pool)
    check_page(wide, visits, "coordinator")
    page = make_page(viewport={"width": 375, "height": 800})
    sign_in(page, world["coordinator"].email, PASSWORD)
    page.goto(f"{pool}?last_cohort={past.pk}&page=2")
    check_page(page, visits, "coordinator-375")
    page.get_by_label("Invite all 60 people matching these filters").check()
    page.get_by_label("Invite to cohort").select_option(value=str(cohort.pk))
    saved = page.evaluate(CAPTURE, "form[action*='/talent-pool/invite/']")
    page.get_by_role("button", name="Invite selected").click()
    page.get_by_text("Spring 2027: 60 people invited").wait_for()
    assert page.url.endswith(f"{pool}?last_cohort={past.pk}&page=2")
    check_page(page, visits, "coordinator-375")
    _resend(page, saved)
    page.get_by_text("This was already done: Spring 2027: 60 people invited").wait_for()
    assert Enrolment.objects.filter(cohort=cohort, status="invited").count() == 60
    assert len([m for m in mail.outbox if "Spring 2027" in m.subject]) == 60
