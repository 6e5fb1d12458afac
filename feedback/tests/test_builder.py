import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from feedback import services
from feedback.models import Answer, Question, Response, SurveyVersion

from .conftest import ALL_TYPES, Q, make_schedule, make_template

pytestmark = pytest.mark.django_db


def _answer_once(template, cohort, user):
    """Record a response to the template's current version (directly: the builder test does
    not care how it was collected)."""
    version = services.current_version(template)
    schedule = make_schedule(cohort, template)
    response = Response.objects.create(schedule=schedule, version=version, user=user)
    q = version.questions.get(type=Q.SCALE_1_5)
    Answer.objects.create(response=response, question=q, number=4)
    return version, response


def test_a_new_template_is_a_draft_until_published(programme):
    template = make_template(programme, publish=False)
    assert services.current_version(template) is None
    services.version_publish(template=template)
    assert services.current_version(template).number == 1


def test_publishing_an_empty_survey_is_refused(programme):
    template = make_template(programme, questions=[], publish=False)
    with pytest.raises(ValidationError, match="at least one question"):
        services.version_publish(template=template)


def test_editing_a_draft_changes_it_in_place(programme):
    template = make_template(programme, publish=False)
    q = Question.objects.get(version__template=template, type=Q.FREE_TEXT)
    services.question_update(
        template=template,
        question_id=q.pk,
        data={"text": "Say more", "type": Q.FREE_TEXT, "required": False, "choices": []},
    )
    assert template.versions.count() == 1
    q.refresh_from_db()
    assert q.text == "Say more"


def test_editing_an_answered_version_makes_a_new_version_and_old_answers_stay(
    programme, cohort, mentee
):
    template = make_template(programme)
    v1, response = _answer_once(template, cohort, mentee)
    scale = v1.questions.get(type=Q.SCALE_1_5)

    services.question_update(
        template=template,
        question_id=scale.pk,
        data={"text": "How useful (new wording)?", "type": Q.SCALE_1_5, "required": True},
    )
    v2 = services.latest_version(template)
    assert v2.number == 2 and not v2.published  # a draft: participants still answer version 1
    assert services.current_version(template) == v1
    assert v2.questions.count() == len(ALL_TYPES)
    new_scale = v2.questions.get(key=scale.key)
    assert new_scale.text == "How useful (new wording)?"
    # Version 1 and its answer are untouched.
    scale.refresh_from_db()
    assert scale.text == "How useful was it?"
    assert response.answers.get().question == scale

    # Further edits change the draft, version 2, in place.
    services.question_remove(template=template, question_id=new_scale.pk)
    assert template.versions.count() == 2
    assert v2.questions.count() == len(ALL_TYPES) - 1
    assert v1.questions.count() == len(ALL_TYPES)


def test_removing_a_question_of_an_answered_version_copies_first(programme, cohort, mentee):
    template = make_template(programme)
    v1, _ = _answer_once(template, cohort, mentee)
    free_text = v1.questions.get(type=Q.FREE_TEXT)
    services.question_remove(template=template, question_id=free_text.pk)
    assert v1.questions.filter(pk=free_text.pk).exists()
    v2 = SurveyVersion.objects.get(template=template, number=2)
    assert not v2.questions.filter(key=free_text.key).exists()
    assert [q.order for q in v2.questions.all()] == list(range(1, len(ALL_TYPES)))


def test_questions_move_up_and_down(programme):
    template = make_template(programme, publish=False)
    version = services.latest_version(template)
    first, second = list(version.questions.all())[:2]
    services.question_move(template=template, question_id=second.pk, direction="up")
    assert list(version.questions.all())[:2] == [second, first]
    services.question_move(template=template, question_id=second.pk, direction="up")  # at top
    assert list(version.questions.all())[0] == second
    services.question_move(template=template, question_id=second.pk, direction="down")
    assert list(version.questions.all())[:2] == [first, second]


