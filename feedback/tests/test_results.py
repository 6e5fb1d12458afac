import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import SurveyInvitation
from people.models import AuditEvent
from people.tests.factories import UserFactory
from programmes.tests.factories import EnrolmentFactory

from .conftest import Q, answer_all, make_schedule, make_template

pytestmark = pytest.mark.django_db

DUE = dt.date(2027, 1, 21)


def _respond(schedule, n, *, answers=None, extra_invited=0):
    """n people answer the schedule, extra_invited more are invited and do not."""
    for _ in range(n + extra_invited):
        EnrolmentFactory(cohort=schedule.cohort, user=UserFactory())
    services.survey_invitations_create(today=DUE, schedules=[schedule], send=False)
    version = services.current_version(schedule.template)
    invitations = SurveyInvitation.objects.filter(schedule=schedule, answered_at__isnull=True)[:n]
    for i, invitation in enumerate(invitations):
        values = answer_all(version) if answers is None else answers(version, i)
        services.survey_submit(invitation=invitation, version=version, answers=values, today=DUE)
    return version


def _urls(schedule):
    p, c, t = schedule.cohort.programme.slug, schedule.cohort_id, schedule.template_id
    return [
        ("get", reverse("feedback:templates", args=[p])),
        ("post", reverse("feedback:templates", args=[p])),
        ("get", reverse("feedback:builder", args=[p, t])),
        ("post", reverse("feedback:builder", args=[p, t])),
        ("get", reverse("feedback:template_edit", args=[p, t])),
        ("post", reverse("feedback:publish", args=[p, t])),
        ("get", reverse("feedback:compare", args=[p, t])),
        ("get", reverse("feedback:cohort", args=[p, c])),
        ("get", reverse("feedback:schedule_edit", args=[p, c, schedule.pk])),
        ("get", reverse("feedback:results", args=[p, c, schedule.pk])),
        ("get", reverse("feedback:export", args=[p, c, schedule.pk])),
    ]


@pytest.fixture
def schedule(running_cohort, template):
    return make_schedule(running_cohort, template)


@pytest.mark.parametrize("persona", ["mentor", "mentee", "outsider"])
def test_participants_and_outsiders_get_404_on_builder_results_and_export(
    request, client, schedule, persona
):
    client.force_login(request.getfixturevalue(persona))
    for method, url in _urls(schedule):
        assert getattr(client, method)(url, {"name": "x"}).status_code == 404, (persona, url)
    assert not AuditEvent.objects.exclude(action="access-denied").exists()


def test_another_programmes_coordinator_gets_404(client, schedule, other_programme):
    client.force_login(other_programme.coordinators.get())
    for method, url in _urls(schedule):
        assert getattr(client, method)(url, {"name": "x"}).status_code == 404, url


def test_a_schedule_under_another_programmes_slug_is_404(
    client, coordinator, schedule, other_cohort
):
    client.force_login(coordinator)
    url = reverse(
        "feedback:results", args=[other_cohort.programme.slug, other_cohort.pk, schedule.pk]
    )
    assert client.get(url).status_code == 404


def test_coordinator_and_staff_see_every_page(client, coordinator, staff, schedule):
    for user in (coordinator, staff):
        client.force_login(user)
        for method, url in _urls(schedule):
            if method == "get":
                assert client.get(url).status_code == 200, url


def test_results_show_rate_distribution_nps_and_free_text(client, coordinator, schedule):
    def answers(version, i):
        values = answer_all(version)
        nps_q = version.questions.get(type=Q.NPS_0_10)
        values[nps_q.pk] = [10, 9, 3, 8][i]
        values[version.questions.get(type=Q.FREE_TEXT).pk] = f"Comment {i}"
        return values

    _respond(schedule, 4, answers=answers, extra_invited=4)
    client.force_login(coordinator)
    response = client.get(
        reverse(
            "feedback:results",
            args=[schedule.cohort.programme.slug, schedule.cohort_id, schedule.pk],
        )
    )
    page = response.content.decode()
    ctx = response.context
    assert ctx["invited"] == 8 and ctx["answered"] == 4 and ctx["rate"] == 50
    (version,) = ctx["versions"]
    by_type = {qr.question.type: qr for qr in version.questions}
    assert by_type[Q.NPS_0_10].nps == 25  # 2 promoters - 1 detractor of 4
    assert by_type[Q.SCALE_1_5].counts == [0, 0, 0, 4, 0]
    assert by_type[Q.MULTIPLE_CHOICE].counts == [4, 0, 4]
    assert "NPS 25" in page and "Comment 3" in page
    # Each chart has its data as JSON (no inline script) and a table with the same figures.
    assert 'type="application/json"' in page and "<caption>Answers to question 1</caption>" in page
    assert "vendor/chart.js/dist/chart.umd.min.js" in page and "js/charts.js" in page


