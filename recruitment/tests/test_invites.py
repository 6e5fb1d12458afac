"""Bulk invitations from a CSV file, and the invitation link."""

import datetime as dt
import io
import zipfile

import pytest
import time_machine
from allauth.account.models import EmailAddress
from celery import current_app
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lib.audit import AuditContext
from notifications.models import Email
from people.models import AuditEvent, Grade, User
from people.tests.factories import UserFactory
from programmes.models import Cohort, Enrolment
from programmes.tests.factories import EnrolmentFactory
from recruitment.invitations import (
    cohort_invite_csv,
    invitation_token,
    parse_grade,
)

pytestmark = pytest.mark.django_db

GOOD = (
    "email,name,role,organisation,grade\n"
    "Ada.Lovelace@ons.gov.uk,Ada Lovelace,mentee,Office for National Statistics,HEO\n"
    "alan.turing@dsit.gov.uk,Alan Turing,Mentor,DSIT,Grade 7\n"
)


@pytest.fixture
def eager_celery():
    conf = current_app.conf
    before = conf.task_always_eager
    conf.task_always_eager = True
    yield
    conf.task_always_eager = before


def upload(client, cohort, content, name="people.csv"):
    data = content.encode() if isinstance(content, str) else content
    url = reverse("recruitment:cohort_invite", args=[cohort.programme.slug, cohort.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def test_good_file_creates_inactive_accounts_invited_enrolments_and_emails(
    client, coordinator, cohort
):
    client.force_login(coordinator)
    response = upload(client, cohort, GOOD)

    assert response.status_code == 302 and response.url == cohort.get_absolute_url()
    ada = User.objects.get(email="ada.lovelace@ons.gov.uk")
    assert not ada.is_active and not ada.has_usable_password()
    assert ada.full_name == "Ada Lovelace"
    assert ada.profile.organisation == "Office for National Statistics"
    assert ada.profile.grade == Grade.HEO
    assert User.objects.get(email="alan.turing@dsit.gov.uk").profile.grade == Grade.G7
    enrolments = Enrolment.objects.filter(cohort=cohort).order_by("user__email")
    assert [(e.user.email, e.role, e.status) for e in enrolments] == [
        ("ada.lovelace@ons.gov.uk", "mentee", "invited"),
        ("alan.turing@dsit.gov.uk", "mentor", "invited"),
    ]
    assert all(e.invited_at for e in enrolments)
    keys = set(Email.objects.filter(kind="invitation").values_list("idempotency_key", flat=True))
    assert keys == {f"invitation:{e.pk}" for e in enrolments}
    audit = AuditEvent.objects.get(action="invite")
    assert audit.actor == coordinator and audit.programme_id == cohort.programme_id
    assert "people.csv" in audit.summary and "2 people invited" in audit.summary
    page = client.get(response.url)
    assert "2 people invited." in page.content.decode()


def test_existing_person_is_enrolled_without_overwriting_their_profile(client, coordinator, cohort):
    person = UserFactory(email="ada.lovelace@ons.gov.uk", full_name="Ada L.")
    person.profile.organisation = "HM Treasury"
    person.profile.save()
    client.force_login(coordinator)
    upload(client, cohort, GOOD)

    person.refresh_from_db()
    assert person.is_active and person.full_name == "Ada L."
    assert person.profile.organisation == "HM Treasury"
    assert person.profile.grade == Grade.HEO  # was empty, so filled
    assert Enrolment.objects.get(user=person, cohort=cohort).status == "invited"


def test_file_with_bad_rows_imports_nothing_and_lists_every_problem(
    client, coordinator, cohort, mentor
):
    content = (
        "email,name,role,organisation,grade\n"
        "good.person@ons.gov.uk,Good Person,mentee,ONS,EO\n"
        "not-an-email,Bad Email,mentee,,\n"
        "role.person@ons.gov.uk,Bad Role,coach,,\n"
        "grade.person@ons.gov.uk,Bad Grade,mentee,,Grade 99\n"
        "GOOD.person@ons.gov.uk,Twice,mentee,,\n"
        "mentor@example.gov.uk,Morgan Mentor,mentee,,\n"
        ",No Email,mentor,,\n"
    )
    client.force_login(coordinator)
    users_before = User.objects.count()
    response = upload(client, cohort, content, name="autumn intake.csv")

    assert response.status_code == 400
    assert User.objects.count() == users_before
    assert Enrolment.objects.filter(cohort=cohort).count() == 1  # only the mentor fixture
    assert not Email.objects.exists()
    errors = response.context["errors"]
    assert [line for line, _ in errors] == [3, 4, 5, 6, 7, 8]
    text = dict(errors)
    assert "not a valid email address" in text[3]
    assert "“coach” is not one of: mentor, mentee" in text[4]
    assert "grade “Grade 99” is not known" in text[5]
    assert "already on row 2 of this file" in text[6]
    assert "already in this cohort as a mentor" in text[7]
    assert "email address is missing" in text[8]
    html = response.content.decode()
    assert "“autumn intake.csv” was not imported" in html
    assert "Nobody was invited" in html


def test_missing_columns_are_reported(client, coordinator, cohort):
    client.force_login(coordinator)
    response = upload(client, cohort, "email,organisation\na@b.gov.uk,ONS\n")
    assert response.status_code == 400
    [(line, message)] = response.context["errors"]
    assert line == 1 and "missing the required columns “name”, “role”" in message
    assert not Enrolment.objects.exists()


def test_uploading_the_same_file_again_creates_no_duplicates(client, coordinator, cohort):
    client.force_login(coordinator)
    upload(client, cohort, GOOD)
    response = upload(client, cohort, GOOD + "grace.hopper@mod.gov.uk,Grace Hopper,mentor,,\n")

    assert response.status_code == 302
    assert Enrolment.objects.filter(cohort=cohort).count() == 3
    assert User.objects.filter(email__endswith=".gov.uk", is_active=False).count() == 3
    assert Email.objects.filter(kind="invitation").count() == 3
    message = [str(m) for m in response.wsgi_request._messages][-1]
    assert message == (
        "“people.csv”: 1 person invited; 2 already in the cohort, left as they were."
    )


def test_existing_enrolment_is_left_as_it_is(client, coordinator, cohort, mentee):
    client.force_login(coordinator)
    upload(client, cohort, "email,name,role\nmentee@example.gov.uk,Mina,mentee\n")
    assert Enrolment.objects.get(user=mentee).status == "accepted"
    assert not Email.objects.exists()


def test_oversized_file_is_refused(client, coordinator, cohort, settings):
    settings.INVITE_CSV_MAX_BYTES = 1024
    big = "email,name,role\n" + "".join(
        f"person{i}@ons.gov.uk,Person {i},mentee\n" for i in range(100)
    )
    client.force_login(coordinator)
    response = upload(client, cohort, big)
    assert response.status_code == 400
    [(line, message)] = response.context["errors"]
    assert line is None and "too large" in message and "1 KB" in message
    assert not Enrolment.objects.exists()


def test_too_many_rows_are_refused(client, coordinator, cohort, settings):
    settings.INVITE_CSV_MAX_ROWS = 1
    client.force_login(coordinator)
    response = upload(client, cohort, GOOD)
    assert response.status_code == 400
    assert "the limit is 1 a file" in response.context["errors"][0][1]
    assert not Enrolment.objects.exists()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\nIDATx\x9cc\x00\x01\x00\x00\x05\x00\x01\r\n-\xb4\x00\x00"
)


def _zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("people.csv", GOOD)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PNG, "not a CSV text file"),
        (_zip_bytes(), "not a CSV file"),
        ("Ünïcödé".encode("latin-1") + b",x,y\n", "not UTF-8 text"),
    ],
    ids=["png", "zip", "latin-1"],
)
def test_a_file_that_is_not_csv_is_refused_by_its_content(
    client, coordinator, cohort, content, expected
):
    client.force_login(coordinator)
    response = upload(client, cohort, content, name="people.csv")
    assert response.status_code == 400
    assert expected in " ".join(m for _, m in response.context["errors"])
    assert not Enrolment.objects.exists()


