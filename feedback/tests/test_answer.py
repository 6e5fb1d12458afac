import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from feedback import services
from feedback.forms import SurveyAnswerForm
from feedback.models import Answer, Response, SurveyInvitation

from .conftest import Q, answer_all, make_schedule, post_data

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 1, 21)  # cohort starts 11 Jan 2027; schedules are due 10 days later


@pytest.fixture
def invite(running_cohort, mentor, mentee):
    """Invitations for a schedule of the given template, as of its due date."""

    def _invite(template, user):
        schedule = make_schedule(running_cohort, template)
        services.survey_invitations_create(today=DUE, schedules=[schedule], send=False)
        return SurveyInvitation.objects.get(schedule=schedule, user=user)

    return _invite


def _url(invitation):
    return reverse("feedback:answer", args=[invitation.token])


# --- Validation of each question type -----------------------------------------------------------


@pytest.mark.parametrize(
    ("qtype", "good", "bad"),
    [
        (Q.SCALE_1_5, ["1", "5"], ["0", "6", "x"]),
        (Q.WELLBEING_1_5, ["1", "3"], ["0", "6"]),
        (Q.NPS_0_10, ["0", "10"], ["-1", "11", "7.5"]),
        (Q.SINGLE_CHOICE, ["Yes"], ["Perhaps"]),
        (Q.MULTIPLE_CHOICE, [["Yes", "No"]], [["Yes", "Perhaps"]]),
        (Q.FREE_TEXT, ["Fine"], ["x" * 5001]),
    ],
)
def test_each_question_type_accepts_only_valid_answers(programme, qtype, good, bad):
    from .conftest import make_template

    choices = ["Yes", "No"] if qtype in (Q.SINGLE_CHOICE, Q.MULTIPLE_CHOICE) else []
    template = make_template(programme, questions=[(qtype, "Question?", True, choices)])
    version = services.current_version(template)
    name = f"q{version.questions.get().pk}"
    for value in good:
        form = SurveyAnswerForm({name: value}, version=version)
        assert form.is_valid(), (qtype, value, form.errors)
    for value in [*bad, ""]:
        form = SurveyAnswerForm({name: value}, version=version)
        assert not form.is_valid(), (qtype, value)
    if qtype in (Q.SCALE_1_5, Q.NPS_0_10, Q.WELLBEING_1_5):
        form = SurveyAnswerForm({name: good[0]}, version=version)
        form.is_valid()
        assert isinstance(form.answers()[version.questions.get().pk], int)


def test_optional_questions_may_be_left_empty(programme):
    from .conftest import make_template

    template = make_template(
        programme,
        questions=[(Q.FREE_TEXT, "Anything?", False, []), (Q.FREE_TEXT, "More?", False, [])],
    )
    version = services.current_version(template)
    first = version.questions.first()
    assert SurveyAnswerForm({f"q{first.pk}": "Yes"}, version=version).is_valid()
    # ...but not all of them: an empty response would use up the invitation for nothing.
    empty = SurveyAnswerForm({}, version=version)
    assert not empty.is_valid() and "Answer at least one question" in str(empty.errors)


# --- Answering ----------------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2027, 1, 22, 10, 0), tick=False)
def test_invitee_answers_once_and_a_second_answer_is_refused(client, template, invite, mentee):
    invitation = invite(template, mentee)
    version = services.current_version(template)
    client.force_login(mentee)
    assert client.get(_url(invitation)).status_code == 200
    response = client.post(_url(invitation), post_data(version, answer_all(version)), follow=True)
    assert "Thank you" in response.content.decode() and "are saved" in response.content.decode()
    saved = Response.objects.get()
    assert saved.user == mentee and saved.invitation == invitation and saved.role == "mentee"
    assert saved.answers.count() == 6
    assert Answer.objects.get(question__type=Q.MULTIPLE_CHOICE).choices == ["Mentor", "Time"]

    again = client.post(_url(invitation), post_data(version, answer_all(version)))
    assert again.status_code == 409
    assert "already answered this survey" in again.content.decode()
    assert Response.objects.count() == 1
    # The refused service call says the same.
    invitation.refresh_from_db()
    with pytest.raises(services.AlreadyAnswered):
        services.survey_submit(
            invitation=invitation,
            version=version,
            answers={},
        )


