"""No published figure moves by a single anonymous answer (issue 15, item 3).

The curious coordinator's attack: look at every page that shows an anonymous survey's figures,
wait until one known person answers (or make sure they are the only one who can answer a new
version by editing one question), look again, and read that person's answer off the
difference. Tried on every view that aggregates anonymous answers: the results page, its CSV,
the cross-cohort comparison, the cohort and programme dashboards, the dashboard CSV and the
API. The rule that stops it is written once, in ``feedback/publication.py``.
"""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from api.services import api_token_create
from feedback import services as feedback
from feedback.models import QuestionType, SurveyInvitation, SurveySchedule
from lib.audit import AuditContext
from people.tests.factories import UserFactory
from programmes.tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 1, 25, 10, 0, tzinfo=dt.UTC)  # the survey is open (due 21 January)
DUE = dt.date(2027, 1, 21)
SECRET = "My mentor never turns up"
HAPPY = {"scale": 5, "nps": 10, "text": "Very useful"}
UNHAPPY = {"scale": 1, "nps": 0, "text": SECRET}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def survey(programme, cohort):
    cohort.status = "running"
    cohort.save(update_fields=["status"])
    template = feedback.template_create(
        programme=programme,
        data={"name": "Pulse", "anonymous": True, "audience": "both", "description": ""},
    )
    for qtype, text, required in (
        (QuestionType.SCALE_1_5, "How useful are the meetings?", True),
        (QuestionType.NPS_0_10, "Would you recommend it?", True),
        (QuestionType.FREE_TEXT, "Anything else?", False),
    ):
        feedback.question_add(
            template=template,
            data={"type": qtype, "text": text, "required": required, "choices": []},
        )
    feedback.version_publish(template=template)
    schedule = SurveySchedule.objects.create(
        cohort=cohort, template=template, trigger="cohort_start", offset_days=10
    )
    people = [UserFactory(full_name=f"Participant {i}") for i in range(7)]
    for person in people:
        EnrolmentFactory(cohort=cohort, user=person, role="mentee")
    feedback.survey_invitations_create(today=DUE, schedules=[schedule], send=False)
    return schedule, people


def answer_through_the_page(client, schedule, person, values):
    """The participant opens their link and answers the version they are shown."""
    invitation = SurveyInvitation.objects.get(schedule=schedule, user=person)
    url = reverse("feedback:answer", args=[invitation.token])
    client.force_login(person)
    page = client.get(url)
    assert page.status_code == 200
    version = page.context["version"]
    data = {}
    for q in version.questions.all():
        value = {"scale_1_5": values["scale"], "nps_0_10": values["nps"]}.get(
            q.type, values["text"]
        )
        data[f"q{q.pk}"] = value
    assert client.post(url, data).status_code == 302
    client.logout()


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def everything_the_coordinator_sees(client, coordinator, schedule, token) -> tuple[dict, str]:
    """Every published figure about the survey's answers, from every view that shows one
    (counts of invitations and responses are left out: they say that someone answered, which
    the invitation list says anyway, not what they answered). And every page's text."""
    cohort = schedule.cohort
    slug = cohort.programme.slug
    args = [slug, cohort.pk, schedule.pk]
    auth = {"Authorization": f"Bearer {token}"}
    client.force_login(coordinator)
    results = client.get(reverse("feedback:results", args=args))
    export = client.get(reverse("feedback:export", args=args))
    compare = client.get(reverse("feedback:compare", args=[slug, schedule.template.pk]))
    cohort_page = client.get(reverse("insights:cohort", args=[slug, cohort.pk]))
    programme_page = client.get(reverse("insights:programme", args=[slug]))
    cohort_csv = client.get(reverse("insights:cohort_export", args=[slug, cohort.pk]))
    api_results = client.get(f"/api/v1/surveys/{schedule.pk}/results", headers=auth).json()
    api_cohort = client.get(f"/api/v1/figures/cohorts/{cohort.pk}", headers=auth).json()
    api_programme = client.get(
        f"/api/v1/figures/programmes/{cohort.programme_id}", headers=auth
    ).json()
    for r in (results, compare, cohort_page, programme_page):
        assert r.status_code == 200
    export_rows = _csv(export)
    d = cohort_page.context["d"]
    figures = {
        "results page": [
            (vr.version.number, [(q.answered, q.counts, q.mean, q.nps, sorted(q.texts))
                                 for q in vr.questions])
            for vr in results.context["versions"]
            if not vr.hidden  # a hidden version shows a count of responses, no figure
        ],
        "results CSV": sorted(export_rows[1:]),
        "comparison": [(row["schedule"].pk, row["cells"]) for row in compare.context["rows"]],
        "cohort dashboard": (
            d.surveys.score, d.surveys.nps, [c["text"] for c in cohort_page.context["comments"]],
            [(r.score, r.nps) for r in d.surveys.rounds],
        ),
        "programme dashboard": [
            (c.surveys.score, c.surveys.nps) for c in programme_page.context["d"].columns
        ],
        "dashboard CSV": [
            row for row in _csv(cohort_csv) if "average score" in row[2] or "NPS" in row[2]
        ],
        "API survey results": [v["questions"] for v in api_results["versions"] if not v["hidden"]],
        "API cohort figures": (
            api_cohort["surveys"]["score"], api_cohort["surveys"]["nps"],
            [(r["score"], r["nps"]) for r in api_cohort["surveys"]["rounds"]],
        ),
        "API programme figures": [c["headline"]["nps"] for c in api_programme["cohorts"]],
    }  # fmt: skip
    text = (
        "".join(r.content.decode() for r in (results, compare, cohort_page, programme_page))
        + str(export_rows)
        + str(api_results)
        + str(api_cohort)
    )
    client.logout()
    return figures, text


