"""Hostile input on the recruitment forms: the mentor's application, accepting an invitation
(choosing a password), the coordinator's review (filters, decisions, notes) and the talent pool
(filters, adding someone, inviting from it)."""

import datetime as dt

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from lib.audit import AuditContext
from programmes.models import Cohort, Enrolment
from programmes.tests.factories import EnrolmentFactory
from recruitment import invitations
from recruitment.forms import (
    ApplicationFilterForm,
    BusinessPriorityForm,
    DecisionForm,
    MentorApplicationForm,
    NotesForm,
    PoolInviteForm,
    TalentPoolAddForm,
    TalentPoolFilterForm,
)
from recruitment.models import BusinessPriority, TalentPoolEntry

from .support import (
    PROFILE,
    SHORT,
    Attempt,
    assert_all_or_nothing,
    assert_refused_cleanly,
    covers,
    field,
    form_data,
    get,
    hostile,
    is_valid_example,
    post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiting(cohort, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))
    Cohort.objects.filter(pk=cohort.pk).update(status="recruiting")
    cohort.refresh_from_db()
    return cohort


MENTOR = {"capacity": "2", "availability": "Tuesday afternoons", "goals": "Give back"}


@covers(MentorApplicationForm, via="recruitment:apply", persona="outsider")
@PROFILE
@given(data=form_data(**MENTOR, topics=[]))
def test_mentor_application_form_with_hostile_values(client, outsider, recruiting, data):
    client.force_login(outsider)
    client.get(reverse("recruitment:apply", args=[recruiting.pk, "mentor"]))  # the profile
    with Attempt() as attempt:
        attempt.response = post(
            client, reverse("recruitment:apply", args=[recruiting.pk, "mentor"]), data
        )
        enrolments = list(Enrolment.objects.filter(user=outsider).values_list("capacity", "role"))
    assert_all_or_nothing(
        attempt,
        effect={
            "programmes.enrolment",
            "programmes.enrolmentmove",
            "programmes.enrolment_topics",
            "notifications.email",
        },
        must_accept=is_valid_example(data, **MENTOR, topics=[]),
    )
    assert all(1 <= capacity <= 5 and role == "mentor" for capacity, role in enrolments)


@pytest.fixture
def invited(coordinator, recruiting):
    """Someone invited by email: no password yet, the account inactive."""
    invitations.cohort_invite_people(
        ctx=AuditContext(actor=coordinator),
        cohort=recruiting,
        invitees=[
            invitations.Invitee(email="new.person@example.gov.uk", name="New", role="mentee")
        ],
    )
    return Enrolment.objects.get(user__email="new.person@example.gov.uk")


PASSWORD = "correct horse battery staple 42"


@covers(SetPasswordForm, via="recruitment:invitation_accept", persona="invited person (signed out)")
@PROFILE
@given(data=form_data(new_password1=PASSWORD, new_password2=PASSWORD))
def test_invitation_password_form_with_hostile_values(client, invited, data):
    url = reverse("recruitment:invitation_accept", args=[invitations.invitation_token(invited)])
    with Attempt() as attempt:
        attempt.response = post(client, url, data)
    client.logout()
    assert_all_or_nothing(
        attempt,
        effect={
            "people.user",
            "programmes.enrolment",
            "programmes.enrolmentmove",
            "account.emailaddress",
        },
        must_accept=is_valid_example(data, new_password1=PASSWORD, new_password2=PASSWORD),
    )


@pytest.fixture
def applicants(recruiting, other_cohort):
    mine = [EnrolmentFactory(cohort=recruiting, role="mentee", status="applied") for _ in range(2)]
    theirs = EnrolmentFactory(cohort=other_cohort, role="mentee", status="applied")
    return {"mine": mine, "theirs": theirs}


@covers(ApplicationFilterForm, via="recruitment:review", persona="coordinator")
@PROFILE
@given(data=form_data(role="mentee", status="applied", duplicates="on"))
def test_review_filters_with_hostile_values(client, coordinator, applicants, recruiting, data):
    client.force_login(coordinator)
    url = reverse("recruitment:review", args=[recruiting.programme.slug, recruiting.pk])
    with Attempt() as attempt:
        attempt.response = get(client, url, data)
    assert_refused_cleanly(attempt)  # filtering never writes


@covers(DecisionForm, via="recruitment:review_decide", persona="coordinator")
@PROFILE
@given(
    decision=field("accepted"),
    which=st.lists(st.sampled_from(["mine", "theirs", "junk"])),
    token=field("hostile-test-token-0123456789"),
)
def test_decision_form_with_hostile_values(
    client, coordinator, applicants, recruiting, decision, which, token
):
    client.force_login(coordinator)
    ids = {"mine": str(applicants["mine"][0].pk), "theirs": str(applicants["theirs"].pk)}
    body = {"decision": decision, "enrolments": [ids.get(w, "x") for w in which]}
    args = [recruiting.programme.slug, recruiting.pk]
    # The confirmation page only names who would change: it never writes.
    with Attempt() as attempt:
        attempt.response = post(client, reverse("recruitment:review_confirm", args=args), body)
    assert_refused_cleanly(attempt)
    with Attempt() as attempt:
        attempt.response = post(
            client, reverse("recruitment:review_decide", args=args), {**body, "form_token": token}
        )
        theirs = Enrolment.objects.get(pk=applicants["theirs"].pk).status
    assert_all_or_nothing(
        attempt,
        effect={"programmes.enrolment", "programmes.enrolmentmove", "notifications.email"},
        must_accept=decision == "accepted" and which == ["mine"],
    )
    assert theirs == "applied"  # never an applicant of another programme


