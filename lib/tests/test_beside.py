"""lib/beside.py on any database: in order, here, wherever a second connection cannot help or
would not see this one's rows. The PostgreSQL path is tested through the dashboards
(insights/tests/test_concurrent_reads.py)."""

import threading

import pytest
from django.db import connection

from lib.beside import can_run_beside, run_beside


def _calls(log):
    def call(name, value):
        def run():
            log.append((name, threading.current_thread()))
            return value

        return run

    return call


@pytest.mark.django_db
def test_inside_a_transaction_the_calls_run_here_in_order():
    log = []
    call = _calls(log)
    assert connection.in_atomic_block  # the test's own transaction
    assert not can_run_beside()
    assert run_beside(call("here", 1), [call("a", 2), call("b", 3)]) == (1, [2, 3])
    here = threading.current_thread()
    assert log == [("here", here), ("a", here), ("b", here)]


@pytest.mark.django_db(transaction=True)
def test_turned_off_or_on_sqlite_the_calls_run_here(settings):
    settings.CONCURRENT_READS = connection.vendor == "sqlite"  # SQLite: off whatever it says
    if connection.vendor == "postgresql":
        assert not can_run_beside()
    log = []
    call = _calls(log)
    assert run_beside(call("here", "x"), [call("a", "y")]) == ("x", ["y"])
    assert {thread for _, thread in log} == {threading.current_thread()}


def test_nothing_beside_is_just_the_call():
    assert run_beside(lambda: 5, []) == (5, [])
