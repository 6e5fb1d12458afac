"""The sign-up form: asks for a name, and never tells whether an address is registered.

allauth hides an existing address on sign-up only when email verification is mandatory; in
"optional" mode (the local default) it answers "A user is already registered with this email
address". Here every sign-up, in every mode, ends on the same "check your email" page: a new
address gets a confirmation link, a registered one an "you already have an account" email.
(In optional mode a new account may still sign in before confirming; only the sign-up itself
waits for the email.)
"""

from allauth.account import app_settings
from allauth.account.forms import SignupForm
from allauth.account.internal.flows.login import perform_login
from allauth.account.internal.flows.signup import complete_signup
from allauth.account.internal.userkit import filter_users_by_email
from allauth.account.models import Login
from django import forms

MANDATORY = app_settings.EmailVerificationMethod.MANDATORY


class AccountSignupForm(SignupForm):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        help_text="As colleagues know you: coordinators and your mentor or mentee see it.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["full_name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter your name.")
        return name

    def validate_unique_email(self, value) -> str:
        # Never an error for a registered address, whatever the verification mode: the
        # address gets an email instead (try_save).
        self.account_already_exists = bool(filter_users_by_email(value))
        return value

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])

    def try_save(self, request):
        if self.account_already_exists:
            login = Login(
                user=None,
                email=self.cleaned_data["email"],
                signup=True,
                email_verification=MANDATORY,
            )
            return None, perform_login(request, login)
        user = self.save(request)
        return user, complete_signup(request, user=user, email_verification=MANDATORY)