def test_anonymous_results_are_hidden_below_three_responses(
    client, coordinator, running_cohort, anon_template
):
    schedule = make_schedule(running_cohort, anon_template)
    _respond(schedule, 2, extra_invited=1)
    client.force_login(coordinator)
    url = reverse(
        "feedback:results", args=[schedule.cohort.programme.slug, schedule.cohort_id, schedule.pk]
    )
    response = client.get(url)
    (version,) = response.context["versions"]
    assert version.hidden and version.questions == []
    page = response.content.decode()
    assert "Fewer than 3 people answered" in page and "Great" not in page
    export = client.get(
        reverse(
            "feedback:export",
            args=[schedule.cohort.programme.slug, schedule.cohort_id, schedule.pk],
        )
    )
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1  # header only

    version_obj = services.current_version(anon_template)
    invitation = SurveyInvitation.objects.filter(
        schedule=schedule, answered_at__isnull=True
    ).first()
    services.survey_submit(
        invitation=invitation, version=version_obj, answers=answer_all(version_obj), today=DUE
    )
    response = client.get(url)
    (version,) = response.context["versions"]
    assert not version.hidden and "Great" in response.content.decode()


def test_csv_export_is_formula_safe_and_logged(client, coordinator, schedule):
    def answers(version, i):
        values = answer_all(version)
        values[version.questions.get(type=Q.FREE_TEXT).pk] = '=HYPERLINK("http://evil")'
        return values

    _respond(schedule, 3, answers=answers)
    client.force_login(coordinator)
    url = reverse(
        "feedback:export", args=[schedule.cohort.programme.slug, schedule.cohort_id, schedule.pk]
    )
    response = client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header = rows[0]
    assert header[:6] == [
        "response",
        "cohort",
        "survey version",
        "role",
        "respondent",
        "submitted at",
    ]
    assert len(rows) == 4
    text_col = header.index("Anything else?")
    assert all(r[text_col] == '\'=HYPERLINK("http://evil")' for r in rows[1:])
    event = AuditEvent.objects.get()
    assert event.action == "export" and event.actor == coordinator
    assert event.programme_id == schedule.cohort.programme_id and "3 responses" in event.summary


def test_anonymous_export_has_no_identity_columns(
    client, coordinator, running_cohort, anon_template
):
    schedule = make_schedule(running_cohort, anon_template)
    _respond(schedule, 3)
    client.force_login(coordinator)
    url = reverse(
        "feedback:export", args=[schedule.cohort.programme.slug, schedule.cohort_id, schedule.pk]
    )
    content = b"".join(client.get(url).streaming_content).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(content)))
    assert "respondent" not in header and "role" not in header and "submitted at" not in header
    assert "@" not in content


def test_comparison_across_cohorts(client, coordinator, programme, running_cohort, template):
    from programmes.tests.factories import CohortFactory

    other = CohortFactory(programme=programme, name="Autumn 2026", status="finished")
    first = make_schedule(running_cohort, template)
    second = make_schedule(other, template)
    _respond(first, 3)
    client.force_login(coordinator)
    response = client.get(reverse("feedback:compare", args=[programme.slug, template.pk]))
    rows = {r["schedule"].pk: r for r in response.context["rows"]}
    assert rows[first.pk]["responses"] == 3 and rows[first.pk]["rate"] == 100
    assert rows[second.pk]["responses"] == 0
    columns = [q.type for q in response.context["columns"]]
    nps_index = columns.index(Q.NPS_0_10)
    assert rows[first.pk]["cells"][nps_index] == 100  # everyone answered 9
    assert "Autumn 2026" in response.content.decode()


