"""The dashboards' reads beside each other on a second connection (lib/beside.py): the same
figures as in order, really on another thread, queries counted, errors raised, nothing left open.

Transactional tests on PostgreSQL: a test's own transaction would (rightly) make everything run
in order on one connection, which lib/tests/test_beside.py checks."""

import datetime as dt
import threading
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from insights import selectors
from insights.selectors import dashboards
from lib import beside
from programmes.tests.factories import CohortFactory

from .conftest import make_pairs, make_survey

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("reads run beside each other on PostgreSQL only")


@pytest.fixture
def cohorts(programme):
    today = dt.date.today()
    running = CohortFactory(
        programme=programme,
        applications_open=today - dt.timedelta(days=80),
        applications_close=today - dt.timedelta(days=70),
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=30),
    )
    finished = CohortFactory(
        programme=programme,
        applications_open=today - dt.timedelta(days=300),
        applications_close=today - dt.timedelta(days=290),
        starts_on=today - dt.timedelta(days=280),
        ends_on=today - dt.timedelta(days=190),
    )
    with transaction.atomic():  # as the views write them
        make_pairs(running, 6, checkins_each=3)
        make_pairs(finished, 4, checkins_each=5)
        make_survey(running, anonymous=False, responses=3, nps_scores=(9, 7, 3), scale=(4, 5, 2))
    return running, finished


def _all_dashboards(programme, running):
    since = running.starts_on + dt.timedelta(days=10)
    return [
        dashboards.programme_dashboard(programme=programme, window=selectors.window_for()),
        dashboards.programme_dashboard(
            programme=programme, window=selectors.window_for(start=since), start=since
        ),
        dashboards.cohort_dashboard(cohort=running, window=selectors.window_for()),
        dashboards.cohort_dashboard(cohort=running, window=selectors.window_for(start=since)),
    ]


def test_the_figures_are_the_same_read_beside_or_in_order(programme, cohorts, settings):
    running, _ = cohorts
    settings.CONCURRENT_READS = False
    in_order = _all_dashboards(programme, running)
    settings.CONCURRENT_READS = True
    assert beside.can_run_beside()
    assert _all_dashboards(programme, running) == in_order
    assert in_order[0].columns and in_order[2].pairs.pairs == 6


def test_the_database_bound_reads_run_on_another_thread(programme, cohorts):
    """The pairs' facts wait (up to 10 s) until the breakdowns have started: they can only
    start on the other connection meanwhile, the first of the reads beside."""
    running, _ = cohorts
    threads = {}
    started = threading.Event()

    def breakdowns(*args, **kwargs):
        threads["breakdowns"] = threading.current_thread()
        started.set()
        return real_breakdowns(*args, **kwargs)

    def pair_facts(*args, **kwargs):
        threads["pair_facts"] = threading.current_thread()
        started.wait(10)
        return real_pair_facts(*args, **kwargs)

    real_breakdowns, real_pair_facts = dashboards.breakdowns, dashboards.pair_facts
    with (
        mock.patch.object(dashboards, "breakdowns", breakdowns),
        mock.patch.object(dashboards, "pair_facts", pair_facts),
    ):
        dashboards.programme_dashboard(programme=programme, window=selectors.window_for())
    here = threading.current_thread()
    assert threads["pair_facts"] is here
    assert threads["breakdowns"] is not here


def test_this_connection_takes_the_reads_left_once_its_own_is_done(programme, cohorts):
    """Whichever connection is free takes the next read: here, the other connection is kept
    busy by the breakdowns until this one has taken the rest."""
    threads = {}
    started, rest_done = threading.Event(), threading.Event()

    def slow_breakdowns(*args, **kwargs):
        threads["breakdowns"] = threading.current_thread()
        started.set()
        rest_done.wait(10)
        return real_breakdowns(*args, **kwargs)

    def pair_facts(*args, **kwargs):  # begun once the other connection has the breakdowns
        started.wait(10)
        return real_pair_facts(*args, **kwargs)

    def standups(*args, **kwargs):  # the last of the reads beside
        threads["standups"] = threading.current_thread()
        rest_done.set()
        return real_standups(*args, **kwargs)

    real_breakdowns, real_pair_facts = dashboards.breakdowns, dashboards.pair_facts
    real_standups = dashboards.standup_attendance_by_cohort
    with (
        mock.patch.object(dashboards, "breakdowns", slow_breakdowns),
        mock.patch.object(dashboards, "pair_facts", pair_facts),
        mock.patch.object(dashboards, "standup_attendance_by_cohort", standups),
    ):
        dashboards.programme_dashboard(programme=programme, window=selectors.window_for())
    here = threading.current_thread()
    assert threads["breakdowns"] is not here
    assert threads["standups"] is here


def test_queries_on_both_connections_are_counted(programme, cohorts, settings):
    running, _ = cohorts
    counts = []
    for concurrent in (False, True):
        settings.CONCURRENT_READS = concurrent
        with CaptureQueriesContext(connection) as ctx:
            _all_dashboards(programme, running)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] > 20


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_an_error_beside_is_raised_here_and_no_connection_is_left_open(programme, cohorts):
    running, _ = cohorts
    before = _backends()

    def broken(*args, **kwargs):
        raise RuntimeError("the breakdowns failed")

    with (
        mock.patch.object(dashboards, "breakdowns", broken),
        pytest.raises(RuntimeError, match="the breakdowns failed"),
    ):
        dashboards.programme_dashboard(programme=programme, window=selectors.window_for())
    _all_dashboards(programme, running)
    assert _backends() == before


def test_inside_a_transaction_everything_runs_here(programme, cohorts):
    running, _ = cohorts
    seen = []

    def recorded(*args, **kwargs):
        seen.append(threading.current_thread())
        return [], []

    with transaction.atomic():
        assert not beside.can_run_beside()
        with mock.patch.object(dashboards, "breakdowns", recorded):
            dashboards.programme_dashboard(programme=programme, window=selectors.window_for())
    assert seen == [threading.current_thread()]
