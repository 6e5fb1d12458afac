"""Hostile input on the project's own allauth form: the sign-up (name, address, password)."""

import pytest
from django.urls import reverse
from hypothesis import given

from people.account_forms import AccountSignupForm
from people.models import User

from .support import PROFILE, Valid, assert_all_or_nothing, covers, sending

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery 42"
SIGNUP = Valid(full_name="Nia New", email="nia.new@example.gov.uk",
               password1=PASSWORD, password2=PASSWORD)  # fmt: skip


@covers(AccountSignupForm, via="account_signup", persona="anonymous visitor")
@PROFILE
@given(data=SIGNUP.bodies())
def test_signup_form_with_hostile_values(client, outsider, data):
    client.logout()
    with sending(client, reverse("account_signup"), data) as attempt:
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
        must_accept=SIGNUP.all_valid(data),
    )
    assert all("\x00" not in name + email for name, email in names)
    assert len(names) <= 2  # the outsider, and at most the one who signed up
