"""Personal-data rights (issue 10 item 5): download, erasure, retention."""

import datetime as dt
import json
import uuid

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount
from django.core.management import call_command
from django.db.models import Avg, Count, Sum
from django.urls import reverse

from feedback.models import Answer
from mentorship.testing import answered_response
from notifications.models import Email, EmailPreference
from pairing.models import CheckIn, Pair, PairGoal
from people import personal_data
from people.models import AuditEvent, ProfileSkill, User
from people.services import audit_record, person_erase
from people.tests.factories import InterestFactory, SkillFactory, UserFactory
from programmes.models import Enrolment
from programmes.retention import retention_anonymise, retention_candidates
from programmes.tests.factories import CohortFactory, EnrolmentFactory
from recruitment.models import Project, TalentPoolEntry

SECRET_NOTE = "Talked about my burnout and the reorganisation"
SURVEY_TEXT = "The mentor scheme saved my career"


def _email(user, *, to=None, body="Hello", subject="Hello"):
    return Email.objects.create(
        to=to or user.email,
        user=user if to is None else None,
        kind="account",
        template="account",
        subject=subject,
        body_text=body,
        body_html=f"<p>{body}</p>",
        status=Email.Status.SENT,
        idempotency_key=f"test:{uuid.uuid4()}",
    )


@pytest.fixture
def pair(cohort, mentor, mentee):
    return Pair.objects.create(
        cohort=cohort,
        mentor=mentor.enrolments.get(cohort=cohort),
        mentee=mentee.enrolments.get(cohort=cohort),
        started_on=dt.date(2027, 1, 18),
    )


@pytest.fixture
def rich_mentee(mentee, mentor, cohort, pair, coordinator):
    """The mentee with something of theirs in every app."""
    profile = mentee.profile
    profile.organisation, profile.team, profile.bio = "HMRC", "Data Lab", "I like graphs"
    profile.line_manager_email = "boss@example.gov.uk"
    profile.save()
    profile.interests.add(InterestFactory(name="Open data"))
    ProfileSkill.objects.create(
        profile=profile, skill=SkillFactory(name="Python"), direction="learn"
    )
    enrolment = mentee.enrolments.get(cohort=cohort)
    enrolment.goals = "Get better at forecasting"
    enrolment.availability = "Tuesdays"
    enrolment.coordinator_notes = "Strong candidate, Mina Mentee from HMRC"
    enrolment.manager_email = "boss@example.gov.uk"
    enrolment.applied_at = enrolment.created_at
    enrolment.save()
    Project.objects.create(
        enrolment=enrolment, title="Forecasting VAT", description="Forecast receipts by region"
    )
    PairGoal.objects.create(pair=pair, text="Ship a forecasting notebook")
    common = {"duration_minutes": 60, "protected_time_kept": True}
    CheckIn.objects.create(
        pair=pair, author=mentee, met_on=dt.date(2027, 1, 25), worked_on=SECRET_NOTE,
        rating=5, wellbeing=2, **common,
    )  # fmt: skip
    CheckIn.objects.create(
        pair=pair, author=mentor, met_on=dt.date(2027, 1, 25),
        worked_on="Mina Mentee showed me her model; mina@ is keen", rating=4, wellbeing=4,
        **common,
    )  # fmt: skip
    answered_response(user=mentee, cohort=cohort, text=SURVEY_TEXT, number=5)
    answered_response(user=mentee, cohort=cohort, text="anonymous words", number=3, anonymous=True)
    _email(mentee, subject="Welcome Mina Mentee", body="Dear Mina Mentee, welcome")
    _email(mentor, to=mentor.email, body="Meet your mentee Mina Mentee (mentee@example.gov.uk)")
    EmailPreference.objects.create(user=mentee, kind="checkin-reminder", enabled=False)
    TalentPoolEntry.objects.create(
        programme=cohort.programme, user=mentee, email=mentee.email, full_name=mentee.full_name,
        source="alumni", note="Would mentor next year",
    )  # fmt: skip
    audit_record(actor=coordinator, action="decision", obj=enrolment, summary=f"accepted {mentee}")
    EmailAddress.objects.create(user=mentee, email=mentee.email, verified=True, primary=True)
    TOTP.activate(mentee, generate_totp_secret())
    SocialAccount.objects.create(
        user=mentee, provider="entra", uid="abc-123",
        extra_data={"email": mentee.email, "name": mentee.full_name},
    )  # fmt: skip
    return mentee


# --- Download ------------------------------------------------------------------------------------


