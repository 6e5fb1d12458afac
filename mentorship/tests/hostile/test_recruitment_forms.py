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
from programmes.models import Enrolment
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
    FORM_TOKEN,
    PROFILE,
    SHORT,
    Valid,
    assert_all_or_nothing,
    assert_refused_cleanly,
    cohort_at,
    cohort_url,
    covers,
    field,
    form_data,
    get,
    hostile,
    post,
    sending,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiting(cohort, time_machine):
    return cohort_at(
        cohort, "recruiting", time_machine, dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)
    )


MENTOR = Valid(capacity="2", availability="Tuesday afternoons", goals="Give back", topics=[])


def _apply_as_mentor(cohort):
    return reverse("recruitment:apply", args=[cohort.pk, "mentor"])


@covers(MentorApplicationForm, via="recruitment:apply", persona="outsider")
@PROFILE
@given(data=MENTOR.bodies())
def test_mentor_application_form_with_hostile_values(client, outsider, recruiting, data):
    client.force_login(outsider)
    client.get(_apply_as_mentor(recruiting))  # the profile
    with sending(client, _apply_as_mentor(recruiting), data) as attempt:
        enrolments = list(Enrolment.objects.filter(user=outsider).values_list("capacity", "role"))
    assert_all_or_nothing(
        attempt,
        effect={
            "programmes.enrolment",
            "programmes.enrolmentmove",
            "programmes.enrolment_topics",
            "notifications.email",
        },
        must_accept=MENTOR.all_valid(data),
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
NEW_PASSWORD = Valid(new_password1=PASSWORD, new_password2=PASSWORD)


@covers(SetPasswordForm, via="recruitment:invitation_accept", persona="invited person (signed out)")
@PROFILE
@given(data=NEW_PASSWORD.bodies())
def test_invitation_password_form_with_hostile_values(client, invited, data):
    url = reverse("recruitment:invitation_accept", args=[invitations.invitation_token(invited)])
    attempt = submit(client, url, data)
    client.logout()
    assert_all_or_nothing(
        attempt,
        effect={
            "people.user",
            "programmes.enrolment",
            "programmes.enrolmentmove",
            "account.emailaddress",
        },
        must_accept=NEW_PASSWORD.all_valid(data),
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
    url = cohort_url("recruitment:review", recruiting)
    attempt = submit(client, url, data, persona=coordinator, send=get)
    assert_refused_cleanly(attempt)  # filtering never writes


@covers(DecisionForm, via="recruitment:review_decide", persona="coordinator")
@PROFILE
@given(
    decision=field("accepted"),
    which=st.lists(st.sampled_from(["mine", "theirs", "junk"])),
    token=field(FORM_TOKEN),
)
def test_decision_form_with_hostile_values(
    client, coordinator, applicants, recruiting, decision, which, token
):
    ids = {"mine": str(applicants["mine"][0].pk), "theirs": str(applicants["theirs"].pk)}
    body = {"decision": decision, "enrolments": [ids.get(w, "x") for w in which]}
    # The confirmation page only names who would change: it never writes.
    confirm = cohort_url("recruitment:review_confirm", recruiting)
    assert_refused_cleanly(submit(client, confirm, body, persona=coordinator))
    decide = cohort_url("recruitment:review_decide", recruiting)
    with sending(client, decide, {**body, "form_token": token}) as attempt:
        theirs = Enrolment.objects.get(pk=applicants["theirs"].pk).status
    assert_all_or_nothing(
        attempt,
        effect={"programmes.enrolment", "programmes.enrolmentmove", "notifications.email"},
        must_accept=decision == "accepted" and which == ["mine"],
    )
    assert theirs == "applied"  # never an applicant of another programme


NOTES = Valid(coordinator_notes="Strong project")


@covers(NotesForm, via="recruitment:review_notes", persona="coordinator")
@PROFILE
@given(data=NOTES.bodies())
def test_review_notes_form_with_hostile_values(client, coordinator, applicants, recruiting, data):
    enrolment = applicants["mine"][0]
    url = cohort_url("recruitment:review_notes", recruiting, enrolment.pk)
    with sending(client, url, data, persona=coordinator) as attempt:
        notes = Enrolment.objects.get(pk=enrolment.pk).coordinator_notes
    assert_all_or_nothing(
        attempt,
        effect={"programmes.enrolment", "programmes.enrolmentmove"},
        must_accept=NOTES.all_valid(data),
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
    url = reverse("recruitment:talent_pool", args=[pool.slug])
    with sending(client, url, data, persona=coordinator, send=get) as attempt:
        export = get(client, reverse("recruitment:talent_pool_export", args=[pool.slug]), data)
    assert export.status_code == 200
    assert "theirs@example.gov.uk" not in attempt.response.content.decode()
    assert attempt.changed <= {"people.auditevent"}  # the export is audited; nothing else


ADD = Valid(email="added@example.gov.uk", full_name="Added Person", organisation="ONS",
            role="mentor", note="Met at the conference")  # fmt: skip


@covers(TalentPoolAddForm, via="recruitment:talent_pool_add", persona="coordinator")
@PROFILE
@given(data=ADD.bodies())
def test_talent_pool_add_form_with_hostile_values(client, coordinator, pool, data):
    url = reverse("recruitment:talent_pool_add", args=[pool.slug])
    with sending(client, url, data, persona=coordinator) as attempt:
        entries = list(TalentPoolEntry.objects.values_list("email", "note", "full_name"))
    assert_all_or_nothing(
        attempt, effect={"recruitment.talentpoolentry"}, must_accept=ADD.all_valid(data)
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
    cohort_id = {"MINE": str(recruiting.pk), "THEIRS": str(other_cohort.pk)}.get(cohort, cohort)
    data = {"emails": emails, "cohort": cohort_id, "role": role}
    url = reverse("recruitment:talent_pool_invite", args=[pool.slug])
    with sending(client, url, data, persona=coordinator) as attempt:
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
    response = post(client, _apply_as_mentor(recruiting), {**MENTOR, "topics": [topic]})
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()
    assert not Enrolment.objects.filter(user=outsider).exists()


PRIORITY = Valid(name="Net zero")


@covers(BusinessPriorityForm, via="recruitment:priorities", persona="coordinator")
@PROFILE
@given(data=PRIORITY.bodies())
def test_business_priority_form_with_hostile_values(client, coordinator, programme, data):
    already = BusinessPriority.objects.filter(programme=programme, **PRIORITY).exists()
    url = reverse("recruitment:priorities", args=[programme.slug])
    with sending(client, url, data, persona=coordinator) as attempt:
        names = list(BusinessPriority.objects.values_list("name", flat=True))
    assert_all_or_nothing(
        attempt,
        effect={"recruitment.businesspriority"},
        # a second "Net zero" is refused as a duplicate, in plain words
        must_accept=PRIORITY.all_valid(data) and not already,
    )
    assert all("\x00" not in name and len(name) <= 100 for name in names)
