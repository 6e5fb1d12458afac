"""The rule for publishing anonymous answers is written once (feedback/publication.py) and
every aggregate over answers goes through it (issue 15, item 3)."""

import datetime as dt
import re
from pathlib import Path

import pytest

from feedback import publication, services
from feedback.models import Response, SurveyInvitation
from programmes.tests.factories import EnrolmentFactory

from .conftest import answer_all, make_schedule

ROOT = Path(__file__).resolve().parents[2]
# Every module that aggregates survey answers into a figure: results, CSV, comparison
# (feedback), the dashboards (insights) and the API over them.
AGGREGATORS = [
    Path(ROOT, "feedback/selectors.py"),
    Path(ROOT, "insights/surveys.py"),
    *sorted(Path(ROOT, "api").glob("*.py")),
]


def test_every_read_of_answers_for_a_figure_goes_through_the_publication_rule():
    unguarded = []
    for path in AGGREGATORS:
        source = path.read_text()
        for m in re.finditer(r"\bAnswer\.objects\.(?!published\(\))", source):
            line = source[: m.start()].count("\n") + 1
            unguarded.append(f"{path.relative_to(ROOT)}:{line}")
        # Responses may be counted (a count says someone answered, not what), but a module
        # that counts them must also split the count by the rule.
        if "Response.objects" in source:
            assert "published_q(" in source or ".published()" in source, path
    assert unguarded == []


@pytest.mark.django_db
def test_anonymous_answers_are_released_three_at_a_time_per_version(running_cohort, anon_template):
    schedule = make_schedule(running_cohort, anon_template)
    for _ in range(7):
        EnrolmentFactory(cohort=running_cohort)
    due = running_cohort.starts_on + dt.timedelta(days=10)
    services.survey_invitations_create(today=due, schedules=[schedule], send=False)
    version = services.current_version(anon_template)
    published = []
    for invitation in SurveyInvitation.objects.filter(schedule=schedule)[:7]:
        services.survey_submit(
            invitation=invitation, version=version, answers=answer_all(version), today=due
        )
        published.append(Response.objects.published().count())
    assert published == [0, 0, 3, 3, 3, 6, 6]
    assert publication.RELEASE_STEP == 3


@pytest.mark.django_db
def test_identified_answers_are_published_as_they_come(running_cohort, template, mentee):
    schedule = make_schedule(running_cohort, template)
    due = running_cohort.starts_on + dt.timedelta(days=10)
    services.survey_invitations_create(today=due, schedules=[schedule], send=False)
    version = services.current_version(template)
    invitation = SurveyInvitation.objects.get(schedule=schedule, user=mentee)
    services.survey_submit(
        invitation=invitation, version=version, answers=answer_all(version), today=due
    )
    assert Response.objects.published().count() == 1
