"""Tokens (account page, hashing, expiry, revocation), MFA, rate limits, audit, ETag, CSV, gzip
and the pinned query count of every list endpoint."""

import datetime as dt
import gzip

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.auth import MFA_REQUIRED, TOO_MANY, UNAUTHENTICATED
from api.models import ApiToken
from api.services import api_token_create, token_digest
from lib.audit import AuditContext
from pairing.tests.factories import CheckInFactory, PairFactory
from people.models import AuditEvent
from programmes.tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def bearer(user, scopes=("figures",)) -> dict:
    _token, raw = api_token_create(
        user=user, name="test", scopes=list(scopes), days=30, ctx=AuditContext()
    )
    return {"Authorization": f"Bearer {raw}"}


# --- The account page -------------------------------------------------------------------------


def test_a_person_creates_a_token_shown_once_and_stored_hashed(client, mentee):
    client.force_login(mentee)
    page = client.get(reverse("api:tokens"))
    assert page.status_code == 200 and "Create a token" in page.content.decode()
    response = client.post(reverse("api:tokens"), {"name": "My notebook", "days": 30})
    secret = response.context["secret"]
    assert secret.startswith("mtk_") and secret in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    token = ApiToken.objects.get(user=mentee)
    assert token.digest == token_digest(secret) and secret not in str(token.__dict__)
    assert token.scopes == ["figures"]
    assert secret not in client.get(reverse("api:tokens")).content.decode()  # shown once
    assert AuditEvent.objects.filter(action="api-token-created", actor=mentee).exists()
    assert (
        client.get("/api/v1/programmes", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )


def test_the_account_menu_links_the_tokens_page(client, mentee):
    client.force_login(mentee)
    assert reverse("api:tokens") in client.get(reverse("account_email")).content.decode()


def test_a_revoked_or_expired_token_stops_working(client, mentee):
    headers = bearer(mentee)
    assert client.get("/api/v1/programmes", headers=headers).status_code == 200
    token = ApiToken.objects.get(user=mentee)
    client.force_login(mentee)
    client.post(reverse("api:token_revoke", args=[token.pk]))
    response = client.get("/api/v1/programmes", headers=headers)
    assert response.status_code == 401 and response.json() == {"detail": UNAUTHENTICATED}
    headers = bearer(mentee)
    ApiToken.objects.filter(revoked_at__isnull=True).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client.get("/api/v1/programmes", headers=headers).status_code == 401


def test_nobody_revokes_someone_elses_token(client, mentee, outsider):
    bearer(mentee)
    token = ApiToken.objects.get(user=mentee)
    client.force_login(outsider)
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_the_people_scope_is_chosen_on_the_page(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("api:tokens"), {"name": "R", "days": 7, "people": "on"})
    assert ApiToken.objects.get(user=coordinator).scopes == ["figures", "people"]


# --- MFA, rate limit, audit ---------------------------------------------------------------------


def test_coordinator_tokens_need_two_factor_authentication_when_required(
    client, settings, coordinator, programme, mentee
):
    settings.REQUIRE_MFA_FOR_COORDINATORS = True
    headers = bearer(coordinator)
    response = client.get("/api/v1/programmes", headers=headers)
    assert response.status_code == 403 and response.json() == {"detail": MFA_REQUIRED}
    assert "two-factor authentication" in MFA_REQUIRED
    TOTP.activate(coordinator, generate_totp_secret())
    assert client.get("/api/v1/programmes", headers=headers).status_code == 200
    # Participants are never asked, as on the pages.
    assert client.get("/api/v1/programmes", headers=bearer(mentee)).status_code == 200


def test_tokens_are_rate_limited_per_token(client, settings, mentee, mentor):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    headers = bearer(mentee)
    assert [client.get("/api/v1/cohorts", headers=headers).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    response = client.get("/api/v1/cohorts", headers=headers)
    assert response.json() == {"detail": TOO_MANY} and int(response["Retry-After"]) >= 1
    assert client.get("/api/v1/cohorts", headers=bearer(mentor)).status_code == 200


def test_every_request_is_audited_and_repeats_are_counted_on_one_row(client, mentee):
    headers = bearer(mentee)
    for _ in range(3):
        client.get("/api/v1/pairs?cohort=1", headers=headers)
    client.get("/api/v1/pairs?cohort=1&cursor=1", headers=headers)  # another page
    client.get("/api/v1/checkins", headers=headers)
    client.get("/api/v1/checkins", headers={"Authorization": "Bearer forged"})
    prefix = ApiToken.objects.get(user=mentee).prefix
    rows = AuditEvent.objects.filter(action="api-request").order_by("pk")
    assert [(r.actor, r.summary) for r in rows] == [
        (mentee, f"API GET /api/v1/pairs?cohort=1 → 200 (token {prefix}…) ×4"),
        (mentee, f"API GET /api/v1/checkins → 200 (token {prefix}…)"),
        (None, "API GET /api/v1/checkins → 401 (no valid token)"),
    ]
    assert ApiToken.objects.get(user=mentee).last_used_at is not None


# --- HTTP conventions ---------------------------------------------------------------------------


def test_etag_and_if_none_match(client, mentee):
    headers = bearer(mentee)
    first = client.get("/api/v1/enrolments", headers=headers)
    etag = first["ETag"]
    assert etag and first["Cache-Control"] == "private, no-cache"
    again = client.get("/api/v1/enrolments", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    changed = client.get(
        "/api/v1/enrolments?role=mentor", headers={**headers, "If-None-Match": etag}
    )
    assert changed.status_code == 200


def test_every_list_answers_formula_safe_csv(client, coordinator, programme, cohort):
    evil = EnrolmentFactory(cohort=cohort, role="mentee")
    evil.user.full_name = '=HYPERLINK("http://evil")'
    evil.user.save()
    headers = {**bearer(coordinator, ["figures", "people"]), "Accept": "text/csv"}
    for name in ("programmes", "cohorts", "enrolments", "pairs", "checkins", "surveys"):
        response = client.get(reverse(f"api:v1:{name}"), headers=headers)
        assert response.status_code == 200, name
        assert response["Content-Type"] == "text/csv; charset=utf-8", name
    body = client.get("/api/v1/enrolments", headers=headers).content.decode()
    assert body.startswith("id,cohort_id,") and "'=HYPERLINK" in body
    assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body


def test_csv_pages_link_the_next_page(client, mentee, cohort):
    for _ in range(2):
        EnrolmentFactory(user=mentee, cohort=type(cohort).objects.create(
            programme=cohort.programme, name=f"c{_}", starts_on=cohort.starts_on,
            ends_on=cohort.ends_on))  # fmt: skip
    headers = {**bearer(mentee), "Accept": "text/csv"}
    response = client.get("/api/v1/enrolments?limit=1", headers=headers)
    assert 'rel="next"' in response["Link"] and "cursor=" in response["Link"]


def test_cursor_pages_walk_every_row_once(client, coordinator, programme, cohort):
    for _ in range(5):
        EnrolmentFactory(cohort=cohort, role="mentee")
    headers = bearer(coordinator)
    ids, url = [], "/api/v1/enrolments?limit=2"
    while url:
        body = client.get(url, headers=headers).json()
        ids += [r["id"] for r in body["results"]]
        url = body["next"]
    assert ids == sorted(ids) and len(ids) == 5
    bad = client.get("/api/v1/enrolments?cursor=nonsense", headers=headers)
    assert bad.status_code == 422 and "cursor" in bad.json()["detail"]


def test_errors_are_json_with_the_pages_wording(client, coordinator, programme):
    headers = bearer(coordinator)
    response = client.get("/api/v1/cohorts/999999", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "The requested resource was not found on this server."}
    url = f"/api/v1/figures/programmes/{programme.pk}?start=2026-10-01&end=2026-09-01"
    response = client.get(url, headers=headers)
    assert response.status_code == 400
    assert response.json() == {"detail": "The end date must be on or after the start date."}
    response = client.get("/api/v1/pairs?start=2026-10-01&end=2026-09-01", headers=headers)
    assert response.json()["results"] == []  # an empty interval
    response = client.get("/api/v1/pairs?start=yesterday", headers=headers)
    assert response.status_code == 422 and "Enter a valid date." in response.json()["detail"]


def test_the_api_is_gzipped_and_pages_are_not(client, mentee, coordinator, programme, cohort):
    for _ in range(30):
        EnrolmentFactory(cohort=cohort, role="mentee")
    response = client.get(
        "/api/v1/enrolments", headers={**bearer(coordinator), "Accept-Encoding": "gzip"}
    )
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).startswith(b'{"next_cursor"')
    client.force_login(mentee)
    page = client.get(reverse("api:tokens"), headers={"Accept-Encoding": "gzip"})
    assert not page.has_header("Content-Encoding")


def test_check_in_notes_never_leave(client, mentee, cohort):
    pair = PairFactory(cohort=cohort, mentee=mentee.enrolments.get())
    CheckInFactory(pair=pair, worked_on="Secret work", next_step="Secret step")
    body = client.get("/api/v1/checkins", headers=bearer(mentee, ["figures", "people"]))
    assert body.json()["results"] and b"Secret" not in body.content


# --- Query counts -------------------------------------------------------------------------------

LISTS = ("programmes", "cohorts", "enrolments", "pairs", "checkins", "surveys")
# Per request: token lookup (1) + the page (1) + the audit (1: a new row, or the repeat's update).
PINNED = dict.fromkeys(LISTS, 3)


def _data(cohort, n):
    for _ in range(n):
        pair = PairFactory(cohort=cohort)
        CheckInFactory(pair=pair)
        CheckInFactory(pair=pair, met_on=dt.date(2026, 10, 15))


@pytest.mark.parametrize("name", LISTS)
def test_list_query_counts_are_pinned_whatever_the_size(
    client, coordinator, programme, cohort, name
):
    headers = bearer(coordinator, ["figures", "people"])
    counts = []
    for n in (2, 12):
        _data(cohort, n)
        client.get(reverse(f"api:v1:{name}"), headers=headers)  # the audit row exists now
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(f"api:v1:{name}"), headers=headers)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts == [PINNED[name]] * 2, [q["sql"] for q in queries]


def test_anything_else_under_the_api_is_a_json_404(client, coordinator):
    headers = bearer(coordinator)
    for path in ("/api/v1/surveys/0%0A/results", "/api/v1/cohorts/-1", "/api/v2/nothing"):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "The requested resource was not found on this server."}


@pytest.mark.parametrize("param", ["role", "status"])
def test_a_filter_with_a_nul_byte_is_refused_not_a_500(client, coordinator, param):
    """PostgreSQL cannot hold a NUL byte: a status or role filter is one of the lower-case
    choices, or the request is answered 422 before the database sees it."""
    response = client.get(
        "/api/v1/enrolments", {param: "\x00accepted"}, headers=bearer(coordinator)
    )
    assert response.status_code == 422
    assert (
        client.get(
            "/api/v1/enrolments", {param: "accepted"}, headers=bearer(coordinator)
        ).status_code
        == 200
    )