def test_hostile_values_are_stored_as_text_and_shown_escaped(client, coordinator, cohort):
    content = (
        "email,name,role,organisation\n"
        'formula@ons.gov.uk,"=HYPERLINK(""http://evil.test"",""x"")",mentee,@SUM(A1)\n'
        "script@ons.gov.uk,<script>alert(1)</script>,mentor,ONS\n"
    )
    client.force_login(coordinator)
    assert upload(client, cohort, content).status_code == 302

    formula = User.objects.get(email="formula@ons.gov.uk")
    assert formula.full_name == '=HYPERLINK("http://evil.test","x")'
    assert formula.profile.organisation == "@SUM(A1)"
    script = User.objects.get(email="script@ons.gov.uk")
    assert script.full_name == "<script>alert(1)</script>"
    # Once they apply, the cohort page names them (an invitation alone shows the address only).
    Enrolment.objects.filter(cohort=cohort).update(status="applied")
    page = client.get(cohort.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_hostile_values_in_a_bad_file_are_shown_escaped(client, coordinator, cohort):
    client.force_login(coordinator)
    response = upload(client, cohort, "email,name,role\n<b>x</b>,X,<script>evil()</script>\n")
    html = response.content.decode()
    assert "<script>evil()</script>" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;evil()&lt;/script&gt;" in html


def test_invitation_email_is_sent_once_per_enrolment(
    client, coordinator, cohort, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, cohort, GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, cohort, GOOD)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "ada.lovelace@ons.gov.uk",
        "alan.turing@dsit.gov.uk",
    ]
    ada = next(m for m in mail.outbox if m.to == ["ada.lovelace@ons.gov.uk"])
    enrolment = Enrolment.objects.get(user__email="ada.lovelace@ons.gov.uk")
    assert ada.subject == ("You are invited to Data Science Accelerator (Spring 2027) as a mentee")
    link = reverse("recruitment:invitation_accept", args=["TOKEN"]).replace("TOKEN/", "")
    assert link in ada.body and "choose a password" in ada.body
    html, mimetype = ada.alternatives[0]
    assert mimetype == "text/html" and link in html
    assert "Cora Coordinator has invited you" in ada.body
    assert Email.objects.get(idempotency_key=f"invitation:{enrolment.pk}").status == "sent"