def test_a_person_downloads_everything_held_about_them_as_json(client, rich_mentee, mentor):
    client.force_login(rich_mentee)
    response = client.get(reverse("people:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    expected = {
        "user", "profile", "skills", "interests", "enrolments", "applications", "projects",
        "pairs", "checkins", "survey_responses", "email_preferences", "emails_sent_to_you",
        "audit_events", "talent_pool",
    }  # fmt: skip
    assert expected <= data.keys()
    assert data["user"]["email"] == "mentee@example.gov.uk"
    assert data["profile"]["bio"] == "I like graphs" and data["interests"] == ["Open data"]
    assert data["skills"][0]["skill"] == "Python"
    assert data["enrolments"][0]["goals"] == "Get better at forecasting"
    assert data["applications"][0]["manager_email"] == "boss@example.gov.uk"
    assert data["projects"][0]["title"] == "Forecasting VAT"
    assert data["pairs"][0]["your_role"] == "mentee"
    assert [c["worked_on"] for c in data["checkins"]] == [SECRET_NOTE]
    (survey,) = data["survey_responses"]  # the anonymous one cannot be told apart: not here
    assert SURVEY_TEXT in json.dumps(survey) and "anonymous words" not in response.content.decode()
    assert [(p["kind"], p["enabled"]) for p in data["email_preferences"]] == [
        ("checkin-reminder", False)
    ]
    assert [e["subject"] for e in data["emails_sent_to_you"]] == ["Welcome Mina Mentee"]
    assert data["user"]["authenticators"][0]["type"] == "totp"
    assert "secret" not in json.dumps(data["user"]["authenticators"])
    assert {e["action"] for e in data["audit_events"]} >= {"decision", "personal-data-exported"}
    # Another person's own data is not in the file.
    text = response.content.decode()
    assert mentor.email not in text
    assert "showed me her model" not in text  # the mentor's check-in note


def test_the_download_is_linked_from_the_account_pages(client, mentee):
    client.force_login(mentee)
    html = client.get(reverse("account_email")).content.decode()
    assert reverse("people:my_data") in html and "Download my data" in html


def test_the_download_needs_a_signed_in_person(client, db):
    response = client.get(reverse("people:my_data"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Erasure -------------------------------------------------------------------------------------


def _every_text_value():
    """Every value of every text, char and JSON column of every model, as text."""
    for model, field in personal_data.text_columns():
        for value in model._default_manager.values_list(field.name, flat=True):
            if value not in (None, "", [], {}):
                yield (
                    model._meta.label,
                    field.name,
                    value if isinstance(value, str) else json.dumps(value),
                )


def _figures():
    return {
        "enrolments": Enrolment.objects.count(),
        "pairs": Pair.objects.count(),
        "checkins": CheckIn.objects.aggregate(n=Count("pk"), r=Sum("rating"), w=Avg("wellbeing")),
        "scores": Answer.objects.exclude(number=None).aggregate(n=Count("pk"), s=Sum("number")),
        "projects": Project.objects.count(),
    }  # fmt: skip


def test_after_erasure_the_email_and_name_appear_nowhere_in_the_database(rich_mentee, staff):
    email, name = rich_mentee.email, rich_mentee.full_name
    assert any(email in v for *_, v in _every_text_value())
    before = _figures()
    counts = person_erase(user=rich_mentee, actor=staff)
    found = [
        (label, column)
        for label, column, value in _every_text_value()
        if email.lower() in value.lower() or name.lower() in value.lower()
    ]
    assert found == []
    assert _figures() == before  # aggregate figures stay correct
    assert counts["checkins"] == 1 and counts["mentions"] >= 2


def test_erasure_keeps_rows_attached_to_an_anonymised_account(rich_mentee, staff, mentor):
    person_erase(user=rich_mentee, actor=staff)
    user = User.objects.get(pk=rich_mentee.pk)
    assert user.email == f"erased-{user.pk}@invalid" and user.full_name == ""
    assert not user.is_active and not user.has_usable_password()
    profile = user.profile
    assert (profile.organisation, profile.team, profile.bio, profile.line_manager_email) == (
        "",
    ) * 4
    assert not profile.interests.exists() and not profile.profile_skills.exists()
    enrolment = user.enrolments.get()
    assert (enrolment.goals, enrolment.availability, enrolment.coordinator_notes) == ("", "", "")
    assert enrolment.status == "accepted" and enrolment.role == "mentee"
    assert Project.objects.get().description == personal_data.ERASED
    assert Project.objects.get().title == "Forecasting VAT"
    mine = CheckIn.objects.get(author=user)
    assert mine.worked_on == personal_data.ERASED and (mine.rating, mine.wellbeing) == (5, 2)
    theirs = CheckIn.objects.get(author=mentor)
    assert (
        theirs.worked_on.startswith(personal_data.ERASED)
        and "showed me her model" in theirs.worked_on
    )
    assert not Answer.objects.filter(text=SURVEY_TEXT).exists()
    assert Answer.objects.filter(text="anonymous words").exists()  # anonymous: untouchable
    assert not TalentPoolEntry.objects.exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not SocialAccount.objects.filter(user=user).exists()
    assert not user.authenticator_set.exists() if hasattr(user, "authenticator_set") else True
    assert not EmailPreference.objects.filter(user=user).exists()
    to_them = Email.objects.get(user=user)
    assert to_them.to == user.email and to_them.body_text == personal_data.ERASED
    assert to_them.status == Email.Status.SENT  # delivery figures unchanged
    event = AuditEvent.objects.get(action="person-erased")
    assert event.actor == staff and event.object_id == str(user.pk)


def test_erasing_twice_changes_nothing_more(rich_mentee, staff):
    person_erase(user=rich_mentee, actor=staff)
    assert person_erase(user=User.objects.get(pk=rich_mentee.pk), actor=staff) == {}
    assert AuditEvent.objects.filter(action="person-erased").count() == 1


def test_an_admin_erases_people_from_the_user_list_after_confirming(client, staff, rich_mentee):
    client.force_login(staff)
    url = reverse("admin:people_user_changelist")
    form = {"action": "erase_people", "_selected_action": [rich_mentee.pk]}
    response = client.post(url, form)
    assert response.status_code == 200 and "cannot be undone" in response.content.decode()
    assert User.objects.filter(email="mentee@example.gov.uk").exists()
    response = client.post(url, {**form, "confirm": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(email="mentee@example.gov.uk").exists()
    assert AuditEvent.objects.get(action="person-erased").actor == staff


def test_the_erase_person_command(rich_mentee, capsys):
    call_command("erase_person", "Mentee@Example.gov.uk", "--reason", "asked by email")
    assert "Erased account" in capsys.readouterr().out
    assert User.objects.get(pk=rich_mentee.pk).email.endswith("@invalid")
    assert "asked by email" in AuditEvent.objects.get(action="person-erased").summary


def test_the_erase_person_command_refuses_an_unknown_email(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("erase_person", "nobody@example.gov.uk")


# --- Retention -----------------------------------------------------------------------------------


@pytest.fixture
def finished_alumnus(programme):
    old = CohortFactory(
        programme=programme, name="Spring 2024", starts_on=dt.date(2024, 1, 8),
        ends_on=dt.date(2024, 4, 1), applications_open=None, applications_close=None,
    )  # fmt: skip
    old.status = "finished"
    old.save()
    person = UserFactory(email="alumnus@example.gov.uk", full_name="Alex Alumnus")
    EnrolmentFactory(user=person, cohort=old, role="mentee", goals="Learn R")
    return person


def test_retention_anonymises_people_whose_cohorts_finished_long_ago(
    finished_alumnus, mentee, coordinator, settings
):
    settings.RETENTION_MONTHS = 24
    with time_machine.travel(dt.datetime(2026, 3, 1, 3, 0, tzinfo=dt.UTC)):
        assert list(retention_candidates()) == []  # ended 23 months ago: kept
    with time_machine.travel(dt.datetime(2026, 4, 2, 3, 0, tzinfo=dt.UTC)):
        assert list(retention_candidates()) == [finished_alumnus]
        assert retention_anonymise() == 1
        assert retention_anonymise() == 0  # idempotent
    alumnus = User.objects.get(pk=finished_alumnus.pk)
    assert alumnus.email.endswith("@invalid") and alumnus.enrolments.get().goals == ""
    # People in running or recent cohorts, and coordinators, are untouched.
    assert User.objects.filter(email__in=[mentee.email, coordinator.email]).count() == 2


def test_retention_keeps_someone_who_signed_in_recently_or_is_enrolled_again(
    finished_alumnus, cohort, settings
):
    settings.RETENTION_MONTHS = 24
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)):
        User.objects.filter(pk=finished_alumnus.pk).update(
            last_login=dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
        )
        assert list(retention_candidates()) == []
        User.objects.filter(pk=finished_alumnus.pk).update(last_login=None)
        EnrolmentFactory(user=finished_alumnus, cohort=cohort, role="mentor")
        assert list(retention_candidates()) == []


def test_retention_runs_daily_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["programmes-retention-anonymise"]
    assert entry["task"] == "programmes.retention_anonymise" and entry["schedule"] == 86400
    from mentorship.celery import app

    app.loader.import_default_modules()  # what a worker does when it starts
    assert "programmes.retention_anonymise" in app.tasks
