"""Schemathesis fuzzes every API operation from the schema the application serves.

The schema is loaded from ``/api/v1/schema`` of the running application (in-process, through
its WSGI handler, so it is the live schema and the test database); every operation gets generated
requests, each sent twice: with a coordinator's token and with a participant's. Schemathesis's
checks run on every answer (no 5xx, status codes, content types, headers and bodies as the schema
says); on top of them, every id in an answer must be within the token owner's reach, computed by
the sweep's independent rules.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.generation.modes import GenerationMode

from api.services import api_token_create
from lib.audit import AuditContext

from .test_api_sweep import (
    reach_checkins,
    reach_cohorts,
    reach_enrolments,
    reach_pairs,
    reach_programmes,
    reach_surveys,
)
from .test_authorisation_sweep import world

__all__ = ["world"]
pytestmark = pytest.mark.django_db

CASES = {"count": 0}
MAX_EXAMPLES = 25


@pytest.fixture
def tokens(world, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 100_000  # the fuzzer is not what the limit is for
    coordinator = world["programme"].coordinators.get()
    participant = world["pair"].mentee.user

    def bearer(user):
        raw = api_token_create(
            user=user, name="fuzz", scopes=["figures", "people"], days=1, ctx=AuditContext()
        )[1]
        return {"Authorization": f"Bearer {raw}"}

    return {"coordinator": (coordinator, bearer(coordinator)),
            "participant": (participant, bearer(participant))}  # fmt: skip


@pytest.fixture
def api_schema(tokens):
    # Django's test client does the same: a request must not close the test's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/schema", get_wsgi_application(), headers=tokens["coordinator"][1]
        )
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _reach(user) -> dict:
    return {
        "/api/v1/programmes": reach_programmes(user),
        "/api/v1/cohorts": reach_cohorts(user),
        "/api/v1/enrolments": reach_enrolments(user),
        "/api/v1/pairs": reach_pairs(user),
        "/api/v1/checkins": reach_checkins(user),
        "/api/v1/surveys": reach_surveys(user),
    }


def _outside_reach(case, user, body, reach) -> list[str]:
    path = case.operation.path
    coordinator = user.is_staff or _coordinates_any(user)
    problems = []
    if path in reach:
        problems += [f"{path}: id {r['id']}" for r in body["results"] if r["id"] not in reach[path]]
        for r in body["results"]:
            for key, resource in (("cohort_id", "/api/v1/cohorts"), ("pair_id", "/api/v1/pairs")):
                if key in r and r[key] not in reach[resource]:
                    problems.append(f"{path}: {key} {r[key]}")
    elif path == "/api/v1/programmes/{programme_id}":
        problems += [] if body["id"] in reach["/api/v1/programmes"] else [f"programme {body['id']}"]
    elif path == "/api/v1/cohorts/{cohort_id}":
        problems += [] if body["id"] in reach["/api/v1/cohorts"] else [f"cohort {body['id']}"]
    elif not coordinator:
        problems.append(f"{path}: a participant got {body}")
    return problems


def test_the_api_holds_to_its_schema_and_its_reach(api_schema, tokens):
    """Positive and negative cases for every operation (schemathesis's pytest plugin does not
    load under pytest 9 here, so the operations' strategies drive hypothesis directly)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    reach = {user.pk: _reach(user) for user, _headers in tokens.values()}  # read-only: once
    assert len(operations) == 11  # every API URL but the schema itself and the bare root
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # Negative cases must not break anything (no 5xx, answers as documented), but the
            # API ignores unknown query parameters as the pages do, and the token header is
            # always sent here, so "invalid data accepted" is not a finding.
            excluded = [negative_data_rejection] if mode == GenerationMode.NEGATIVE else []
            if "/figures/" in operation.path:
                # start <= end spans two parameters, which OpenAPI cannot say: the figures
                # answer 400 (the dashboards' own message), documented, to "end < start".
                excluded.append(positive_data_acceptance)

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def fuzz(case):
                for user, headers in tokens.values():
                    # The in-process WSGI client does not decompress: gzip is tested apart.
                    plain = {**headers, "Accept-Encoding": "identity"}
                    response = case.call_and_validate(
                        headers=plain,
                        excluded_checks=excluded,  # noqa: B023 - run at once
                    )
                    CASES["count"] += 1
                    content_type = response.headers.get("Content-Type", [""])[0]
                    if response.status_code == 200 and "json" in content_type:
                        problems = _outside_reach(case, user, response.json(), reach[user.pk])
                        assert not problems, problems

            fuzz()


def _coordinates_any(user) -> bool:
    from programmes.models import Programme

    return Programme.objects.filter(coordinators=user).exists()


@pytest.fixture(autouse=True, scope="module")
def _report():
    yield
    print(
        f"\nschemathesis: {CASES['count']} requests from generated cases (at most "
        f"{MAX_EXAMPLES} positive and {MAX_EXAMPLES} negative per operation, each sent with a "
        "coordinator's and a participant's token)"
    )