@time_machine.travel(dt.datetime(2027, 1, 22, 10, 0), tick=False)
def test_a_half_filled_form_keeps_its_answers_on_error(client, template, invite, mentee):
    invitation = invite(template, mentee)
    version = services.current_version(template)
    answers = answer_all(version)
    nps = version.questions.get(type=Q.NPS_0_10)
    del answers[nps.pk]
    client.force_login(mentee)
    response = client.post(_url(invitation), post_data(version, answers))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in page and "Answer this question: it is required." in page
    assert "Great" in page  # the free text typed
    scale = version.questions.get(type=Q.SCALE_1_5)
    assert re.search(rf'name="q{scale.pk}" value="4"[^>]*checked', page)  # the radio chosen
    assert Response.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.answered_at is None


@time_machine.travel(dt.datetime(2027, 2, 20, 10, 0), tick=False)
def test_a_closed_survey_refuses_answers(client, template, invite, mentee):
    invitation = invite(template, mentee)
    version = services.current_version(template)
    client.force_login(mentee)
    page = client.get(_url(invitation)).content.decode()
    assert "This survey closed on 4 February 2027" in page
    response = client.post(_url(invitation), post_data(version, answer_all(version)))
    assert response.status_code == 409
    assert Response.objects.count() == 0


def test_an_invitee_cannot_open_someone_elses_invitation(client, template, invite, mentor, mentee):
    invitation = invite(template, mentee)
    client.force_login(mentor)
    assert client.get(_url(invitation)).status_code == 404
    assert client.post(_url(invitation), {}).status_code == 404


def test_an_identified_survey_needs_the_invitee_to_sign_in(client, template, invite, mentee):
    invitation = invite(template, mentee)
    response = client.get(_url(invitation))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_a_tampered_link_is_404(client, template, invite, mentee):
    invitation = invite(template, mentee)
    client.force_login(mentee)
    url = reverse("feedback:answer", args=[invitation.token[:-2] + "xx"])
    assert client.get(url).status_code == 404


@time_machine.travel(dt.datetime(2027, 1, 22, 10, 0), tick=False)
def test_anonymous_survey_opens_for_the_link_holder_once_and_stores_no_identity(
    client, anon_template, invite, mentee
):
    invitation = invite(anon_template, mentee)
    version = services.current_version(anon_template)
    # Not signed in: the link is enough.
    assert client.get(_url(invitation)).status_code == 200
    client.post(_url(invitation), post_data(version, answer_all(version)))
    response = Response.objects.get()
    assert response.user is None and response.invitation is None
    assert response.submitted_at is None and response.role == ""
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    assert not Response.objects.filter(invitation=invitation).exists()
    assert not Response.objects.filter(user=mentee).exists()
    again = client.post(_url(invitation), post_data(version, answer_all(version)))
    assert again.status_code == 409 and Response.objects.count() == 1


@time_machine.travel(dt.datetime(2027, 1, 22, 10, 0), tick=False)
def test_home_page_lists_surveys_to_answer(client, template, invite, mentee):
    invitation = invite(template, mentee)
    client.force_login(mentee)
    page = client.get(reverse("home")).content.decode()
    assert "Surveys to answer" in page and _url(invitation) in page
    page = client.get(reverse("feedback:mine")).content.decode()
    assert _url(invitation) in page
    SurveyInvitation.objects.filter(pk=invitation.pk).update(answered_at="2027-01-22T10:00Z")
    assert "Surveys to answer" not in client.get(reverse("home")).content.decode()


@time_machine.travel(dt.datetime(2027, 1, 22, 10, 0), tick=False)
def test_the_surveys_page_says_surveys_to_answer_once_and_does_not_link_to_itself(
    client, template, invite, mentee
):
    invitation = invite(template, mentee)
    client.force_login(mentee)
    page = client.get(reverse("feedback:mine")).content.decode()
    body = page.split("<main", 1)[-1]
    assert body.count("Surveys to answer") == 1 and _url(invitation) in body
    assert "Your surveys page" not in body
    home = client.get(reverse("home")).content.decode()
    assert "Your surveys page" in home  # the home page's section still leads to it


def test_a_link_emailed_before_links_carried_a_timestamp_still_opens_the_survey(
    client, template, invite, mentee
):
    """Links already sent were made by an untimed Signer: they must keep working."""
    from django.core import signing

    invitation = invite(template, mentee)
    old = signing.Signer(salt="feedback.survey-invitation").sign_object(
        {"i": invitation.pk}, compress=False
    )
    client.force_login(mentee)
    assert client.get(reverse("feedback:answer", args=[old])).status_code == 200
    forged = signing.Signer(salt="feedback.survey-invitation").sign_object({"i": invitation.pk})
    assert client.get(reverse("feedback:answer", args=[forged[:-2] + "xx"])).status_code == 404
