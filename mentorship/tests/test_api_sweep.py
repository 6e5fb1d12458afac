"""The authorisation sweep of the HTTP API: every API URL x every persona x every scope.

Every URL classified ``API`` in test_authorisation_sweep.py must have a rule below (an API URL
without one fails, as an unclassified page does). For each, with GET and POST:

- no token, a session instead of a token, a forged token, a revoked or an expired token: 401;
- each persona's token, with the `figures` scope and with `figures` + `people`:
  - a list returns exactly the ids the persona may see in the browser, computed here
    independently of api.access (staff: all; a coordinator: their programmes'; a participant:
    their own enrolments, pairs and check-ins);
  - one object: 200 for whoever may see it, 404 for everyone else;
  - names and email addresses only with the `people` scope; never a check-in's notes;
  - POST: 405 (the API is read-only);
- nobody gets a 5xx, and the database is unchanged (bar the audit log and the tokens' last use).
"""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.services import api_token_create
from feedback.models import SurveySchedule
from lib.audit import AuditContext
from pairing.models import CheckIn, Pair
from people.tests.factories import UserFactory
from programmes.models import Cohort, Enrolment, Programme

from .test_authorisation_sweep import API, SKIP_MODELS, URLS, database_fingerprint, world

__all__ = ["world"]
pytestmark = pytest.mark.django_db


def _coordinates(user, programme) -> bool:
    return user.is_staff or programme.coordinators.filter(pk=user.pk).exists()


def _enrolled(user, programme_id) -> bool:
    return Enrolment.objects.filter(user=user, cohort__programme_id=programme_id).exists()


# What each persona may see, written from the product's rules without api.access.
def reach_programmes(user):
    return {p.pk for p in Programme.objects.all() if _coordinates(user, p) or _enrolled(user, p.pk)}


def reach_cohorts(user):
    return {
        c.pk
        for c in Cohort.objects.select_related("programme")
        if _coordinates(user, c.programme) or c.enrolments.filter(user=user).exists()
    }


def reach_enrolments(user):
    return {
        e.pk
        for e in Enrolment.objects.select_related("cohort__programme")
        if _coordinates(user, e.cohort.programme) or e.user_id == user.pk
    }


def reach_pairs(user):
    return {
        p.pk
        for p in Pair.objects.select_related("cohort__programme", "mentor", "mentee")
        if _coordinates(user, p.cohort.programme) or user.pk in (p.mentor.user_id, p.mentee.user_id)
    }


def reach_checkins(user):
    pairs = reach_pairs(user)
    return {c.pk for c in CheckIn.objects.all() if c.pair_id in pairs}


def reach_surveys(user):
    return {
        s.pk
        for s in SurveySchedule.objects.select_related("cohort__programme")
        if _coordinates(user, s.cohort.programme)
    }


LIST = "list"
ONE = "one"
NONE = "none"
SCHEMA = "schema"

# name -> (shape, the ids a persona may see / whether they may see the alpha object)
RULES = {
    "api:v1:openapi-json": (SCHEMA, None),
    "api:v1:api-root": (NONE, None),
    "api:v1:programmes": (LIST, reach_programmes),
    "api:v1:cohorts": (LIST, reach_cohorts),
    "api:v1:enrolments": (LIST, reach_enrolments),
    "api:v1:pairs": (LIST, reach_pairs),
    "api:v1:checkins": (LIST, reach_checkins),
    "api:v1:surveys": (LIST, reach_surveys),
    "api:v1:programme": (ONE, lambda u, w: w["programme"].pk in reach_programmes(u)),
    "api:v1:cohort": (ONE, lambda u, w: w["cohort"].pk in reach_cohorts(u)),
    "api:v1:survey_results": (ONE, lambda u, w: _coordinates(u, w["programme"])),
    "api:v1:cohort_figures": (ONE, lambda u, w: _coordinates(u, w["programme"])),
    "api:v1:programme_figures": (ONE, lambda u, w: _coordinates(u, w["programme"])),
}

SCOPES = (["figures"], ["figures", "people"])
PERSONAL_KEYS = {"email", "mentor_name", "mentee_name"}
NEVER_KEYS = {"worked_on", "next_step", "notes", "end_note", "coordinator_notes", "goals"}


def test_every_api_url_has_a_reach_rule():
    api_urls = {name for name, (kind, _fill) in URLS.items() if kind == API}
    assert api_urls == set(RULES), (
        f"Give these API URLs a rule in {__file__}: {sorted(api_urls - set(RULES))}; "
        f"stale: {sorted(set(RULES) - api_urls)}"
    )


def _personas(world):
    personas = dict(world["personas"])
    personas["coordinator"] = world["programme"].coordinators.get()
    personas["staff"] = UserFactory(email="staff@example.gov.uk", is_staff=True)
    personas["pair_mentor"] = world["pair"].mentor.user
    personas["pair_mentee"] = world["pair"].mentee.user
    return personas


def _token(user, scopes) -> str:
    return api_token_create(user=user, name="sweep", scopes=scopes, days=30, ctx=AuditContext())[1]


