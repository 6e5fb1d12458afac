"""Hostile input on the survey forms: the answer behind a token link (identified and anonymous),
and the coordinator's survey builder (survey settings, questions) and schedules."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from feedback import services
from feedback.forms import (
    NewQuestionForm,
    NewScheduleForm,
    NewSurveyTemplateForm,
    QuestionForm,
    ScheduleForm,
    SurveyAnswerForm,
    SurveyTemplateForm,
)
from feedback.models import Answer, Question, Response, SurveyInvitation, SurveyTemplate
from feedback.tests.conftest import ALL_TYPES, make_schedule, make_template

from .support import (
    PROFILE,
    SHORT,
    Valid,
    assert_all_or_nothing,
    cohort_at,
    cohort_url,
    covers,
    field,
    sending,
    submit,
)

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 1, 21)  # the cohort starts 11 Jan 2027; schedules are due 10 days later
VALID = {"scale_1_5": "4", "nps_0_10": "9", "single_choice": "Yes", "multiple_choice": ["Mentor"],
         "free_text": "Great", "wellbeing_1_5": "3"}  # fmt: skip


@pytest.fixture
def surveys(cohort, mentee, mentor, other_programme, time_machine):
    """An identified and an anonymous survey, each with every question type, due for the mentee;
    and a question of another programme's survey, to post answers to."""
    cohort_at(cohort, "running", time_machine, dt.datetime(2027, 1, 22, 12, tzinfo=dt.UTC))
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
    with sending(client, reverse("feedback:answer", args=[invitation.token]), data) as attempt:
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


TEMPLATE = Valid(name="Mid-point check", description="How is it going?", audience="both")


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


@covers(SurveyTemplateForm, NewSurveyTemplateForm, via="feedback:templates", persona="coordinator")
@PROFILE
@given(edit=st.booleans(), data=TEMPLATE.bodies(anonymous="on"))
def test_survey_template_form_with_hostile_values(client, programme, builder, edit, data):
    existing = builder["template"]
    url = (
        reverse("feedback:template_edit", args=[programme.slug, existing.pk])
        if edit
        else reverse("feedback:templates", args=[programme.slug])
    )
    with sending(client, url, data) as attempt:
        names = list(SurveyTemplate.objects.values_list("name", flat=True))
    assert_all_or_nothing(
        attempt,
        # A new survey starts with its first (draft) version.
        effect={"feedback.surveytemplate", "feedback.surveyversion"},
        must_accept=TEMPLATE.all_valid(data),
    )
    assert all("\x00" not in name for name in names)


QUESTION = Valid(type="single_choice", text="Would you do it again?", help_text="",
                required="on", choices="Yes\nNo")  # fmt: skip


@covers(QuestionForm, NewQuestionForm, via="feedback:builder", persona="coordinator")
@PROFILE
@given(edit=st.booleans(), data=QUESTION.bodies())
def test_question_form_with_hostile_values(client, programme, builder, edit, data):
    template, question = builder["template"], builder["question"]
    url = (
        reverse("feedback:question_edit", args=[programme.slug, template.pk, question.pk])
        if edit
        else reverse("feedback:builder", args=[programme.slug, template.pk])
    )
    with sending(client, url, data) as attempt:
        texts = list(Question.objects.values_list("text", "choices"))
    assert_all_or_nothing(
        attempt,
        effect={"feedback.question", "feedback.surveyversion"},
        must_accept=QUESTION.all_valid(data),
    )
    for text, choices in texts:
        assert "\x00" not in text and all("\x00" not in c for c in choices or [])


@pytest.fixture
def schedules(client, coordinator, cohort, builder):
    client.get(cohort_url("feedback:cohort", cohort))  # the defaults, once
    mine = make_template(cohort.programme, name="Ours", questions=ALL_TYPES[:1])
    return {"mine": mine, "theirs": builder["theirs"], "schedule": make_schedule(cohort, mine)}


SCHEDULE = Valid(audience="both", trigger="cohort_start", offset_days="10", every_n_checkins="1",
                 close_after_days="14", active="on", template="MINE")  # fmt: skip


@covers(ScheduleForm, NewScheduleForm, via="feedback:cohort", persona="coordinator")
@SHORT
@given(edit=st.booleans(), data=SCHEDULE.bodies())
def test_schedule_form_with_hostile_values(client, cohort, schedules, edit, data):
    mine, theirs, schedule = schedules["mine"], schedules["theirs"], schedules["schedule"]
    body = dict(data)
    if body["template"] == "MINE":
        body["template"] = str(mine.pk)
    body.setdefault("template_from_elsewhere", str(theirs.pk))
    url = (
        cohort_url("feedback:schedule_edit", cohort, schedule.pk)
        if edit
        else cohort_url("feedback:cohort", cohort)
    )
    with sending(client, url, body) as attempt:
        foreign = theirs.schedules.count()
    assert_all_or_nothing(
        attempt,
        effect={"feedback.surveyschedule"},
        must_accept=SCHEDULE.all_valid(data) and not edit,
    )
    assert foreign == 0


@SHORT
@given(template=st.sampled_from(["THEIRS", "0", "-1", "99999999999999999999"]))
def test_a_schedule_never_points_at_another_programmes_survey(client, cohort, schedules, template):
    theirs = schedules["theirs"]
    body = {**SCHEDULE, "template": str(theirs.pk) if template == "THEIRS" else template}
    attempt = submit(client, cohort_url("feedback:cohort", cohort), body)
    assert attempt.response.status_code == 200
    assert not attempt.changed & {"feedback.surveyschedule"}
