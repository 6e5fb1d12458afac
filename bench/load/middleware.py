"""Per-request cost, for the load test only (``bench/load/settings.py`` puts it first in
``MIDDLEWARE``; the product's settings never load it).

:class:`ServerTimingMiddleware` adds a ``Server-Timing`` header to every response::

    Server-Timing: cpu;dur=12.3, app;dur=20.1, db;dur=3.2;desc="7"

- ``cpu``: CPU milliseconds this thread spent in the request, everything under this middleware
  (the other middleware, the view, the template), measured with ``time.thread_time()``: exact
  for a sync worker, and still per request with threaded workers (``process_time`` would add
  the other threads' work);
- ``app``: wall milliseconds for the same span (CPU plus waiting: the database, Redis, the
  scheduler of a busy machine);
- ``db``: wall milliseconds spent in SQL queries, the number of queries in ``desc``.

Not counted: gunicorn's own parsing and writing of the request, and a streamed body (the CSV
exports) produced after this middleware returns. ``bench/load/locustfile.py`` records the three
figures with every sample; ``bench/load/run.py`` prints them per page.
"""

import time

from django.db import connections


class _QueryTimer:
    __slots__ = ("count", "seconds")

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timer = _QueryTimer()
        cpu, wall = time.thread_time(), time.perf_counter()
        with connections["default"].execute_wrapper(timer):
            response = self.get_response(request)
        cpu_ms = (time.thread_time() - cpu) * 1000
        wall_ms = (time.perf_counter() - wall) * 1000
        response["Server-Timing"] = (
            f"cpu;dur={cpu_ms:.2f}, app;dur={wall_ms:.2f}, "
            f'db;dur={timer.seconds * 1000:.2f};desc="{timer.count}"'
        )
        return response