@covers(NotesForm, via="recruitment:review_notes", persona="coordinator")
@PROFILE
@given(data=form_data(coordinator_notes="Strong project"))
def test_review_notes_form_with_hostile_values(client, coordinator, applicants, recruiting, data):
    client.force_login(coordinator)
    enrolment = applicants["mine"][0]
    url = reverse(
        "recruitment:review_notes",
        args=[recruiting.programme.slug, recruiting.pk, enrolment.pk],
    )
    with Attempt() as attempt:
        attempt.response = post(client, url, data)
        notes = Enrolment.objects.get(pk=enrolment.pk).coordinator_notes
    assert_all_or_nothing(
        attempt,
        effect={"programmes.enrolment", "programmes.enrolmentmove"},
        must_accept=is_valid_example(data, coordinator_notes="Strong project"),
    )
    assert "\x00" not in notes and len(notes) <= 5000


@pytest.fixture
def pool(programme, other_programme):
    TalentPoolEntry.objects.create(
        programme=programme, email="pool.person@example.gov.uk", full_name="Pool Person"
    )
    TalentPoolEntry.objects.create(
        programme=other_programme, email="theirs@example.gov.uk", full_name="Not Yours"
    )
    return programme


@covers(TalentPoolFilterForm, via="recruitment:talent_pool", persona="coordinator")
@PROFILE
@given(
    data=form_data(
        role="mentee", skill="1", skill_direction="teach", organisation="ONS", last_cohort="never"
    )
)
def test_talent_pool_filters_with_hostile_values(client, coordinator, pool, data):
    client.force_login(coordinator)
    with Attempt() as attempt:
        attempt.response = get(client, reverse("recruitment:talent_pool", args=[pool.slug]), data)
        export = get(client, reverse("recruitment:talent_pool_export", args=[pool.slug]), data)
    assert export.status_code == 200
    assert "theirs@example.gov.uk" not in attempt.response.content.decode()
    assert attempt.changed <= {"people.auditevent"}  # the export is audited; nothing else


ADD = {"email": "added@example.gov.uk", "full_name": "Added Person", "organisation": "ONS",
       "role": "mentor", "note": "Met at the conference"}  # fmt: skip


@covers(TalentPoolAddForm, via="recruitment:talent_pool_add", persona="coordinator")
@PROFILE
@given(data=form_data(**ADD))
def test_talent_pool_add_form_with_hostile_values(client, coordinator, pool, data):
    client.force_login(coordinator)
    with Attempt() as attempt:
        attempt.response = post(
            client, reverse("recruitment:talent_pool_add", args=[pool.slug]), data
        )
        entries = list(TalentPoolEntry.objects.values_list("email", "note", "full_name"))
    assert_all_or_nothing(
        attempt,
        effect={"recruitment.talentpoolentry"},
        must_accept=is_valid_example(data, **ADD),
    )
    assert all("\x00" not in "".join(entry) for entry in entries)


@covers(PoolInviteForm, via="recruitment:talent_pool_invite", persona="coordinator")
@SHORT
@given(
    emails=st.lists(
        st.sampled_from(["pool.person@example.gov.uk", "theirs@example.gov.uk"]) | hostile()
    ),
    cohort=st.sampled_from(["MINE", "THEIRS"]) | hostile(),
    role=field(""),
)
def test_pool_invite_form_with_hostile_values(
    client, coordinator, pool, recruiting, other_cohort, emails, cohort, role
):
    client.force_login(coordinator)
    cohort_id = {"MINE": str(recruiting.pk), "THEIRS": str(other_cohort.pk)}.get(cohort, cohort)
    data = {"emails": emails, "cohort": cohort_id, "role": role}
    with Attempt() as attempt:
        attempt.response = post(
            client, reverse("recruitment:talent_pool_invite", args=[pool.slug]), data
        )
        invited = set(
            Enrolment.objects.filter(status="invited").values_list("user__email", "cohort")
        )
    assert_all_or_nothing(
        attempt,
        effect={
            "people.user",
            "people.profile",
            "programmes.enrolment",
            "programmes.enrolmentmove",
            "notifications.email",
            "account.emailaddress",
        },
        must_accept=emails == ["pool.person@example.gov.uk"] and cohort == "MINE" and role == "",
    )
    # Only the pool's own people, only into this programme's cohort.
    assert invited <= {("pool.person@example.gov.uk", recruiting.pk)}


@pytest.mark.parametrize("topic", ["9" * 30, "²", "abc", "-1"])
def test_an_id_the_database_cannot_hold_is_an_invalid_choice_not_a_500(
    client, outsider, recruiting, topic
):
    client.force_login(outsider)
    url = reverse("recruitment:apply", args=[recruiting.pk, "mentor"])
    response = post(client, url, {**MENTOR, "topics": [topic]})
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()
    assert not Enrolment.objects.filter(user=outsider).exists()


@covers(BusinessPriorityForm, via="recruitment:priorities", persona="coordinator")
@PROFILE
@given(data=form_data(name="Net zero"))
def test_business_priority_form_with_hostile_values(client, coordinator, programme, data):
    client.force_login(coordinator)
    already = BusinessPriority.objects.filter(programme=programme, name="Net zero").exists()
    with Attempt() as attempt:
        attempt.response = post(
            client, reverse("recruitment:priorities", args=[programme.slug]), data
        )
        names = list(BusinessPriority.objects.values_list("name", flat=True))
    assert_all_or_nothing(
        attempt,
        effect={"recruitment.businesspriority"},
        # a second "Net zero" is refused as a duplicate, in plain words
        must_accept=is_valid_example(data, name="Net zero") and not already,
    )
    assert all("\x00" not in name and len(name) <= 100 for name in names)