@pytest.fixture
def token(coordinator):
    _token, raw = api_token_create(
        user=coordinator, name="attack", scopes=["figures"], days=1, ctx=AuditContext()
    )
    return raw


def _differences(before: dict, after: dict) -> list[str]:
    return [view for view in before if before[view] != after[view]]


def test_one_more_answer_moves_no_figure_on_any_view(client, coordinator, survey, token):
    schedule, people = survey
    for person in people[:3]:
        answer_through_the_page(client, schedule, person, HAPPY)
    before, _ = everything_the_coordinator_sees(client, coordinator, schedule, token)
    assert before["results page"][0][1][0][2] == 5.0  # three answers are published

    answer_through_the_page(client, schedule, people[3], UNHAPPY)  # the person watched
    after, text = everything_the_coordinator_sees(client, coordinator, schedule, token)
    assert _differences(before, after) == []
    assert SECRET not in text

    # Two more answers complete a step of 3: the figures move, by three answers at once.
    for person in people[4:6]:
        answer_through_the_page(client, schedule, person, HAPPY)
    later, text = everything_the_coordinator_sees(client, coordinator, schedule, token)
    assert set(_differences(before, later)) == set(before)
    (version,) = later["results page"]
    assert version[1][0][0] == 6  # answered: 3 + 3
    assert SECRET in text  # among two other new comments, in no particular order


def test_a_new_version_answered_by_one_person_moves_no_figure(client, coordinator, survey, token):
    """The issue's attack: edit one question to make a new version, so the next answer is
    alone in it, then compare the cross-cohort comparison (which folds versions together) and
    every other view before and after that answer."""
    schedule, people = survey
    for person in people[:3]:
        answer_through_the_page(client, schedule, person, HAPPY)
    template = schedule.template
    slug = template.programme.slug
    client.force_login(coordinator)
    question = template.versions.get().questions.get(type=QuestionType.FREE_TEXT)
    client.post(
        reverse("feedback:question_edit", args=[slug, template.pk, question.pk]),
        {"type": "free_text", "text": "Anything else at all?"},
    )
    client.post(reverse("feedback:publish", args=[slug, template.pk]))
    assert template.versions.filter(published=True).count() == 2
    before, _ = everything_the_coordinator_sees(client, coordinator, schedule, token)

    answer_through_the_page(client, schedule, people[3], UNHAPPY)  # alone in version 2
    after, text = everything_the_coordinator_sees(client, coordinator, schedule, token)
    assert schedule.responses.filter(version__number=2).count() == 1
    assert _differences(before, after) == []
    assert SECRET not in text


def test_answers_held_back_are_counted_on_the_results_page_and_in_the_api(
    client, coordinator, survey, token
):
    schedule, people = survey
    for person in people[:4]:
        answer_through_the_page(client, schedule, person, HAPPY)
    client.force_login(coordinator)
    c = schedule.cohort
    page = client.get(reverse("feedback:results", args=[c.programme.slug, c.pk, schedule.pk]))
    assert "Results from 3 responses; 1 more will be added once 3 are waiting." in (
        page.content.decode()
    )
    api = client.get(
        f"/api/v1/surveys/{schedule.pk}/results", headers={"Authorization": f"Bearer {token}"}
    ).json()
    (version,) = api["versions"]
    assert (version["responses"], version["held_back"]) == (4, 1)
    assert version["questions"][0]["answered"] == 3
