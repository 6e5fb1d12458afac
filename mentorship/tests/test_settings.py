import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "x" * 50


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly these variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE"))}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import mentorship.settings as s; print(s.DEBUG, s.DATABASES)"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_local_mode_is_the_default_with_debug_and_sqlite(tmp_path):
    result = load_settings(VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True")
    assert "sqlite3" in result.stdout and "journal_mode=WAL" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_ALLOWED_HOSTS": "mentoring.example.gov.uk"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short", "DJANGO_ALLOWED_HOSTS": "a.gov.uk"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": GOOD_KEY}, "DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_secret_key_and_hosts(env, message, tmp_path):
    result = load_settings(DJANGO_ENV="production", VAR_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_production_starts_with_real_settings_and_debug_off(tmp_path):
    result = load_settings(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=GOOD_KEY,
        DJANGO_ALLOWED_HOSTS="mentoring.example.gov.uk",
        VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/mentorship",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False")
    assert "postgresql" in result.stdout


@pytest.mark.parametrize(
    ("url", "jit", "expected"),
    [
        ("postgres://postgres@127.0.0.1:5432/m", None, "'options': '-c jit=off'"),
        # options already in the URL are kept, jit=off added after them
        (
            "postgres://postgres@127.0.0.1:5432/m?options=-c%20statement_timeout%3D5000",
            None,
            "'options': '-c statement_timeout=5000 -c jit=off'",
        ),
        ("postgres://postgres@127.0.0.1:5432/m", "true", None),
    ],
)
def test_postgresql_connections_turn_jit_off_unless_asked(tmp_path, url, jit, expected):
    env = {"VAR_DIR": str(tmp_path), "DATABASE_URL": url}
    if jit:
        env["DATABASE_JIT"] = jit
    result = load_settings(**env)
    assert result.returncode == 0, result.stderr
    if expected:
        assert expected in result.stdout
    else:
        assert "jit" not in result.stdout


def test_the_test_database_connection_has_jit_off(db):
    """What the settings ask for reaches the server (PostgreSQL runs: .ci/run)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_docker_compose_file_is_valid():
    compose = shutil.which("docker-compose")
    if compose is None:
        from mentorship.testing import skip_or_fail

        skip_or_fail("docker-compose is not installed (apt-get install docker-compose)")
    result = subprocess.run(
        [compose, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SECRET_KEY": GOOD_KEY},
    )
    assert result.returncode == 0, result.stderr


def test_passwords_are_hashed_with_argon2id_first_and_old_hashes_still_checked():
    from mentorship import settings as project_settings
    from people.tests.test_hashers import PROJECT_HASHERS

    assert project_settings.PASSWORD_HASHERS == PROJECT_HASHERS
