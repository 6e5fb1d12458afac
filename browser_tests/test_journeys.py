"""The whole life of a programme, in a real browser, as the people who use it."""

import datetime as dt
import re
import time
import urllib.parse

import icalendar
import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from feedback.models import SurveyInvitation, SurveySchedule
from feedback.services import survey_defaults_ensure, survey_invitations_create
from pairing.models import CheckIn, Pair, ProposedPair
from people.models import AuditEvent, ProfileSkill, Skill
from people.tests.factories import UserFactory
from programmes.models import Cohort, Enrolment
from programmes.tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory
from recruitment.models import Project

from .helpers import (
    check_page,
    last_link_in_mail,
    no_horizontal_scroll,
    screenshot,
    sign_in,
    tab_to,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-journey-password-1"


@pytest.fixture
def journey_world(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    # The journey runs at whatever time CI does; emails must not wait for Monday 09:00.
    settings.RHYTHM_IGNORE_SEND_WINDOWS = True
    for name in ("Python", "Machine learning", "Geospatial analysis", "SQL"):
        Skill.objects.get_or_create(name=name, defaults={"category": "data"})
    coordinator = UserFactory(email="cora@example.gov.uk", full_name="Cora Coordinator")
    coordinator.set_password(PASSWORD)
    coordinator.save()
    coordinator.user_permissions.add(Permission.objects.get(codename="add_programme"))
    verified(coordinator)
    return {"coordinator": coordinator}


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


def _past_project(programme):
    """A project from an earlier cohort that the new mentee's proposal resembles."""
    past = CohortFactory(
        programme=programme,
        name="Spring 2026",
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 5, 22),
        status="finished",
    )
    alumnus = EnrolmentFactory(cohort=past, role="mentee")
    Project.objects.create(
        enrolment=alumnus,
        title="Estimating crop yields from satellite images",
        description="Use satellite imagery to estimate agricultural crop yields for statistics.",
    )


def test_a_programme_from_set_up_to_check_ins(make_page, visits, journey_world, tmp_path):
    page = make_page()
    started = time.monotonic()
    coordinator = journey_world["coordinator"]

    # --- The coordinator creates a programme and a cohort, invites people, opens recruiting ---
    sign_in(page, coordinator.email, PASSWORD)
    check_page(page, visits, "coordinator")
    page.get_by_role("link", name="Coordinate").click()
    page.get_by_role("link", name="New programme").click()
    check_page(page, visits, "coordinator")
    page.get_by_label("Name").fill("Data Science Accelerator")
    page.get_by_label("Slug").fill("dsa")
    page.get_by_label("Organisation").fill("Office for National Statistics")
    page.get_by_role("button", name="Save programme").click()
    page.wait_for_url(re.compile(r"/programmes/dsa/$"))
    check_page(page, visits, "coordinator")
    programme = coordinator.coordinated_programmes.get(slug="dsa")
    _past_project(programme)

    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Name").fill("Spring 2027")
    page.get_by_label("Applications open").fill("2026-11-01")
    page.get_by_label("Applications close").fill("2027-01-05")
    page.get_by_label("Starts on").fill("2027-01-11")
    page.get_by_label("Ends on").fill("2027-04-02")
    page.get_by_role("button", name="Save cohort").click()
    page.wait_for_url(re.compile(r"/cohorts/\d+/$"))
    check_page(page, visits, "coordinator")
    cohort = Cohort.objects.get(programme=programme, name="Spring 2027")

    csv_file = tmp_path / "invites.csv"
    csv_file.write_text(
        "email,name,role,organisation,grade\n"
        "ines.invited@example.gov.uk,Ines Invited,mentee,HMRC,HEO\n"
        "omar.offer@example.gov.uk,Omar Offer,mentor,DWP,G7\n"
    )
    page.get_by_role("link", name="Invite from CSV").click()
    check_page(page, visits, "coordinator")
    page.locator("input[type=file]").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check and invite").click()
    check_page(page, visits, "coordinator")
    assert Enrolment.objects.filter(cohort=cohort, status="invited").count() == 2
    assert any("ines.invited@example.gov.uk" in m.to for m in mail.outbox)

    page.goto(cohort.get_absolute_url())
    page.get_by_role("link", name="Move to recruiting").click()
    check_page(page, visits, "coordinator")  # the confirmation: what moving it does
    page.get_by_role("button", name="Move to recruiting").click()
    page.get_by_text("The cohort is now recruiting.").wait_for()
    page.get_by_role("button", name="Sign out").click()

    # --- A mentee registers, verifies their email, completes a profile and applies ---
    page.goto("/accounts/signup/")
    check_page(page, visits, "visitor")
    page.get_by_label("Full name").fill("Mia Mentee")
    page.locator("#id_email").fill("mia.mentee@example.gov.uk")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    check_page(page, visits, "visitor")
    confirm = last_link_in_mail(
        "mia.mentee@example.gov.uk", r"https?://\S+/accounts/confirm-email/\S+"
    )
    page.goto(re.sub(r"^https?://[^/]+", "", confirm))
    check_page(page, visits, "mentee")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/home/"))

    page.get_by_role("link", name="My profile").first.click()
    check_page(page, visits, "mentee")
    assert page.get_by_label("Full name").input_value() == "Mia Mentee"  # from sign-up
    page.get_by_label("Organisation").fill("Department for Education")
    page.get_by_label("Team").fill("Analysis")
    page.get_by_label("Grade").select_option(label="Higher Executive Officer")
    page.get_by_label("Skills you want to learn, row 1: skill").select_option(label="Python")
    page.get_by_label("Skills you want to learn, row 1: how much it matters").select_option(
        label="High"
    )
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved.").wait_for()

    page.goto("/home/")
    page.get_by_role("link", name=re.compile("Apply as a mentee")).click()
    check_page(page, visits, "mentee")
    page.get_by_label("What do you want to get from the programme?").fill("Learn Python")
    page.get_by_label("Project title").fill("Using satellite imagery to estimate crop yields")
    page.get_by_label("Project description").fill(
        "Estimate crop yields from satellite images for agricultural statistics."
    )
    page.get_by_label("Project description").blur()
    page.get_by_text("Similar projects already exist").wait_for()  # the duplicate warning
    check_page(page, visits, "mentee")
    page.get_by_label("Expected benefit").fill("Faster estimates for farmers and ministers.")
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_url(re.compile(r"/applications/\d+/"))
    check_page(page, visits, "mentee")
    mia = Enrolment.objects.get(user__email="mia.mentee@example.gov.uk")
    assert mia.status == "applied" and mia.project.title.startswith("Using satellite")
    page.get_by_role("button", name="Sign out").click()

    # --- A mentor volunteers with capacity ---
    mentor = UserFactory(email="max.mentor@example.gov.uk", full_name="Max Mentor")
    mentor.set_password(PASSWORD)
    mentor.save()
    profile = mentor.profile
    profile.grade = 7
    profile.organisation = "Met Office"
    profile.save()
    ProfileSkill.objects.create(
        profile=profile, skill=Skill.objects.get(name="Python"), direction="teach", level=4
    )
    verified(mentor)
    sign_in(page, mentor.email, PASSWORD)
    page.get_by_role("link", name=re.compile("Volunteer as a mentor")).click()
    check_page(page, visits, "mentor")
    page.get_by_label("How many mentees can you take?").fill("1")
    page.get_by_label("Your availability").fill("Tuesday afternoons")
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_url(re.compile(r"/applications/\d+/"))
    page.get_by_role("button", name="Sign out").click()

    # A second mentee and mentor, so there is something to swap.
    second_mentor = EnrolmentFactory(cohort=cohort, role="mentor", status="applied", capacity=1)
    second_mentee = EnrolmentFactory(cohort=cohort, role="mentee", status="applied")
    Enrolment.objects.filter(user__email="ines.invited@example.gov.uk").delete()
    Enrolment.objects.filter(user__email="omar.offer@example.gov.uk").delete()

    # --- The coordinator accepts, pairs, locks one pair, swaps, publishes ---
    sign_in(page, coordinator.email, PASSWORD)
    page.goto(cohort.get_absolute_url())
    page.get_by_role("link", name="Review applications").click()
    check_page(page, visits, "coordinator")
    for checkbox in page.get_by_role("checkbox", name=re.compile("^Select ")).all():
        checkbox.check()
    page.get_by_role("button", name="Accept").click()
    check_page(page, visits, "coordinator")  # the confirmation names the four people
    page.get_by_role("button", name="Accept and email 4 people").click()
    page.get_by_text("4 applicants updated (accept).").wait_for()
    assert cohort.enrolments.filter(status="accepted").count() == 4
    screenshot(page, "review-applications")

    page.goto(cohort.get_absolute_url())
    page.get_by_role("link", name="Move to matching").click()
    page.get_by_role("button", name="Move to matching").click()
    page.get_by_role("link", name="Pairing", exact=True).click()
    check_page(page, visits, "coordinator")
    page.get_by_role("button", name="Propose pairs").click()
    page.wait_for_url(re.compile(r"/pairing/runs/\d+/"))
    check_page(page, visits, "coordinator")
    rows = page.locator("tbody tr[id^=p]")
    assert rows.count() == 2
    proposed_for_mia = ProposedPair.objects.get(run__cohort=cohort, mentee=mia).mentor_id
    rows.first.get_by_role("button", name=re.compile("^Lock")).click()
    page.get_by_text("locked", exact=True).first.wait_for()
    page.locator("tbody tr[id^=p]").first.get_by_role("button", name="Swap").click()
    page.get_by_text("by hand").first.wait_for()
    screenshot(page, "pairing-review")
    mail.outbox.clear()
    page.get_by_role("button", name=re.compile(r"^Publish \d+ pairs")).click()
    page.wait_for_url(re.compile(r"/pairs/$"))
    check_page(page, visits, "coordinator")
    assert Pair.objects.filter(cohort=cohort, status="active").count() == 2
    intros = [m for m in mail.outbox if m.subject.startswith("Meet your")]
    assert len(intros) == 4
    assert {tuple(m.to) for m in intros} >= {("mia.mentee@example.gov.uk",)}
    assert "Why you were paired" in intros[0].body
    page.get_by_role("button", name="Sign out").click()

    # --- The pair logs check-ins ---
    mia_pair = Pair.objects.get(mentee=mia)
    Pair.objects.filter(pk=mia_pair.pk).update(started_on=dt.date.today() - dt.timedelta(days=3))
    sign_in(page, "mia.mentee@example.gov.uk", PASSWORD)
    page.get_by_role("link", name=re.compile("Mentored by")).click()
    check_page(page, visits, "mentee")
    page.get_by_label("What you worked on").fill("Loaded the satellite tiles")
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_role("group", name=re.compile("How useful")).get_by_label("4").check()
    page.get_by_role("group", name=re.compile("How are you doing")).get_by_label("2").check()
    page.get_by_label("Protected learning time kept this week").check()
    page.get_by_role("button", name="Log check-in").click()
    page.get_by_text("Check-in logged. Thank you.").wait_for()
    check_page(page, visits, "mentee")
    screenshot(page, "pair-page")
    assert CheckIn.objects.filter(pair=mia_pair, wellbeing=2).count() == 1
    # Each mentor has room for one: the swap really exchanged them, and both are paired.
    assert Pair.objects.filter(mentee=second_mentee, status="active").exists()
    assert Pair.objects.filter(mentor=second_mentor, status="active").count() == 1
    assert Pair.objects.get(mentee=mia).mentor_id != proposed_for_mia  # the swap took effect

    # --- A survey invitation arrives by email and is answered ---
    survey_defaults_ensure(programme=programme, cohort=cohort)
    SurveySchedule.objects.filter(cohort=cohort, key="relationship-check").update(offset_days=0)
    mail.outbox.clear()
    survey_invitations_create(today=dt.date.today())
    link = last_link_in_mail("mia.mentee@example.gov.uk", r"https?://\S+/surveys/answer/\S+")
    page.goto("/home/")
    page.get_by_text("Surveys to answer").wait_for()
    page.goto(re.sub(r"^https?://[^/]+", "", link))
    check_page(page, visits, "mentee")
    page.get_by_role("group", name=re.compile("How well is your mentoring")).get_by_label(
        "4", exact=True
    ).check()
    page.get_by_label("Two or three times").check()
    page.get_by_role("group", name=re.compile("How are you doing overall")).get_by_label(
        "2", exact=True
    ).check()
    page.get_by_role("button", name=re.compile("Send")).click()
    page.wait_for_load_state()
    check_page(page, visits, "mentee")
    assert SurveyInvitation.objects.get(user__email="mia.mentee@example.gov.uk").answered_at

    # --- Her calendar feed (downloaded, nothing subscribed) lists the pair's next check-in ---
    page.goto(reverse("people:profile"))
    page.get_by_role("heading", name="Your calendar").wait_for()
    assert page.get_by_label(re.compile("Subscribe")).input_value().startswith("webcal://")
    href = page.get_by_role("link", name="Download the calendar file").get_attribute("href")
    # The file the link gives, fetched the way the browser would (the page's own session).
    answer = page.request.get(urllib.parse.urlsplit(href).path)
    assert answer.ok and answer.headers["content-type"].startswith("text/calendar")
    feed = icalendar.Calendar.from_ical(answer.body())
    mia_pair = Pair.objects.select_related("mentor__user").get(pk=mia_pair.pk)
    last = CheckIn.objects.filter(pair=mia_pair).latest("met_on").met_on
    due = mia_pair.next_checkin_due(last)
    [checkin] = [e for e in feed.walk("VEVENT") if e["UID"].startswith("checkin-next-")]
    assert str(checkin["SUMMARY"]) == f"Mentoring check-in with {mia_pair.mentor.user.display_name}"
    assert checkin.decoded("DTSTART").date() >= max(due, dt.date.today())
    page.get_by_role("button", name="Sign out").click()

    # --- The coordinator sees the dashboard change, the pair flagged, and exports figures ---
    sign_in(page, coordinator.email, PASSWORD)
    page.goto(cohort.get_absolute_url())
    page.get_by_role("link", name="Dashboard").click()
    check_page(page, visits, "coordinator")
    at_risk = page.locator("section", has_text="Pairs at risk")
    at_risk.get_by_role("link", name=re.compile("Mia Mentee")).first.wait_for()
    screenshot(page, "coordinator-dashboard")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download figures")).click()
    assert download.value.suggested_filename.endswith(".csv")
    assert AuditEvent.objects.filter(action="export", actor=coordinator).exists()
    page.goto(cohort.get_absolute_url())
    page.get_by_role("link", name="Surveys and results").click()
    check_page(page, visits, "coordinator")
    check_schedule = SurveySchedule.objects.get(cohort=cohort, key="relationship-check")
    page.goto(reverse("feedback:results", args=[programme.slug, cohort.pk, check_schedule.pk]))
    page.get_by_text("Response rate").wait_for()
    check_page(page, visits, "coordinator")
    screenshot(page, "survey-results")
    seen = [u for u in page.pages_seen if not u.startswith("about:")]
    print(f"\nprogramme journey: {len(seen)} page loads in {time.monotonic() - started:.1f} s")


def test_participant_pages_fit_a_375_pixel_screen(make_page, visits, mentee, cohort):
    mentee.set_password(PASSWORD)
    mentee.save()
    verified(mentee)
    page = make_page(viewport={"width": 375, "height": 800})
    sign_in(page, mentee.email, PASSWORD)
    for path in ("/home/", "/people/profile/", "/notifications/preferences/"):
        page.goto(path)
        check_page(page, visits, "mentee-375")
        assert no_horizontal_scroll(page), f"{path} scrolls sideways at 375 px"


def test_programme_creation_is_possible_with_the_keyboard_only(make_page, visits, journey_world):
    page = make_page()
    coordinator = journey_world["coordinator"]
    sign_in(page, coordinator.email, PASSWORD)
    page.goto("/programmes/new/")
    page.get_by_label("Name").focus()
    page.keyboard.type("Keyboard Programme")
    page.keyboard.press("Tab")
    page.keyboard.type("keyboard-programme")
    page.keyboard.press("Tab")
    page.keyboard.type("Cabinet Office")
    page.get_by_role("button", name="Save programme").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/programmes/keyboard-programme/$"))
    assert ProgrammeFactory._meta.model.objects.filter(slug="keyboard-programme").exists()


def _keyboard_fill(page, locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)


def _keyboard_choose(page, group_name, value: int) -> None:
    """A radio group, by keyboard: Tab lands on the first option, arrows move and select."""
    group = page.get_by_role("group", name=re.compile(group_name))
    tab_to(page, group.get_by_role("radio").first)
    for _ in range(value - 1):
        page.keyboard.press("ArrowRight")
    assert group.get_by_role("radio").nth(value - 1).is_checked()


def _keyboard_follow(page, locator) -> None:
    tab_to(page, locator)
    page.keyboard.press("Enter")


def test_a_participants_whole_path_with_the_keyboard_only(
    make_page, visits, journey_world, cohort, mentor
):
    """Sign up, confirm the address, fill the profile, apply, log a check-in and answer a
    survey without a single mouse click: Tab, type, arrows, Space and Enter. (Opening the
    confirmation link from the email is the one address typed in, as a person would paste it.)
    """
    from feedback.tests.conftest import Q, make_schedule, make_template

    today = dt.date.today()
    Cohort.objects.filter(pk=cohort.pk).update(
        status="recruiting", applications_open=today - dt.timedelta(days=5), applications_close=None
    )
    Skill.objects.get_or_create(name="Python", defaults={"category": "data"})
    page = make_page()
    started = time.monotonic()

    # --- Sign up and confirm ---
    page.goto("/")
    _keyboard_follow(page, page.get_by_role("link", name="Create an account").first)
    page.wait_for_url(re.compile(r"/accounts/signup/"))
    check_page(page, visits, "keyboard")
    _keyboard_fill(page, page.get_by_label("Full name"), "Kim Keyboard")
    _keyboard_fill(page, page.locator("#id_email"), "kim.keyboard@example.gov.uk")
    _keyboard_fill(page, page.locator("#id_password1"), PASSWORD)
    _keyboard_fill(page, page.locator("#id_password2"), PASSWORD)
    _keyboard_follow(page, page.get_by_role("button", name="Create my account"))
    page.get_by_role("heading", name="Check your email").wait_for()
    check_page(page, visits, "keyboard")
    confirm = last_link_in_mail(
        "kim.keyboard@example.gov.uk", r"https?://\S+/accounts/confirm-email/\S+"
    )
    page.goto(re.sub(r"^https?://[^/]+", "", confirm))
    check_page(page, visits, "keyboard")
    _keyboard_follow(page, page.get_by_role("button", name="Confirm"))
    page.wait_for_url(re.compile(r"/home/"))

    # --- Profile ---
    _keyboard_follow(page, page.get_by_role("link", name="My profile").first)
    page.wait_for_url(re.compile(r"/people/profile/"))
    _keyboard_fill(page, page.get_by_label("Organisation"), "Department for Transport")
    tab_to(page, page.get_by_label("Skills you want to learn, row 1: skill"))
    page.keyboard.press("ArrowDown")  # the first skill in the list
    _keyboard_follow(page, page.get_by_role("button", name="Save profile"))
    page.get_by_text("Your profile is saved.").wait_for()
    check_page(page, visits, "keyboard")
    kim = Enrolment._meta.get_field("user").related_model.objects.get(
        email="kim.keyboard@example.gov.uk"
    )
    assert kim.full_name == "Kim Keyboard"
    assert kim.profile.organisation == "Department for Transport"

    # --- Apply ---
    _keyboard_follow(page, page.get_by_role("link", name="My programmes").first)
    page.wait_for_url(re.compile(r"/home/"))
    _keyboard_follow(page, page.get_by_role("link", name=re.compile("Apply as a mentee")))
    page.wait_for_url(re.compile(r"/apply/"))
    _keyboard_fill(
        page,
        page.get_by_label("What do you want to get from the programme?"),
        "Automate my team's reporting",
    )
    _keyboard_fill(
        page, page.get_by_label("Project title"), "Automating the monthly inflation report"
    )
    _keyboard_fill(
        page,
        page.get_by_label("Project description"),
        "Replace the spreadsheet pipeline with tested Python code.",
    )
    _keyboard_fill(page, page.get_by_label("Expected benefit"), "Two days a month saved.")
    _keyboard_follow(page, page.get_by_role("button", name="Send my application"))
    page.wait_for_url(re.compile(r"/applications/\d+/"))
    check_page(page, visits, "keyboard")
    enrolment = Enrolment.objects.get(user=kim, cohort=cohort)
    assert enrolment.status == "applied"
    assert enrolment.project.title == "Automating the monthly inflation report"

    # The coordinator accepts and pairs her (their own journey covers those pages).
    Enrolment.objects.filter(pk=enrolment.pk).update(status="accepted")
    Cohort.objects.filter(pk=cohort.pk).update(
        status="running", starts_on=today - dt.timedelta(days=7)
    )
    pair = Pair.objects.create(
        cohort=cohort,
        mentor=Enrolment.objects.get(user=mentor, cohort=cohort),
        mentee=enrolment,
        started_on=today - dt.timedelta(days=7),
    )

    # --- Log a check-in ---
    _keyboard_follow(page, page.get_by_role("link", name="My programmes").first)
    _keyboard_follow(page, page.get_by_role("link", name=re.compile("Mentored by")))
    page.wait_for_url(re.compile(r"/pairs/\d+/"))
    _keyboard_fill(page, page.get_by_label("What you worked on"), "Mapped the pipeline")
    _keyboard_choose(page, "How useful", 4)
    _keyboard_choose(page, "How are you doing", 3)
    _keyboard_follow(page, page.get_by_role("button", name="Log check-in"))
    page.get_by_text("Check-in logged. Thank you.").wait_for()
    check_page(page, visits, "keyboard")
    assert CheckIn.objects.get(pair=pair).wellbeing == 3

    # --- Answer a survey ---
    template = make_template(
        cohort.programme,
        name="30-day relationship check",
        questions=[(Q.SCALE_1_5, "How well is your mentoring going?", True, [])],
    )
    schedule = make_schedule(cohort, template, trigger="pair_start", offset_days=0)
    survey_invitations_create(today=today, schedules=[schedule])
    _keyboard_follow(page, page.get_by_role("link", name="My programmes").first)
    page.get_by_text("Surveys to answer").first.wait_for()
    _keyboard_follow(page, page.get_by_role("link", name=re.compile("^Answer")))
    page.wait_for_url(re.compile(r"/surveys/answer/"))
    check_page(page, visits, "keyboard")
    _keyboard_choose(page, "How well is your mentoring", 4)
    _keyboard_follow(page, page.get_by_role("button", name="Send my answers"))
    page.get_by_role("heading", name="Thank you").wait_for()
    check_page(page, visits, "keyboard")
    assert SurveyInvitation.objects.get(user=kim).answered_at
    seen = [u for u in page.pages_seen if not u.startswith("about:")]
    print(f"\nkeyboard journey: {len(seen)} page loads in {time.monotonic() - started:.1f} s")
