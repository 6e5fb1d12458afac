"""Hostile input on the survey forms: the answer behind a token link (identified and anonymous),
and the coordinator's survey builder (survey settings, questions) and schedules."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from feedback import services
from feedback.forms import QuestionForm, ScheduleForm, SurveyAnswerForm, SurveyTemplateForm
from feedback.models import Answer, Question, Response, SurveyInvitation, SurveyTemplate
from feedback.tests.conftest import ALL_TYPES, make_schedule, make_template
from programmes.models import Cohort

from .support import (
    PROFILE,
    SHORT,
    Attempt,
    assert_all_or_nothing,
    covers,
    field,
    form_data,
    is_valid_example,
    post,
)

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 1, 21)  # the cohort starts 11 Jan 2027; schedules are due 10 days later
VALID = {"scale_1_5": "4", "nps_0_10": "9", "single_choice": "Yes", "multiple_choice": ["Mentor"],
         "free_text": "Great", "wellbeing_1_5": "3"}  # fmt: skip


@pytest.fixture
def surveys(cohort, mentee, mentor, other_programme, time_machine):
    """An identified and an anonymous survey, each with every question type, due for the mentee;
    and a question of another programme's survey, to post answers to."""
    time_machine.move_to(dt.datetime(2027, 1, 22, 12, tzinfo=dt.UTC))
    Cohort.objects.filter(pk=cohort.pk).update(status="running")
    cohort.refresh_from_db()
    out = {}
    for anonymous in (False, True):
        template = make_template(
            cohort.programme, anonymous=anonymous, name=f"Check {anonymous}", questions=ALL_TYPES
        )
        schedule = make_schedule(cohort, template)
        services.survey_invitations_create(today=DUE, schedules=[schedule], send=False)
        out[anonymous] = SurveyInvitation.objects.get(schedule=schedule, user=mentee)
    foreign = make_template(other_programme, name="Theirs", questions=ALL_TYPES[:1])
    out["foreign_question"] = Question.objects.filter(version__template=foreign).first()
    return out


def _answers_strategy():
    return st.fixed_dictionaries({qtype: field(value) for qtype, value in VALID.items()})


@covers(SurveyAnswerForm, via="feedback:answer", persona="mentee (and anyone holding the link)")
@PROFILE
@given(anonymous=st.booleans(), answers=_answers_strategy(), extra=field("5"))
def test_survey_answer_form_with_hostile_values(client, mentee, surveys, anonymous, answers, extra):
    invitation = surveys[anonymous]
    if anonymous:
        client.logout()
    else:
        client.force_login(mentee)
    questions = {
        q.type: q for q in Question.objects.filter(version__template=invitation.schedule.template)
    }
    data = {f"q{questions[qtype].pk}": value for qtype, value in answers.items()}
    data[f"q{surveys['foreign_question'].pk}"] = extra  # a question of another survey
    with Attempt() as attempt:
        attempt.response = post(client, reverse("feedback:answer", args=[invitation.token]), data)
        responses = list(Response.objects.filter(schedule=invitation.schedule))
        answers_saved = Answer.objects.filter(response__schedule=invitation.schedule).count()
        foreign_answers = Answer.objects.filter(question=surveys["foreign_question"]).count()
    assert_all_or_nothing(
        attempt,
        effect={"feedback.response", "feedback.answer", "feedback.surveyinvitation"},
        must_accept=answers == VALID,
    )
    assert foreign_answers == 0
    if responses:  # a whole response: every answered question, never some of them
        assert len(responses) == 1 and answers_saved >= 4
        assert (responses[0].user_id is None) == anonymous
    else:
        assert answers_saved == 0


TEMPLATE = {"name": "Mid-point check", "description": "How is it going?", "audience": "both"}


@pytest.fixture
def builder(client, coordinator, programme, other_programme):
    """A draft survey with two questions, another programme's survey, the defaults made."""
    client.force_login(coordinator)
    client.get(reverse("feedback:templates", args=[programme.slug]))  # the defaults, once
    template = make_template(programme, name="Builder", questions=ALL_TYPES[:2], publish=False)
    return {
        "template": template,
        "question": Question.objects.filter(version__template=template).first(),
        "theirs": make_template(other_programme, name="Theirs", questions=ALL_TYPES[:1]),
    }


