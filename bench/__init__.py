"""Benchmarks, synthetic data and the outbox fault rig: outside the product packages.

Every entry point is a plain module run as ``python -m bench.<name>`` (the Makefile's
``bench-*`` and ``test-reliability`` targets), not a management command: ``bench`` is not in
``INSTALLED_APPS``, so the product never names it and ``manage.py help`` lists only commands an
operator needs; the fault rig already had to configure Django itself (its own database, Redis and
SMTP ports before ``django.setup()``), and ``loadtest/`` runs the same way. ``bench`` may import
any app; no app may import ``bench`` (mentorship/tests/test_layering.py).

- ``python -m bench.similarity``: duplicate-project detection on synthetic proposals (pure).
- ``python -m bench.dashboard``: the insights dashboards on a generated programme.
- ``python -m bench.national``: a 50,000-person programme on PostgreSQL: dashboards, cohort
  page, pairs list, a rhythm run and the CSV exports beside the small programme.
- ``python -m bench.rhythm``: one run of every rhythm rule over N active pairs.
- ``python -m bench.reliability``: the outbox against real SMTP, Redis and Celery workers.
- ``python -m bench.api``: p50/p95 of the API's list endpoints.
- ``python -m bench.email``: the outbox's end-to-end rate against a bare smtplib loop.
- ``python -m bench.pairing [--national]``: block scoring + certified solve, dense comparison.
- ``python -m bench.password_hashing``: CPU per password check, project hasher vs Django's.
- ``bench.synthetic_pairing``: synthetic cohorts for the pairing benchmark and engine tests.
- ``bench.harness``: the services the fault rig and the email benchmark start.
"""

import os


def django_setup() -> None:
    """Configure Django for a benchmark run from the command line (as ``manage.py`` would)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    import django

    django.setup()