def test_choice_questions_need_two_different_choices(programme):
    template = make_template(programme, questions=[], publish=False)
    with pytest.raises(ValidationError):
        services.question_add(
            template=template,
            data={"type": Q.SINGLE_CHOICE, "text": "Pick", "required": True, "choices": ["A"]},
        )
    with pytest.raises(ValidationError):
        services.question_add(
            template=template,
            data={
                "type": Q.MULTIPLE_CHOICE,
                "text": "Pick",
                "required": True,
                "choices": ["A", "A"],
            },
        )


def test_anonymity_cannot_change_once_answered(programme, cohort, mentee):
    template = make_template(programme)
    _answer_once(template, cohort, mentee)
    with pytest.raises(ValidationError):
        services.template_update(template=template, data={"anonymous": True})


def test_coordinator_builds_a_survey_in_the_browser(client, coordinator, programme):
    client.force_login(coordinator)
    response = client.post(
        reverse("feedback:templates", args=[programme.slug]),
        {"name": "Exit survey", "audience": "both", "anonymous": "on"},
    )
    template = programme.survey_templates.get(name="Exit survey")
    builder = reverse("feedback:builder", args=[programme.slug, template.pk])
    assert response.status_code == 302 and response.url == builder
    assert template.anonymous

    client.post(builder, {"type": "scale_1_5", "text": "How was it?", "required": "on"})
    # A bad question keeps what was typed and says why.
    bad = client.post(builder, {"type": "single_choice", "text": "Pick one", "choices": "Only"})
    assert bad.status_code == 200
    page = bad.content.decode()
    assert "at least two choices" in page and 'value="Pick one"' in page
    client.post(builder, {"type": "single_choice", "text": "Pick one", "choices": "A\nB"})
    version = services.latest_version(template)
    first, second = version.questions.all()
    client.post(
        reverse("feedback:question_move", args=[programme.slug, template.pk, second.pk]),
        {"direction": "up"},
    )
    assert list(version.questions.all()) == [second, first]
    client.post(
        reverse("feedback:question_edit", args=[programme.slug, template.pk, first.pk]),
        {"type": "scale_1_5", "text": "How was it, really?", "required": "on"},
    )
    first.refresh_from_db()
    assert first.text == "How was it, really?"
    client.post(reverse("feedback:question_remove", args=[programme.slug, template.pk, second.pk]))
    assert list(version.questions.all()) == [first]
    client.post(reverse("feedback:publish", args=[programme.slug, template.pk]))
    version.refresh_from_db()
    assert version.published
    page = client.get(builder).content.decode()
    assert "How was it, really?" in page and "(published)" in page


def test_moving_or_removing_a_question_twice_by_a_double_click_does_it_once(
    client, coordinator, programme
):
    """The builder's Move and Remove buttons carry a one-time token: the second of two clicks
    (or a Back and resend) is answered "already done", not a second move nor a 404."""
    template = make_template(programme, publish=False)
    version = services.latest_version(template)
    questions = list(version.questions.all())
    assert len(questions) >= 3
    client.force_login(coordinator)
    builder = reverse("feedback:builder", args=[programme.slug, template.pk])
    page = client.get(builder).content.decode()
    assert page.count('name="form_token"') >= 3 * len(questions) - 2
    last = questions[-1]
    move = reverse("feedback:question_move", args=[programme.slug, template.pk, last.pk])
    for _ in range(2):
        response = client.post(move, {"direction": "up", "form_token": "move-token-0123456789"})
        assert response.status_code == 302
    assert list(version.questions.all()) == [*questions[:-2], last, questions[-2]]
    remove = reverse("feedback:question_remove", args=[programme.slug, template.pk, last.pk])
    for _ in range(2):
        response = client.post(remove, {"form_token": "remove-token-0123456789"})
        assert response.status_code == 302
    assert list(version.questions.all()) == questions[:-1]
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any(m.startswith("This was already done") for m in shown)