@covers(SurveyTemplateForm, via="feedback:templates", persona="coordinator")
@PROFILE
@given(edit=st.booleans(), data=form_data(**TEMPLATE, anonymous="on"))
def test_survey_template_form_with_hostile_values(client, programme, builder, edit, data):
    existing = builder["template"]
    url = (
        reverse("feedback:template_edit", args=[programme.slug, existing.pk])
        if edit
        else reverse("feedback:templates", args=[programme.slug])
    )
    with Attempt() as attempt:
        attempt.response = post(client, url, data)
        names = list(SurveyTemplate.objects.values_list("name", flat=True))
    assert_all_or_nothing(
        attempt,
        # A new survey starts with its first (draft) version.
        effect={"feedback.surveytemplate", "feedback.surveyversion"},
        must_accept=is_valid_example(data, **TEMPLATE),
    )
    assert all("\x00" not in name for name in names)


QUESTION = {"type": "single_choice", "text": "Would you do it again?", "help_text": "",
            "required": "on", "choices": "Yes\nNo"}  # fmt: skip


@covers(QuestionForm, via="feedback:builder", persona="coordinator")
@PROFILE
@given(edit=st.booleans(), data=form_data(**QUESTION))
def test_question_form_with_hostile_values(client, programme, builder, edit, data):
    template, question = builder["template"], builder["question"]
    url = (
        reverse("feedback:question_edit", args=[programme.slug, template.pk, question.pk])
        if edit
        else reverse("feedback:builder", args=[programme.slug, template.pk])
    )
    with Attempt() as attempt:
        attempt.response = post(client, url, data)
        texts = list(Question.objects.values_list("text", "choices"))
    assert_all_or_nothing(
        attempt,
        effect={"feedback.question", "feedback.surveyversion"},
        must_accept=is_valid_example(data, **QUESTION),
    )
    for text, choices in texts:
        assert "\x00" not in text and all("\x00" not in c for c in choices or [])


@pytest.fixture
def schedules(client, coordinator, cohort, builder):
    client.get(reverse("feedback:cohort", args=[cohort.programme.slug, cohort.pk]))  # defaults
    mine = make_template(cohort.programme, name="Ours", questions=ALL_TYPES[:1])
    return {"mine": mine, "theirs": builder["theirs"], "schedule": make_schedule(cohort, mine)}


SCHEDULE = {"audience": "both", "trigger": "cohort_start", "offset_days": "10",
            "every_n_checkins": "1", "close_after_days": "14", "active": "on"}  # fmt: skip


@covers(ScheduleForm, via="feedback:cohort", persona="coordinator")
@SHORT
@given(edit=st.booleans(), data=form_data(**SCHEDULE, template="MINE"))
def test_schedule_form_with_hostile_values(client, cohort, schedules, edit, data):
    programme = cohort.programme
    mine, theirs, schedule = schedules["mine"], schedules["theirs"], schedules["schedule"]
    body = dict(data)
    if body["template"] == "MINE":
        body["template"] = str(mine.pk)
    body.setdefault("template_from_elsewhere", str(theirs.pk))
    url = (
        reverse("feedback:schedule_edit", args=[programme.slug, cohort.pk, schedule.pk])
        if edit
        else reverse("feedback:cohort", args=[programme.slug, cohort.pk])
    )
    with Attempt() as attempt:
        attempt.response = post(client, url, body)
        foreign = theirs.schedules.count()
    assert_all_or_nothing(
        attempt,
        effect={"feedback.surveyschedule"},
        must_accept=is_valid_example(data, **SCHEDULE, template="MINE") and not edit,
    )
    assert foreign == 0


@SHORT
@given(template=st.sampled_from(["THEIRS", "0", "-1", "99999999999999999999"]))
def test_a_schedule_never_points_at_another_programmes_survey(client, cohort, schedules, template):
    theirs = schedules["theirs"]
    body = {**SCHEDULE, "template": str(theirs.pk) if template == "THEIRS" else template}
    with Attempt() as attempt:
        attempt.response = post(
            client, reverse("feedback:cohort", args=[cohort.programme.slug, cohort.pk]), body
        )
    assert attempt.response.status_code == 200
    assert not attempt.changed & {"feedback.surveyschedule"}
