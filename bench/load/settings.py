"""The production settings, with the two changes a load test on one machine needs.

Everything comes from ``mentorship.settings`` with ``DJANGO_ENV=production`` (DEBUG off, secure
cookies, HSTS, mandatory email verification, allauth's rate limits on the Redis cache). Only:

- ``STATIC_ROOT`` is the run's temporary folder, so ``collectstatic`` never writes into the shared
  working tree;
- static files use Django's manifest storage without whitenoise's compression step: pages carry
  the same hashed file names, but compressing the 1,600 files of ``node_modules`` with brotli took
  2.5 minutes here, and the load test never downloads a static file;
- ``bench.load.middleware.ServerTimingMiddleware`` comes first in ``MIDDLEWARE``: every response
  says what it cost the server (CPU and wall milliseconds, queries) in a ``Server-Timing``
  header, which the load test records per page. The product never loads it.

The rest is environment, set by ``bench/load/run.py`` (``TRUSTED_PROXY_COUNT=1`` among it).
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from mentorship.settings import *  # noqa: F403
from mentorship.settings import MIDDLEWARE, STORAGES

if not os.environ.get("LOADTEST_STATIC_ROOT"):
    raise ImproperlyConfigured(
        "bench.load.settings is for `make load-test` (LOADTEST_STATIC_ROOT)."
    )
STATIC_ROOT = Path(os.environ["LOADTEST_STATIC_ROOT"])
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
MIDDLEWARE = ["bench.load.middleware.ServerTimingMiddleware", *MIDDLEWARE]
