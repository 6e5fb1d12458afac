"""Hostile input on the project's own allauth form: the sign-up (name, address, password)."""

import pytest
from django.urls import reverse
from hypothesis import given

from people.account_forms import AccountSignupForm
from people.models import User

from .support import (
    PROFILE,
    Attempt,
    assert_all_or_nothing,
    covers,
    form_data,
    is_valid_example,
    post,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery 42"
SIGNUP = {"full_name": "Nia New", "email": "nia.new@example.gov.uk",
          "password1": PASSWORD, "password2": PASSWORD}  # fmt: skip


@covers(AccountSignupForm, via="account_signup", persona="anonymous visitor")
@PROFILE
@given(data=form_data(**SIGNUP))
def test_signup_form_with_hostile_values(client, outsider, data):
    client.logout()
    with Attempt() as attempt:
        attempt.response = post(client, reverse("account_signup"), data)
        names = list(User.objects.values_list("full_name", "email"))
    client.logout()
    assert_all_or_nothing(
        attempt,
        effect={
            "people.user",
            "people.profile",
            "account.emailaddress",
            "notifications.email",
        },
        must_accept=is_valid_example(data, **SIGNUP),
    )
    assert all("\x00" not in name + email for name, email in names)
    assert len(names) <= 2  # the outsider, and at most the one who signed up
