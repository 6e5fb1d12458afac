"""Independent reads run beside each other, on a second database connection (issue 19).

A cold dashboard of a national programme is a dozen independent reads: one that builds a row of
facts for each of 30,000 pairs in Python, and others that are almost all database time (the
breakdowns, the survey rounds, returning mentors). One after another on one connection they
took about 380 ms on two cores; with the database-bound ones on a second connection, in a thread
that waits on the database while this one builds its rows, about 250 ms
(docs/performance.md, "Dashboards on two connections").

:func:`run_beside` runs ``here`` on this thread while a thread of its own takes the ``beside``
calls one after another; once ``here`` is done this thread takes them too, so whichever
connection is free runs the next (on a slower or busier machine the split follows by itself),
and returns both results. It does so only where that is safe and can help:

- on PostgreSQL (SQLite serialises its readers' Python anyway, and one file is one writer);
- outside a transaction: a second connection does not see this one's uncommitted rows (a test's
  transaction included), so inside one everything runs here, in order;
- with ``CONCURRENT_READS`` on (the default; ``DATABASE_CONCURRENT_READS=false`` turns it off,
  for instance behind a pooler that gives each client one server connection).

Otherwise, and for the results, nothing changes: the calls run here, ``here`` first. The second
connection is opened for the calls and closed after them (a few milliseconds, against the
hundred saved), so no thread or connection outlives the request. An exception in either is
raised here, after both have finished. Queries made beside are added to this connection's log
when it keeps one (``DEBUG``, or a test's ``CaptureQueriesContext``), so query counts pinned by
tests and printed by benchmarks count both connections.

Each call reads in its own snapshot either way (autocommit: every query sees what was committed
when it started), so running them apart changes no figure: tested in
insights/tests/test_concurrent_reads.py against the same dashboards computed in order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

T = TypeVar("T")


def can_run_beside(alias: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[alias]
    return (
        getattr(settings, "CONCURRENT_READS", True)
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    )


def run_beside(
    here: Callable[[], T], beside: Sequence[Callable[[], Any]], *, alias: str = DEFAULT_DB_ALIAS
) -> tuple[T, list]:
    """``(here(), [call() for call in beside])``: the ``beside`` calls taken in turn by a second
    connection's thread while ``here`` runs on this one, and by this one too once ``here`` is
    done (whichever is free takes the next), when :func:`can_run_beside`; otherwise all here,
    in order. The calls must not depend on each other: any may run on either connection. Put
    the longest first."""
    if not beside or not can_run_beside(alias):
        return here(), [call() for call in beside]
    connection = connections[alias]
    logging = connection.queries_logged
    results: list = [None] * len(beside)
    queue = iter(list(enumerate(beside)))
    taking = threading.Lock()
    failure: list[BaseException] = []
    logged: list[dict] = []

    def take_in_turn() -> None:
        while not failure:
            with taking:
                i, call = next(queue, (None, None))
            if call is None:
                return
            results[i] = call()

    def run() -> None:
        other = connections[alias]  # this thread's own connection
        other.force_debug_cursor = logging
        try:
            take_in_turn()
        except BaseException as exc:  # raised again on the calling thread
            failure.append(exc)
        finally:
            logged.extend(other.queries_log)
            other.close()

    thread = threading.Thread(target=run, name="reads-beside", daemon=True)
    thread.start()
    try:
        mine = here()
        take_in_turn()
    except BaseException as exc:
        failure.append(exc)
    finally:
        thread.join()
        if logging:
            connection.queries_log.extend(logged)
    if failure:
        raise failure[0]
    return mine, results
