"""Headers and settings (issue 10 item 3): check --deploy, CSP, cookies, upload limits, caches."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from pairing.tests.factories import PairFactory

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "x7Q" * 20


def _env(**extra):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO", "DATABASE", "CACHE", "CELERY", "OIDC", "REQUIRE_MFA"))
    }
    return {**clean, **extra}


def _production_env(tmp_path, **extra):
    values = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": GOOD_KEY,
        "DJANGO_ALLOWED_HOSTS": "mentoring.example.gov.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CACHE_URL": "redis://127.0.0.1:6379/1",
        "VAR_DIR": str(tmp_path),
    }
    return _env(**{**values, **extra})


def _python(code: str, env: dict):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_passes_with_production_settings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_has_secure_cookies_hsts_and_mfa_required(tmp_path):
    code = (
        "import json, mentorship.settings as s; print(json.dumps({k: getattr(s, k) for k in "
        "['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
        "'SECURE_SSL_REDIRECT', 'SECURE_REFERRER_POLICY', 'SECURE_CONTENT_TYPE_NOSNIFF', "
        "'REQUIRE_MFA_FOR_COORDINATORS', 'X_FRAME_OPTIONS']}))"
    )
    result = _python(code, _production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert values["REQUIRE_MFA_FOR_COORDINATORS"] is True


# --- The cache behind the rate limits -----------------------------------------------------------

CACHE_CODE = (
    "import mentorship.settings as s; c = s.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
)


@pytest.mark.parametrize("url", ["locmemcache://", "dummycache://"])
def test_production_refuses_a_per_process_or_dummy_cache(tmp_path, url):
    result = _python(CACHE_CODE, _production_env(tmp_path, CACHE_URL=url))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "CACHE_URL" in result.stderr


def test_production_without_cache_url_uses_the_brokers_redis_in_another_database(tmp_path):
    env = _production_env(tmp_path, CELERY_BROKER_URL="redis://redis.internal:6379/0")
    del env["CACHE_URL"]
    result = _python(CACHE_CODE, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        # Django's Redis cache, keeping one client per connection pool (lib/cache.py).
        "lib.cache.RedisCache",
        "redis://redis.internal:6379/1",
    ]


def test_production_without_cache_url_or_redis_refuses_to_start(tmp_path):
    env = _production_env(tmp_path)
    del env["CACHE_URL"]
    result = _python(CACHE_CODE, env)
    assert result.returncode != 0 and "CACHE_URL" in result.stderr


def test_local_mode_shares_a_file_cache_under_var_between_web_and_worker(tmp_path):
    result = _python(CACHE_CODE, _env(VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.filebased.FileBasedCache",
        str(tmp_path / "cache"),
    ]


# --- Single sign-on from environment variables --------------------------------------------------

OIDC_CODE = "import json, mentorship.settings as s; print(json.dumps(s.SOCIALACCOUNT_PROVIDERS))"


def test_oidc_variables_configure_one_openid_connect_provider(tmp_path):
    env = _env(
        VAR_DIR=str(tmp_path),
        OIDC_PROVIDER_ID="entra",
        OIDC_NAME="Microsoft Entra ID",
        OIDC_SERVER_URL="https://login.microsoftonline.com/tenant-id/v2.0",
        OIDC_CLIENT_ID="client-id",
        OIDC_CLIENT_SECRET="client-secret",
    )
    result = _python(OIDC_CODE, env)
    assert result.returncode == 0, result.stderr
    (app,) = json.loads(result.stdout)["openid_connect"]["APPS"]
    assert app["provider_id"] == "entra" and app["name"] == "Microsoft Entra ID"
    assert app["client_id"] == "client-id" and app["secret"] == "client-secret"
    assert app["settings"]["server_url"] == "https://login.microsoftonline.com/tenant-id/v2.0"


def test_without_oidc_variables_there_is_no_provider(tmp_path):
    result = _python(OIDC_CODE, _env(VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {}


# --- Content-Security-Policy and inline scripts -------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style|\sstyle\s*=", re.IGNORECASE)


def _assert_strict_page(response, url):
    assert response.status_code == 200, url
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp, (url, directive)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))
    assert not INLINE_HANDLER.search(html), url
    assert not INLINE_STYLE.search(html), (url, INLINE_STYLE.search(html))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def pair(cohort, mentor, mentee):
    return PairFactory(
        cohort=cohort,
        mentor=mentor.enrolments.get(cohort=cohort),
        mentee=mentee.enrolments.get(cohort=cohort),
    )


def test_public_pages_have_the_policy_and_no_inline_script(client, db):
    for url in ("/", reverse("account_login"), reverse("account_signup")):
        _assert_strict_page(client.get(url), url)
    _assert_strict_page(client.get(reverse("account_reset_password")), "reset")


def test_main_pages_have_the_policy_and_no_inline_script(client, coordinator, cohort, pair):
    client.force_login(coordinator)
    slug = cohort.programme.slug
    urls = [
        "/home/",
        reverse("people:profile"),
        reverse("programmes:list"),
        reverse("programmes:detail", args=[slug]),
        reverse("programmes:cohort_detail", args=[slug, cohort.pk]),
        reverse("account_email"),
        reverse("mfa_index"),
        reverse("notifications:preferences"),
    ]
    for url in urls:
        _assert_strict_page(client.get(url), url)
    client.force_login(pair.mentee.user)
    url = reverse("pairing:detail", args=[pair.pk])
    _assert_strict_page(client.get(url), url)


def test_no_template_has_an_inline_script_or_style_attribute():
    folders = [ROOT / "templates", *ROOT.glob("*/templates")]
    offenders = []
    for folder in folders:
        if "node_modules" in folder.parts or ".venv" in folder.parts:
            continue
        for path in folder.rglob("*.html"):
            if "emails" in path.parts:  # email HTML needs inline styles; never served as a page
                continue
            text = path.read_text()
            for pattern in (INLINE_SCRIPT, INLINE_HANDLER, re.compile(r"\sstyle=\"")):
                if pattern.search(text):
                    offenders.append(f"{path.relative_to(ROOT)}: {pattern.search(text).group(0)}")
    assert not offenders, offenders


# --- Upload limits ------------------------------------------------------------------------------


def test_an_oversized_form_body_gets_a_clear_400_not_a_500(client, coordinator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.force_login(coordinator)
    response = client.post(reverse("people:profile"), {"bio": "x" * 20_000})
    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_too_many_form_fields_get_a_400(client, coordinator, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    client.force_login(coordinator)
    response = client.post(reverse("people:profile"), {f"f{i}": "x" for i in range(60)})
    assert response.status_code == 400


def test_an_oversized_csv_invite_is_refused_with_a_message(client, coordinator, cohort, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.INVITE_CSV_MAX_BYTES = 1000
    client.force_login(coordinator)
    url = reverse("recruitment:cohort_invite", args=[cohort.programme.slug, cohort.pk])
    big = SimpleUploadedFile("people.csv", b"email,role\n" + b"a@example.gov.uk,mentee\n" * 200)
    response = client.post(url, {"file": big})
    assert response.status_code == 400  # the invite page, listing what is wrong
    assert "limit" in response.content.decode().lower()
    assert not cohort.enrolments.exists()


def test_a_binary_file_named_csv_is_refused_by_content(client, coordinator, cohort):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(coordinator)
    url = reverse("recruitment:cohort_invite", args=[cohort.programme.slug, cohort.pk])
    fake = SimpleUploadedFile("people.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    response = client.post(url, {"file": fake})
    assert response.status_code == 400  # the invite page, listing what is wrong
    assert not cohort.enrolments.exists()
    assert "CSV" in response.content.decode()
