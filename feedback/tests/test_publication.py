"""The rule for publishing anonymous answers is written once (feedback/publication.py) and
every aggregate over answers goes through it (issue 15, item 3)."""

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=12))
def test_whatever_the_order_of_answers_across_versions_figures_move_three_at_a_time(
    programme, answers
):
    """Answers arrive in any order across three versions of an anonymous survey (a coordinator
    editing questions between answers). After every answer, what is published differs from
    before by nothing, or by at least 3 responses of one version; no version ever has 1 or 2
    published."""
    from django.db import transaction

    from programmes.tests.factories import CohortFactory

    from .conftest import make_template

    with transaction.atomic():
        cohort = CohortFactory(programme=programme)
        template = make_template(programme, anonymous=True, name=f"Pulse {cohort.pk}")
        versions = [services.current_version(template)]
        for n in (2, 3):
            versions.append(
                type(versions[0]).objects.create(template=template, number=n, published=True)
            )
            for q in versions[0].questions.all():
                q.pk, q.version = None, versions[-1]
                q.save()
        schedule = make_schedule(cohort, template)
        for _ in answers:
            EnrolmentFactory(cohort=cohort)
        due = cohort.starts_on + dt.timedelta(days=10)
        services.survey_invitations_create(today=due, schedules=[schedule], send=False)
        invitations = list(SurveyInvitation.objects.filter(schedule=schedule))
        shown: set = set()
        for invitation, v in zip(invitations, answers, strict=False):
            version = versions[v]
            services.survey_submit(
                invitation=invitation, version=version, answers=answer_all(version), today=due
            )
            now = set(schedule.responses.published().values_list("pk", "version_id"))
            new = now - shown
            assert shown <= now
            assert not new or (len(new) >= 3 and len({v for _pk, v in new}) == 1)
            per_version = {v: sum(1 for _pk, w in now if w == v) for _pk, v in now}
            assert all(n >= 3 for n in per_version.values())
            shown = now
        transaction.set_rollback(True)
