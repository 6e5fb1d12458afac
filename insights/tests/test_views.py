"""Access, pages, query counts and the CSV export of the dashboards."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from insights.tests.conftest import make_pairs, make_survey, needs_surveys
from pairing.tests.factories import PairFactory
from people.models import AuditEvent
from programmes.tests.factories import CohortFactory

pytestmark = pytest.mark.django_db


def urls(cohort):
    slug = cohort.programme.slug
    return [
        reverse("insights:programme", args=[slug]),
        reverse("insights:programme_export", args=[slug]),
        reverse("insights:cohort", args=[slug, cohort.pk]),
        reverse("insights:cohort_summary", args=[slug, cohort.pk]),
        reverse("insights:cohort_export", args=[slug, cohort.pk]),
    ]


@pytest.mark.parametrize("who", ["coordinator", "staff"])
def test_coordinators_and_staff_see_every_dashboard_page(client, request, cohort, who):
    client.force_login(request.getfixturevalue(who))
    for url in urls(cohort):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["mentor", "mentee", "outsider"])
def test_participants_and_outsiders_get_404(client, request, cohort, who):
    client.force_login(request.getfixturevalue(who))
    for url in urls(cohort):
        assert client.get(url).status_code == 404, url


def test_another_programmes_coordinator_gets_404(client, cohort, other_programme):
    client.force_login(other_programme.coordinators.get())
    for url in urls(cohort):
        assert client.get(url).status_code == 404, url


def test_a_cohort_under_another_programmes_slug_is_404(client, coordinator, cohort, other_cohort):
    other_cohort.programme.coordinators.add(coordinator)
    client.force_login(coordinator)
    url = reverse("insights:cohort", args=[cohort.programme.slug, other_cohort.pk])
    assert client.get(url).status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(client, cohort):
    response = client.get(urls(cohort)[2])
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_cohort_dashboard_lists_at_risk_pairs_with_links_and_chart_data(
    client, coordinator, cohort
):
    pair = PairFactory(cohort=cohort, started_on=dt.date(2020, 1, 6))  # long silent
    client.force_login(coordinator)
    response = client.get(reverse("insights:cohort", args=[cohort.programme.slug, cohort.pk]))
    html = response.content.decode()
    assert reverse("pairing:detail", args=[pair.pk]) in html
    assert "No check-in yet, two cadences after the start" in html
    assert 'id="chart-funnel" type="application/json"' in html
    assert 'data-chart="chart-funnel"' in html
    assert "<details" in html  # the data table behind each chart
    assert "vendor/chart.js/dist/chart.umd.min.js" in html
    assert "js/insights.js" in html
    assert "<script>" not in html  # no inline script: a CSP can forbid them


def test_dashboards_show_standup_attendance_and_directory_use_with_their_data_tables(
    client, coordinator, programme, cohort
):
    from community.tests.factories import DirectoryListingFactory
    from programmes.tests.factories import EnrolmentFactory

    listed = EnrolmentFactory(cohort=cohort, role="mentee", status="accepted")
    EnrolmentFactory(cohort=cohort, role="mentor", status="accepted")
    DirectoryListingFactory(enrolment=listed, opted_in=True)
    client.force_login(coordinator)
    html = client.get(reverse("insights:cohort", args=[programme.slug, cohort.pk])).content.decode()
    assert "Stand-ups and the directory" in html
    assert "Directory: listed %</dt><dd>50.0</dd>" in html
    assert 'id="chart-community" type="application/json"' in html
    page = client.get(reverse("insights:programme", args=[programme.slug])).content.decode()
    assert 'id="chart-community" type="application/json"' in page
    assert "Listed in the directory %" in page
    export = client.get(reverse("insights:programme_export", args=[programme.slug]))
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert f"{cohort.name},Directory,Listed %,50.0" in text


@time_machine.travel(dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC))
def test_date_filter_is_applied_and_a_bad_one_is_explained(client, coordinator, cohort):
    client.force_login(coordinator)
    url = reverse("insights:cohort", args=[cohort.programme.slug, cohort.pk])
    ok = client.get(url, {"start": "2027-01-01", "end": "2027-02-01"})
    assert "figures as of 1 Feb 2027" in ok.content.decode()
    bad = client.get(url, {"start": "2027-02-01", "end": "2027-01-01"})
    assert bad.status_code == 200
    assert "The end date must be on or after the start date." in bad.content.decode()


def test_programme_dashboard_date_filter_keeps_cohorts_running_in_the_period(
    client, coordinator, programme, cohort
):
    old = CohortFactory(
        programme=programme, name="Old", starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 4, 1)
    )
    client.force_login(coordinator)
    url = reverse("insights:programme", args=[programme.slug])
    everything = client.get(url).content.decode()
    assert old.name in everything and cohort.name in everything
    filtered = client.get(url, {"start": "2020-01-01", "end": "2020-12-31"}).content.decode()
    assert ">Old</a>" in filtered and f">{cohort.name}</a>" not in filtered


def test_csv_export_is_logged_and_formula_safe(client, coordinator, programme):
    cohort = CohortFactory(programme=programme, name='=HYPERLINK("http://evil")')
    make_pairs(cohort, 2)
    client.force_login(coordinator)
    response = client.get(reverse("insights:cohort_export", args=[programme.slug, cohort.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["cohort", "section", "figure", "value"]
    assert all(row[0].startswith("'=") for row in rows[1:])
    assert ['\'=HYPERLINK("http://evil")', "Headline", "Pairs", "2"] in rows
    event = AuditEvent.objects.get(action="export")
    assert event.actor == coordinator
    assert event.programme_id == programme.pk
    assert event.object_id == str(cohort.pk)

    client.get(reverse("insights:programme_export", args=[programme.slug]))
    assert AuditEvent.objects.filter(action="export", object_type="Programme").count() == 1


def test_printable_summary_has_the_print_stylesheet(client, coordinator, cohort):
    client.force_login(coordinator)
    html = client.get(
        reverse("insights:cohort_summary", args=[cohort.programme.slug, cohort.pk])
    ).content.decode()
    assert "css/insights.css" in html
    assert "Recruitment" in html and "Outcomes" in html


def _fill(cohort, pairs, checkins_each):
    make_pairs(cohort, pairs, checkins_each=checkins_each)
    if needs_surveys.args[0] is False:  # surveys installed
        make_survey(cohort, anonymous=True, responses=pairs, scale=(4,) * pairs, comments=("ok",))


@pytest.mark.parametrize("size", [1, 6])
def test_cohort_dashboard_query_count_does_not_grow_with_data(
    client, coordinator, cohort, size, django_assert_max_num_queries
):
    _fill(cohort, size * 2, size)
    client.force_login(coordinator)
    url = reverse("insights:cohort", args=[cohort.programme.slug, cohort.pk])
    client.get(url)  # warm the session
    # 16 before stand-ups and the directory joined the page; they add at most four.
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [1, 6])
def test_programme_dashboard_query_count_does_not_grow_with_data(
    client, coordinator, programme, size, django_assert_max_num_queries
):
    for i in range(size):
        c = CohortFactory(
            programme=programme,
            starts_on=dt.date(2025, 1, 6) + dt.timedelta(days=100 * i),
            ends_on=dt.date(2025, 3, 31) + dt.timedelta(days=100 * i),
        )
        _fill(c, size, 2)
    client.force_login(coordinator)
    url = reverse("insights:programme", args=[programme.slug])
    client.get(url)
    # 22 before stand-ups and the directory joined the page; they add at most four, for all
    # the cohorts at once.
    with django_assert_max_num_queries(26):
        assert client.get(url).status_code == 200


@needs_surveys
@time_machine.travel(dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC))
def test_anonymous_comments_of_small_groups_never_reach_the_page(client, coordinator, cohort):
    make_survey(cohort, anonymous=True, responses=2, scale=(5, 5), comments=("Secret remark",))
    client.force_login(coordinator)
    response = client.get(
        reverse("insights:cohort", args=[cohort.programme.slug, cohort.pk]), {"end": "2027-03-01"}
    )
    html = response.content.decode()
    assert "Secret remark" not in html
    assert "Hidden: fewer than 3 responses" in html


def test_the_old_insights_addresses_redirect_permanently_to_the_new_ones(
    client, coordinator, cohort
):
    """Links in emails sent before the move keep working, with their date filter."""
    slug, pk = cohort.programme.slug, cohort.pk
    client.force_login(coordinator)
    moves = {
        f"/insights/{slug}/": f"/programmes/{slug}/dashboard/",
        f"/insights/{slug}/export.csv": f"/programmes/{slug}/dashboard/export.csv",
        f"/insights/{slug}/cohorts/{pk}/": f"/programmes/{slug}/cohorts/{pk}/dashboard/",
        f"/insights/{slug}/cohorts/{pk}/summary/": (
            f"/programmes/{slug}/cohorts/{pk}/dashboard/summary/"
        ),
        f"/insights/{slug}/cohorts/{pk}/export.csv": (
            f"/programmes/{slug}/cohorts/{pk}/dashboard/export.csv"
        ),
    }
    for old, new in moves.items():
        response = client.get(old + "?end=2027-03-01")
        assert response.status_code == 301, old
        assert response["Location"] == new + "?end=2027-03-01"
        assert client.get(response["Location"]).status_code == 200, new
    assert reverse("insights:cohort", args=[slug, pk]) == moves[f"/insights/{slug}/cohorts/{pk}/"]


def test_an_outsider_following_an_old_address_still_gets_404(client, outsider, cohort):
    client.force_login(outsider)
    response = client.get(f"/insights/{cohort.programme.slug}/cohorts/{cohort.pk}/", follow=True)
    assert response.status_code == 404


@time_machine.travel(dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC))
def test_a_dashboard_as_of_an_earlier_day_counts_a_pair_ended_since_as_running(
    client, coordinator, past_cohort
):
    """Seen walking as the coordinator: a pair ended today, and the dashboard "as of" 15 days
    ago said it had ended early and lowered the mentors' utilisation. On that day it was
    running; so say the page and its export."""
    running, ended = make_pairs(past_cohort, 2, checkins_each=3)
    ended.status, ended.ended_on, ended.end_reason = "ended", dt.date(2026, 3, 20), "poor_fit"
    ended.save()
    client.force_login(coordinator)
    url = reverse("insights:cohort", args=[past_cohort.programme.slug, past_cohort.pk])
    now = client.get(url).context["d"]
    ended_now = (now.pairs.active, now.pairs.ended_other, now.pairs.end_reasons)
    assert ended_now == (1, 1, {"poor_fit": 1}) and now.funnel.working_pairs == 1
    before = client.get(url, {"end": "2026-03-05"}).context["d"]
    assert (before.pairs.active, before.pairs.ended_other, before.pairs.end_reasons) == (2, 0, {})
    assert before.funnel.working_pairs == 2
    export = client.get(
        reverse("insights:cohort_export", args=[past_cohort.programme.slug, past_cohort.pk]),
        {"end": "2026-03-05"},
    )
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Not a good fit" not in text
    # The file says what it is, as the page does (seen walking: it did not).
    assert f"{past_cohort.name},About,Figures as of,2026-03-05" in text
    assert f"{past_cohort.name},About,Computed at,2026-03-20T" in text
    programme = client.get(
        reverse("insights:programme_export", args=[past_cohort.programme.slug]),
        {"end": "2026-03-05"},
    )
    assert ",About,Figures as of,2026-03-05" in b"".join(programme.streaming_content).decode()