def _fingerprint():
    SKIP_MODELS.add("api.apitoken")  # last_used_at moves on use, by design
    try:
        return database_fingerprint()
    finally:
        SKIP_MODELS.discard("api.apitoken")


def _walk_keys(data):
    if isinstance(data, dict):
        for k, v in data.items():
            yield k, v
            yield from _walk_keys(v)
    elif isinstance(data, list):
        for v in data:
            yield from _walk_keys(v)


def _all_rows(client, url, headers):
    ids, rows, next_url = [], [], url + "?limit=2"  # small pages: the cursor is exercised too
    while next_url:
        response = client.get(next_url, headers=headers)
        assert response.status_code == 200, (url, response.status_code, response.content[:200])
        body = response.json()
        rows += body["results"]
        ids += [r["id"] for r in body["results"]]
        next_url = body["next"]
    return ids, rows


def test_the_api_sweep(client, world):
    personas = _personas(world)
    tokens = {(p, tuple(s)): _token(u, s) for p, u in personas.items() for s in SCOPES}
    revoked = _token(personas["coordinator"], ["figures", "people"])
    expired = _token(personas["coordinator"], ["figures"])
    newest = ApiToken.objects.order_by("-pk")
    newest[0].__class__.objects.filter(pk=newest[0].pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    newest[1].__class__.objects.filter(pk=newest[1].pk).update(revoked_at=timezone.now())
    refused = {
        "no token": {},
        "forged token": {"Authorization": "Bearer mtk_forged"},
        "revoked token": {"Authorization": f"Bearer {revoked}"},
        "expired token": {"Authorization": f"Bearer {expired}"},
        "basic auth": {"Authorization": "Basic Zm9vOmJhcg=="},
    }
    checked, failures = 0, []
    before = _fingerprint()
    for name, (shape, rule) in RULES.items():
        url = reverse(name, kwargs=URLS[name][1](world))
        # Without a valid token: 401 (a session counts for nothing, except the schema).
        for label, headers in refused.items():
            for method in ("get", "post"):
                response = getattr(client, method)(url, headers=headers)
                checked += 1
                expected = {404} if shape == NONE else {401, 405} if method == "post" else {401}
                if response.status_code not in expected:
                    failures.append(f"{label} {method.upper()} {name}: {response.status_code}")
        client.force_login(personas["other_coordinator"])
        response = client.get(url)
        checked += 1
        if shape not in (SCHEMA, NONE) and response.status_code != 401:
            failures.append(f"session without token GET {name}: {response.status_code}")
        client.logout()
        for (persona, scopes), raw in tokens.items():
            user = personas[persona]
            headers = {"Authorization": f"Bearer {raw}"}
            checked += 1
            response = client.post(url, headers=headers)
            if response.status_code not in (404, 405):
                failures.append(f"{persona} {scopes} POST {name}: {response.status_code}")
            if shape == LIST:
                ids, rows = _all_rows(client, url, headers)
                checked += 1
                may_see = rule(user)
                if len(ids) != len(set(ids)) or set(ids) != may_see:
                    failures.append(
                        f"{persona} {scopes} {name}: got {sorted(ids)}, may see {sorted(may_see)}"
                    )
                payload = rows
            else:
                response = client.get(url, headers=headers)
                checked += 1
                status = response.status_code
                if status >= 500:
                    failures.append(f"{persona} {scopes} GET {name}: {status}")
                    continue
                if shape == ONE:
                    allowed = rule(user, world)
                    if status != (200 if allowed else 404):
                        failures.append(f"{persona} {scopes} GET {name}: {status}")
                elif status != {SCHEMA: 200, NONE: 404}[shape]:
                    failures.append(f"{persona} {scopes} GET {name}: {status}")
                payload = json.loads(response.content) if status == 200 else {}
            if shape == SCHEMA:
                continue
            for key, value in _walk_keys(payload):
                if key in NEVER_KEYS:
                    failures.append(f"{persona} {scopes} {name}: returned {key}")
                personal = key in PERSONAL_KEYS or (key == "name" and name == "api:v1:enrolments")
                if personal and value is not None and "people" not in scopes:
                    failures.append(f"{persona} {scopes} {name}: {key} without the people scope")
            text = json.dumps(payload)
            if "Private notes" in text:
                failures.append(f"{persona} {scopes} {name}: a check-in's notes")
    assert _fingerprint() == before, "the database changed under API requests"
    print(f"API sweep: {checked} checks over {len(RULES)} API URLs, {len(personas)} personas")
    assert not failures, "\n".join(failures)


def test_people_scope_adds_names_for_those_who_see_them(client, world):
    coordinator = world["programme"].coordinators.get()
    plain = {"Authorization": f"Bearer {_token(coordinator, ['figures'])}"}
    people = {"Authorization": f"Bearer {_token(coordinator, ['figures', 'people'])}"}
    url = reverse("api:v1:enrolments") + f"?cohort={world['cohort'].pk}"
    rows = client.get(url, headers=plain).json()["results"]
    assert rows and all(r["email"] is None and r["name"] is None for r in rows)
    rows = client.get(url, headers=people).json()["results"]
    assert "pair.mentee@example.gov.uk" in {r["email"] for r in rows}
