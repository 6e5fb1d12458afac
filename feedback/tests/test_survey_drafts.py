"""Editing a live survey makes a draft that goes live only when published, and a participant who
had the old form open loses nothing and never records an empty response."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from feedback import services
from feedback.models import Response, SurveyInvitation

from .conftest import Q, answer_all, make_schedule, make_template, post_data

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 1, 21)
NOW = dt.datetime(2027, 1, 22, 10, 0)


@pytest.fixture
def invitation(running_cohort, template, mentor, mentee):
    schedule = make_schedule(running_cohort, template)
    services.survey_invitations_create(today=DUE, schedules=[schedule], send=False)
    return SurveyInvitation.objects.get(schedule=schedule, user=mentee)


def _url(invitation):
    return reverse("feedback:answer", args=[invitation.token])


def _q(version, qtype):
    return version.questions.get(type=qtype)


def test_editing_a_live_survey_makes_a_draft_that_goes_live_on_publishing(programme):
    template = make_template(programme)
    v1 = services.current_version(template)
    scale = _q(v1, Q.SCALE_1_5)
    services.question_update(
        template=template,
        question_id=scale.pk,
        data={"text": "Reworded", "type": Q.SCALE_1_5, "required": True},
    )
    draft = services.latest_version(template)
    assert draft.number == 2 and not draft.published
    assert services.current_version(template) == v1  # participants still see version 1
    scale.refresh_from_db()
    assert scale.text == "How useful was it?"
    services.question_remove(template=template, question_id=_q(draft, Q.FREE_TEXT).pk)
    assert template.versions.count() == 2  # the draft changes in place
    services.version_publish(template=template)
    assert services.current_version(template) == draft
    assert services.version_publish(template=template) == draft  # nothing new to publish
    assert template.versions.count() == 2


def test_the_builder_says_which_version_is_live_and_which_is_a_draft(
    client, coordinator, programme
):
    template = make_template(programme)
    client.force_login(coordinator)
    builder = reverse("feedback:builder", args=[programme.slug, template.pk])
    question = _q(services.current_version(template), Q.FREE_TEXT)
    client.post(
        reverse("feedback:question_edit", args=[programme.slug, template.pk, question.pk]),
        {"type": Q.FREE_TEXT, "text": "Tell us more"},
    )
    page = client.get(builder).content.decode()
    assert "draft version 2" in page and "still answer version 1" in page
    assert reverse("feedback:publish", args=[programme.slug, template.pk]) in page


@time_machine.travel(NOW, tick=False)
def test_an_unpublished_draft_does_not_disturb_someone_answering(
    client, template, invitation, mentee
):
    client.force_login(mentee)
    v1 = services.current_version(template)
    form = client.get(_url(invitation)).content.decode()
    assert f'name="version" value="{v1.pk}"' in form
    services.question_add(
        template=template, data={"type": Q.FREE_TEXT, "text": "New one", "required": True}
    )
    data = {**post_data(v1, answer_all(v1)), "version": v1.pk}
    assert client.post(_url(invitation), data).status_code == 302
    assert Response.objects.get().version == v1


@time_machine.travel(NOW, tick=False)
def test_a_version_replaced_while_typing_keeps_the_answers_and_records_nothing(
    client, template, invitation, mentee
):
    client.force_login(mentee)
    v1 = services.current_version(template)
    client.get(_url(invitation))
    # The coordinator rewords a question, removes the free text and adds a required one.
    scale = _q(v1, Q.SCALE_1_5)
    services.question_update(
        template=template,
        question_id=scale.pk,
        data={"text": "How useful, really?", "type": Q.SCALE_1_5, "required": True},
    )
    services.question_remove(template=template, question_id=_q(v1, Q.FREE_TEXT).pk)
    single = _q(v1, Q.SINGLE_CHOICE)
    services.question_update(
        template=template,
        question_id=single.pk,
        data={"text": single.text, "type": Q.SINGLE_CHOICE, "choices": ["Sure", "No"]},
    )
    services.question_add(
        template=template, data={"type": Q.FREE_TEXT, "text": "What next?", "required": True}
    )
    v2 = services.version_publish(template=template)

    answers = {**answer_all(v1), _q(v1, Q.FREE_TEXT).pk: "My long considered answer"}
    response = client.post(_url(invitation), {**post_data(v1, answers), "version": v1.pk})
    assert response.status_code == 200
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None
    html = response.content.decode()
    assert "The survey changed while you were answering" in html
    assert "How useful, really?" in html and f'name="version" value="{v2.pk}"' in html
    # What they typed is carried to the same questions of the new version...
    form = response.context["form"]
    assert form.initial[f"q{_q(v2, Q.SCALE_1_5).pk}"] == 4
    assert form.initial[f"q{_q(v2, Q.MULTIPLE_CHOICE).pk}"] == ["Mentor", "Time"]
    # ...and what has no place in it (a removed question, a choice that is gone) is shown.
    assert "My long considered answer" in html
    assert dict(response.context["dropped"])[single.text] == "Yes"

    new = {**answer_all(v2), _q(v2, Q.SINGLE_CHOICE).pk: "Sure"}
    new[v2.questions.get(text="What next?").pk] = "Publish it"
    done = client.post(_url(invitation), {**post_data(v2, new), "version": v2.pk})
    assert done.status_code == 302
    assert Response.objects.get().version == v2


@time_machine.travel(NOW, tick=False)
def test_an_empty_response_is_never_recorded(client, programme, running_cohort, mentee, mentor):
    template = make_template(programme, questions=[(Q.FREE_TEXT, "Anything?", False, [])])
    schedule = make_schedule(running_cohort, template)
    services.survey_invitations_create(today=DUE, schedules=[schedule], send=False)
    invitation = SurveyInvitation.objects.get(schedule=schedule, user=mentee)
    version = services.current_version(template)
    client.force_login(mentee)
    response = client.post(_url(invitation), {"version": version.pk})
    assert response.status_code == 200
    assert "Answer at least one question" in response.content.decode()
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None
    with pytest.raises(services.EmptyResponse):
        services.survey_submit(invitation=invitation, version=version, answers={1: ""})
    invitation.refresh_from_db()
    assert invitation.answered_at is None  # the claim was rolled back


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999999", "", "1e3"])
def test_a_tampered_version_field_is_answered_against_the_live_version(
    client, template, invitation, mentee, value
):
    client.force_login(mentee)
    v1 = services.current_version(template)
    response = client.post(_url(invitation), {**post_data(v1, answer_all(v1)), "version": value})
    assert response.status_code == 302
    assert Response.objects.get().version == v1


@time_machine.travel(NOW, tick=False)
def test_a_version_of_another_survey_is_not_taken(client, programme, template, invitation, mentee):
    other = make_template(programme, name="Other")
    client.force_login(mentee)
    v1 = services.current_version(template)
    data = {**post_data(v1, answer_all(v1)), "version": services.current_version(other).pk}
    assert client.post(_url(invitation), data).status_code == 302
    assert Response.objects.get().version == v1


def test_the_opened_version_is_two_queries(programme, django_assert_num_queries):
    from feedback import selectors

    template = make_template(programme)
    version = services.current_version(template)
    with django_assert_num_queries(2):  # the version and its questions
        found = selectors.opened_version(template=template, value=str(version.pk))
        assert len(found.questions.all()) == 6
