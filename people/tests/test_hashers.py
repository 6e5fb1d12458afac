"""Passwords: Argon2id with OWASP's parameters, older hashes upgraded at the next sign-in."""

import pytest
from argon2 import extract_parameters
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher, make_password

from people.tests.factories import UserFactory

PASSWORD = "correct-horse-battery-42"
LOGIN = "/accounts/login/"


# The project's list (mentorship/settings.py; mentorship/tests/test_settings.py checks it is
# this one); the test settings use MD5 for speed.
PROJECT_HASHERS = [
    "people.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


@pytest.fixture
def real_hashers(settings):
    settings.PASSWORD_HASHERS = PROJECT_HASHERS


def _argon2_parameters(encoded: str):
    algorithm, rest = encoded.split("$", 1)
    assert algorithm == "argon2"
    return extract_parameters("$" + rest)


def test_the_project_hashes_new_passwords_with_argon2id_at_owasp_parameters(real_hashers):
    params = _argon2_parameters(make_password(PASSWORD))
    assert params.type.name == "ID"
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)


@pytest.mark.django_db
def test_a_pbkdf2_hash_is_upgraded_to_argon2id_at_the_next_sign_in(client, real_hashers):
    user = UserFactory(email="old@example.gov.uk")
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000)
    user.save()

    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    params = _argon2_parameters(user.password)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
    client.logout()
    assert client.post(LOGIN, {"login": user.email, "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_an_argon2_hash_with_django_defaults_is_rehashed_with_owasp_parameters(
    client, real_hashers
):
    user = UserFactory(email="argon@example.gov.uk")
    user.password = Argon2PasswordHasher().encode(PASSWORD, "saltsaltsalt")
    user.save()
    assert _argon2_parameters(user.password).memory_cost == Argon2PasswordHasher.memory_cost

    assert client.post(LOGIN, {"login": user.email, "password": PASSWORD}).status_code == 302

    user.refresh_from_db()
    assert _argon2_parameters(user.password).memory_cost == 19456


@pytest.mark.django_db
def test_a_wrong_password_leaves_the_old_hash_alone(client, real_hashers):
    user = UserFactory(email="wrong@example.gov.uk")
    old = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000)
    user.password = old
    user.save()

    assert client.post(LOGIN, {"login": user.email, "password": "not-it"}).status_code == 200

    user.refresh_from_db()
    assert user.password == old