@pytest.mark.parametrize("size", [3, 15])
def test_results_pages_run_a_fixed_number_of_queries(
    client, coordinator, programme, schedule, size, django_assert_max_num_queries
):
    _respond(schedule, size, extra_invited=2)
    # A second version with answers, so the pages read more than one.
    scale = services.current_version(schedule.template).questions.get(type=Q.SCALE_1_5)
    services.question_update(
        template=schedule.template,
        question_id=scale.pk,
        data={"type": Q.SCALE_1_5, "text": "Reworded", "required": True},
    )
    _respond(schedule, 3)
    client.force_login(coordinator)
    p, c = programme.slug, schedule.cohort_id
    with django_assert_max_num_queries(9):
        assert client.get(reverse("feedback:results", args=[p, c, schedule.pk])).status_code == 200
    with django_assert_max_num_queries(9):
        assert (
            client.get(reverse("feedback:compare", args=[p, schedule.template_id])).status_code
            == 200
        )
    # The export streams its rows a chunk of 200 responses at a time (one query a chunk).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("feedback:export", args=[p, c, schedule.pk]))
        b"".join(response.streaming_content)


def test_results_export_streams_every_response_across_chunks(
    client, coordinator, programme, schedule, monkeypatch
):
    monkeypatch.setattr("feedback.selectors.EXPORT_CHUNK", 4)
    _respond(schedule, 10)
    client.force_login(coordinator)
    url = reverse("feedback:export", args=[programme.slug, schedule.cohort_id, schedule.pk])
    response = client.get(url)
    assert response.streaming
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + schedule.responses.published().count()
    assert len({line.split(",")[0] for line in lines[1:]}) == len(lines) - 1


def test_cohort_surveys_page_gets_defaults_once_and_schedules_more(client, coordinator, cohort):
    client.force_login(coordinator)
    url = reverse("feedback:cohort", args=[cohort.programme.slug, cohort.pk])
    client.get(url)
    client.get(url)
    assert cohort.survey_schedules.count() == 3
    mid = cohort.survey_schedules.get(key="mid-point")
    assert mid.offset_days == (cohort.ends_on - cohort.starts_on).days // 2
    end = cohort.programme.survey_templates.get(key="end-of-programme")
    texts = list(services.current_version(end).questions.values_list("text", flat=True))
    assert "Would you mentor / be mentored again?" in texts
    assert any(q.type == Q.NPS_0_10 for q in services.current_version(end).questions.all())

    bad = client.post(
        url,
        {
            "template": end.pk,
            "audience": "both",
            "trigger": "checkins",
            "offset_days": 0,
            "every_n_checkins": 0,
            "close_after_days": 7,
            "active": "on",
        },
    )
    assert bad.status_code == 200 and "after how many check-ins" in bad.content.decode()
    client.post(
        url,
        {
            "template": end.pk,
            "audience": "mentees",
            "trigger": "checkins",
            "offset_days": 0,
            "every_n_checkins": 4,
            "close_after_days": 7,
            "active": "on",
        },
    )
    assert cohort.survey_schedules.count() == 4


def test_a_schedule_cannot_use_another_programmes_survey(
    client, coordinator, cohort, other_programme
):
    foreign = make_template(other_programme, name="Foreign")
    client.force_login(coordinator)
    url = reverse("feedback:cohort", args=[cohort.programme.slug, cohort.pk])
    response = client.post(
        url,
        {
            "template": foreign.pk,
            "audience": "both",
            "trigger": "cohort_end",
            "offset_days": 0,
            "every_n_checkins": 0,
            "close_after_days": 7,
        },
    )
    assert response.status_code == 200
    assert not cohort.survey_schedules.filter(template=foreign).exists()


def test_defaults_are_idempotent(programme, cohort):
    first = services.survey_defaults_ensure(programme=programme)
    second = services.survey_defaults_ensure(programme=programme)
    assert first == {"templates": 3, "schedules": 3}
    assert second == {"templates": 0, "schedules": 0}
