"""The dashboards keep their figures a few minutes (insights/cache.py): a second request reads
them from the cache, with the same number of queries whatever the data size; the page says
when they were computed; access is still checked on every request."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from insights import cache as figures_cache
from insights.tests.conftest import make_pairs

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings):
    settings.INSIGHTS_CACHE_SECONDS = 300
    cache.clear()


def _pages(cohort):
    slug = cohort.programme.slug
    return [
        reverse("insights:cohort", args=[slug, cohort.pk]),
        reverse("insights:programme", args=[slug]),
    ]


def test_second_request_reads_the_figures_from_the_cache(
    client, coordinator, cohort, cached, django_assert_max_num_queries
):
    make_pairs(cohort, 3, checkins_each=2)
    client.force_login(coordinator)
    for url in _pages(cohort):
        with django_assert_max_num_queries(40) as cold:
            first = client.get(url)
        with django_assert_max_num_queries(len(cold.captured_queries)) as warm:
            second = client.get(url)
        assert len(warm.captured_queries) < len(cold.captured_queries)
        assert "computed at" in second.content.decode()
        assert first.context["d"].computed_at == second.context["d"].computed_at


def test_warm_query_count_does_not_grow_with_the_data(
    client, coordinator, cohort, cached, django_assert_num_queries
):
    make_pairs(cohort, 2, checkins_each=1)
    client.force_login(coordinator)
    url = reverse("insights:cohort", args=[cohort.programme.slug, cohort.pk])
    client.get(url)
    with django_assert_num_queries(WARM_QUERIES):
        client.get(url)
    make_pairs(cohort, 10, checkins_each=3)
    cache.clear()
    client.get(url)
    with django_assert_num_queries(WARM_QUERIES):
        client.get(url)


# The user and the access check (cohort and programme); the session and the menu's coordinator
# flag come from the cache (cached_db sessions, people/roles.py). A cohort dashboard showing
# pairs at risk or comments reads their names or text: one query each (test_figures_kept.py).
WARM_QUERIES = 2


def test_figures_are_kept_per_date_filter(client, coordinator, cohort, cached):
    client.force_login(coordinator)
    url = reverse("insights:cohort", args=[cohort.programme.slug, cohort.pk])
    client.get(url)
    client.get(url, {"start": cohort.starts_on.isoformat()})
    keys = [figures_cache.key("cohort", cohort.pk, d, s) for d, s in _as_of_and_starts(cohort)]
    assert all(cache.get(k) is not None for k in keys)


def _as_of_and_starts(cohort):
    from insights.selectors import window_for

    w = window_for()
    return [(w.as_of, None), (w.as_of, cohort.starts_on)]


def test_access_is_checked_before_the_cache_is_read(client, coordinator, mentee, cohort, cached):
    client.force_login(coordinator)
    for url in _pages(cohort):
        assert client.get(url).status_code == 200
    client.force_login(mentee)
    for url in _pages(cohort):
        assert client.get(url).status_code == 404


def test_with_the_cache_off_figures_are_computed_each_time(client, coordinator, cohort, settings):
    settings.INSIGHTS_CACHE_SECONDS = 0
    client.force_login(coordinator)
    url = reverse("insights:cohort", args=[cohort.programme.slug, cohort.pk])
    client.get(url)
    make_pairs(cohort, 1)
    assert client.get(url).context["d"].pairs.pairs == 1
    assert "computed at" not in client.get(url).content.decode()


def test_pairs_at_risk_are_listed_a_page_at_a_time(client, coordinator, cohort, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr("lib.pagination.PER_PAGE", 2)
    # Five pairs that started long ago and never met: all at risk.
    make_pairs(cohort, 5, start=timezone.localdate() - dt.timedelta(days=60))
    client.force_login(coordinator)
    url = reverse("insights:cohort", args=[cohort.programme.slug, cohort.pk])
    response = client.get(url, {"start": cohort.starts_on.isoformat()})
    assert response.context["at_risk_count"] == 5
    assert len(response.context["at_risk"]) == 2
    html = response.content.decode()
    assert 'aria-label="Pages of pairs at risk"' in html
    assert f"?start={cohort.starts_on.isoformat()}&amp;at_risk_page=2" in html
    assert len(client.get(url, {"at_risk_page": 3}).context["at_risk"]) == 1


def test_the_beat_task_keeps_every_cohorts_figures_warm_so_no_coordinator_waits(
    client, coordinator, cohort, cached, django_assert_num_queries, settings, monkeypatch
):
    """figures_refresh computes the figures ahead: the first page a coordinator opens reads them
    from the cache (the warm count). Those that move (a running cohort, one finished last week)
    are computed again on every run; a cohort finished long ago, whose figures have settled, is
    computed once and kept an hour; the cache turned off is left alone."""
    import datetime as dt

    from insights import figures
    from insights.tasks import insights_figures_refresh
    from programmes.models import Cohort, CohortStatus
    from programmes.tests.factories import CohortFactory, ProgrammeFactory

    Cohort.objects.filter(pk=cohort.pk).update(status=CohortStatus.RUNNING)
    make_pairs(cohort, 3, checkins_each=2)
    today = dt.date.today()
    recent = CohortFactory(
        programme=cohort.programme, status=CohortStatus.FINISHED,
        starts_on=today - dt.timedelta(days=100), ends_on=today - dt.timedelta(days=7),
    )  # fmt: skip
    old_programme = ProgrammeFactory()
    settled = CohortFactory(
        programme=old_programme, status=CohortStatus.FINISHED,
        starts_on=today - dt.timedelta(days=400), ends_on=today - dt.timedelta(days=300),
    )  # fmt: skip
    # Every cohort and both programmes the first time.
    assert insights_figures_refresh() == {"cohorts": 3, "programmes": 2, "failed": 0}
    client.force_login(coordinator)
    client.get(reverse("home"))  # the session and the menu flag into the cache, as any page does
    for url in _pages(cohort):
        with django_assert_num_queries(WARM_QUERIES):
            assert client.get(url).status_code == 200
    first = figures_cache.cache.get(_undated_key(cohort))
    assert first is not None
    make_pairs(cohort, 2, checkins_each=1)
    # Then the ones that move, again; the settled cohort and its programme stay as they are.
    assert insights_figures_refresh() == {"cohorts": 2, "programmes": 1, "failed": 0}
    page = client.get(_pages(cohort)[0])
    assert page.context["d"].computed_at > first.computed_at
    assert page.context["d"].pairs.pairs == 5
    assert figures_cache.cache.get(_undated_key(recent)) is not None
    assert figures_cache.cache.get(_undated_key(settled)) is not None
    # Once the settled entry is gone (after its hour), the next run computes it again and keeps
    # it an hour; the moving ones are kept the usual five minutes.
    figures_cache.cache.delete(_undated_key(settled))
    from django.core.cache import caches

    stored, backend = {}, caches["default"]
    real_set = backend.set
    monkeypatch.setattr(backend, "set", lambda k, v, t: stored.update({k: t}) or real_set(k, v, t))
    assert insights_figures_refresh() == {"cohorts": 3, "programmes": 1, "failed": 0}
    assert stored[_undated_key(settled)] == figures.SETTLED_SECONDS == 3600
    assert stored[_undated_key(recent)] == stored[_undated_key(cohort)] == 300
    settings.INSIGHTS_CACHE_SECONDS = 0
    assert insights_figures_refresh() == {"cohorts": 0, "programmes": 0, "failed": 0}


def _undated_key(cohort):
    from insights.selectors import window_for

    w = window_for()
    return figures_cache.key("cohort", cohort.pk, w.as_of, w.start)


def test_one_cohort_that_fails_does_not_stop_the_refresh_of_the_others(cohort, cached, monkeypatch):
    from insights import figures
    from programmes.models import Cohort, CohortStatus
    from programmes.tests.factories import CohortFactory

    Cohort.objects.filter(pk=cohort.pk).update(status=CohortStatus.RUNNING)
    other = CohortFactory(programme=cohort.programme, status=CohortStatus.RUNNING)
    real = figures.selectors.cohort_dashboard

    def broken_for_one(*, cohort, window):
        if cohort.pk == other.pk:
            raise RuntimeError("a broken cohort")
        return real(cohort=cohort, window=window)

    monkeypatch.setattr(figures.selectors, "cohort_dashboard", broken_for_one)
    assert figures.figures_refresh() == {"cohorts": 1, "programmes": 1, "failed": 1}
    assert figures_cache.cache.get(_undated_key(cohort)) is not None


def test_a_settled_cohorts_page_says_its_figures_are_refreshed_every_hour(
    client, coordinator, cohort, cached
):
    import datetime as dt

    from insights.tasks import insights_figures_refresh
    from programmes.models import Cohort, CohortStatus

    today = dt.date.today()
    Cohort.objects.filter(pk=cohort.pk).update(
        status=CohortStatus.FINISHED,
        starts_on=today - dt.timedelta(days=300),
        ends_on=today - dt.timedelta(days=200),
    )
    insights_figures_refresh()
    client.force_login(coordinator)
    html = client.get(_pages(cohort)[0]).content.decode()
    assert "refreshed every hour: the cohort finished a while ago" in html
    cache.clear()
    html = client.get(_pages(cohort)[0]).content.decode()  # computed on the request
    assert "refreshed every few minutes" in html


@pytest.mark.parametrize("seconds", [300, 0])
def test_figures_are_computed_with_the_garbage_collector_paused_and_it_is_back_after(
    client, coordinator, cohort, settings, monkeypatch, seconds
):
    """lib/collector.py: a national dashboard's rows of facts hold no cycles, and the
    collector's passes over every object the worker holds were a fifth of its time."""
    import gc

    from insights import selectors

    settings.INSIGHTS_CACHE_SECONDS = seconds
    cache.clear()
    seen = []
    for name in ("cohort_dashboard", "programme_dashboard"):
        real = getattr(selectors, name)

        def spy(*args, _real=real, **kwargs):
            seen.append(gc.isenabled())
            return _real(*args, **kwargs)

        monkeypatch.setattr(selectors, name, spy)
    make_pairs(cohort, 2, checkins_each=1)
    client.force_login(coordinator)
    for url in _pages(cohort):
        assert client.get(url).status_code == 200
    assert seen == [False, False]
    assert gc.isenabled()
