import datetime as dt

import pytest
from celery import current_app

from feedback import services
from feedback.models import QuestionType
from pairing.models import Pair
from programmes.models import Enrolment

from .factories import SurveyScheduleFactory

Q = QuestionType

ALL_TYPES = [
    (Q.SCALE_1_5, "How useful was it?", True, []),
    (Q.NPS_0_10, "Would you recommend it?", True, []),
    (Q.SINGLE_CHOICE, "Would you do it again?", True, ["Yes", "Maybe", "No"]),
    (Q.MULTIPLE_CHOICE, "What helped?", False, ["Mentor", "Stand-ups", "Time"]),
    (Q.FREE_TEXT, "Anything else?", False, []),
    (Q.WELLBEING_1_5, "How are you?", True, []),
]


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks queued on commit run inline, so a test sees their effect in mail.outbox."""
    conf = current_app.conf
    before = conf.task_always_eager
    conf.task_always_eager = True
    yield
    conf.task_always_eager = before


def make_template(programme, *, anonymous=False, questions=ALL_TYPES, name="Check", publish=True):
    template = services.template_create(
        programme=programme,
        data={"name": name, "anonymous": anonymous, "audience": "both", "description": ""},
    )
    for qtype, text, required, choices in questions:
        services.question_add(
            template=template,
            data={"type": qtype, "text": text, "required": required, "choices": choices},
        )
    if publish:
        services.version_publish(template=template)
    return template


def make_schedule(cohort, template, **kw):
    """Cohort start + 10 days, both roles, open 14 days, unless ``kw`` says otherwise."""
    return SurveyScheduleFactory(cohort=cohort, template=template, **kw)


@pytest.fixture
def running_cohort(cohort):
    cohort.status = "running"
    cohort.save(update_fields=["status"])
    return cohort


@pytest.fixture
def pair(running_cohort, mentor, mentee):
    return Pair.objects.create(
        cohort=running_cohort,
        mentor=Enrolment.objects.get(user=mentor, cohort=running_cohort),
        mentee=Enrolment.objects.get(user=mentee, cohort=running_cohort),
        started_on=running_cohort.starts_on,
    )


@pytest.fixture
def template(programme):
    return make_template(programme)


@pytest.fixture
def anon_template(programme):
    return make_template(programme, anonymous=True, name="Anonymous check")


def answer_all(version):
    """A valid answer to every question of the ALL_TYPES version, by question id."""
    values = {
        Q.SCALE_1_5: 4,
        Q.NPS_0_10: 9,
        Q.SINGLE_CHOICE: "Yes",
        Q.MULTIPLE_CHOICE: ["Mentor", "Time"],
        Q.FREE_TEXT: "Great",
        Q.WELLBEING_1_5: 3,
    }
    return {q.pk: values[q.type] for q in version.questions.all()}


def post_data(version, answers):
    data = {}
    for qid, value in answers.items():
        data[f"q{qid}"] = value
    return data


DAY = dt.timedelta(days=1)


def schedule_form(template, **fields) -> dict:
    """The coordinator's "Schedule a survey" form as posted: ``template`` to every pair a week
    after it starts, open a fortnight; ``fields`` change any of it."""
    return {
        "template": template.pk,
        "audience": "both",
        "trigger": "pair_start",
        "offset_days": 7,
        "every_n_checkins": 0,
        "close_after_days": 14,
        "active": "on",
        **fields,
    }