def test_invited_person_sets_a_password_and_can_sign_in(client, coordinator, cohort, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    result = cohort_invite_csv(
        cohort=cohort, upload=GOOD.encode(), ctx=AuditContext(actor=coordinator)
    )
    enrolment = next(e for e in result.invited if e.role == "mentee")
    url = reverse("recruitment:invitation_accept", args=[invitation_token(enrolment)])

    page = client.get(url)
    assert page.status_code == 200 and "ada.lovelace@ons.gov.uk" in page.content.decode()
    mismatch = client.post(url, {"new_password1": "a-Long-pass-9", "new_password2": "other"})
    assert mismatch.status_code == 200 and mismatch.context["form"].errors
    response = client.post(
        url, {"new_password1": "correct-Horse-42", "new_password2": "correct-Horse-42"}
    )

    application = reverse("recruitment:application", args=[enrolment.pk])
    assert response.status_code == 302 and response.url == application
    assert "once the cohort opens for applications" in client.get(application).content.decode()
    user = User.objects.get(pk=enrolment.user_id)
    assert user.is_active and user.check_password("correct-Horse-42")
    assert EmailAddress.objects.get(user=user).verified
    home = client.get(reverse("home")).content.decode()
    assert "Spring 2027" in home and "Invited" in home
    client.logout()
    signed_in = client.post(
        reverse("account_login"),
        {"login": "ada.lovelace@ons.gov.uk", "password": "correct-Horse-42"},
    )
    assert signed_in.status_code == 302 and signed_in.url == reverse("home")


def test_used_invitation_link_cannot_set_the_password_again(client, coordinator, cohort):
    result = cohort_invite_csv(
        cohort=cohort, upload=GOOD.encode(), ctx=AuditContext(actor=coordinator)
    )
    enrolment = result.invited[0]
    url = reverse("recruitment:invitation_accept", args=[invitation_token(enrolment)])
    client.post(url, {"new_password1": "correct-Horse-42", "new_password2": "correct-Horse-42"})
    client.logout()

    again = client.post(
        url, {"new_password1": "stolen-Pass-999", "new_password2": "stolen-Pass-999"}
    )
    assert again.status_code == 200
    assert "You already have an account" in again.content.decode()
    assert User.objects.get(pk=enrolment.user_id).check_password("correct-Horse-42")


def test_active_invitee_is_asked_to_sign_in_and_lands_on_the_invitation_to_accept(
    client, coordinator, cohort, outsider
):
    Cohort.objects.filter(pk=cohort.pk).update(
        status="recruiting", applications_open=None, applications_close=None
    )
    content = "email,name,role\noutsider@example.gov.uk,Otto,mentor\n"
    result = cohort_invite_csv(
        cohort=cohort, upload=content.encode(), ctx=AuditContext(actor=coordinator)
    )
    email = Email.objects.get(kind="invitation")
    assert "sign in" in email.body_text.lower() and "choose a password" not in email.body_text
    url = reverse("recruitment:invitation_accept", args=[invitation_token(result.invited[0])])

    page = client.get(url)
    application = reverse("recruitment:application", args=[result.invited[0].pk])
    assert page.status_code == 200 and "Sign in" in page.content.decode()
    assert f"next={application}" in page.content.decode()  # signing in lands on the invitation
    client.force_login(outsider)
    assert client.get(url).url == application
    invitation = client.get(application).content.decode()
    assert "Spring 2027" in invitation and "Accept the invitation" in invitation
    assert reverse("recruitment:apply", args=[result.invited[0].cohort_id, "mentor"]) in invitation
    home = client.get(reverse("home")).content.decode()
    assert "Spring 2027" in home and "Invited" in home


def test_tampered_or_expired_invitation_link_is_refused(client, coordinator, cohort):
    result = cohort_invite_csv(
        cohort=cohort, upload=GOOD.encode(), ctx=AuditContext(actor=coordinator)
    )
    token = invitation_token(result.invited[0])
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = client.post(
        reverse("recruitment:invitation_accept", args=[tampered]),
        {"new_password1": "correct-Horse-42", "new_password2": "correct-Horse-42"},
    )
    assert response.status_code == 404 and "not valid" in response.content.decode()
    assert not User.objects.get(pk=result.invited[0].user_id).is_active
    for bad in ["nonsense", "eyJlIjoxfQ:1abc:xyz"]:
        url = reverse("recruitment:invitation_accept", args=[bad])
        assert client.get(url).status_code == 404

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        url = reverse("recruitment:invitation_accept", args=[token])
        expired = client.get(url)
    assert expired.status_code == 404 and "expired" in expired.content.decode()


def test_people_cannot_be_invited_to_a_running_cohort(client, coordinator, cohort):
    cohort.status = "running"
    cohort.save()
    client.force_login(coordinator)
    response = upload(client, cohort, GOOD)
    assert response.status_code == 400
    assert "only be invited to a draft or recruiting cohort" in response.context["errors"][0][1]
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize(
    ("text", "grade"),
    [("HEO", Grade.HEO), ("g7", Grade.G7), ("Grade 7", Grade.G7), ("senior executive officer", 5)],
)
def test_grade_is_read_from_code_or_label(text, grade):
    assert parse_grade(text) == grade


def test_semicolon_file_from_excel_is_read(client, coordinator, cohort):
    client.force_login(coordinator)
    content = "\ufeffEmail;Name;Role\nada@ons.gov.uk;Ada;mentee\n"
    assert upload(client, cohort, content).status_code == 302
    assert Enrolment.objects.filter(user__email="ada@ons.gov.uk").exists()


def test_mentor_enrolment_factory_is_unchanged_by_invites(coordinator, cohort):
    existing = EnrolmentFactory(cohort=cohort, role="mentor", status="applied")
    content = f"email,name,role\n{existing.user.email},X,mentor\n"
    result = cohort_invite_csv(
        cohort=cohort, upload=content.encode(), ctx=AuditContext(actor=coordinator)
    )
    assert result.already_enrolled == 1 and not result.invited
    existing.refresh_from_db()
    assert existing.status == "applied"
