"""The ground floor's helpers."""

import pytest
from django.core import signing
from django.template import Context, Template

from lib import signing as links
from lib.audit import AuditContext, client_ip
from lib.models import model_update
from lib.urls import absolute_reverse, absolute_url


def test_a_signed_link_round_trips_and_refuses_another_salt_or_a_change():
    token = links.sign("a.use", e=4, u=9)
    assert links.unsign("a.use", token) == {"e": 4, "u": 9}
    with pytest.raises(signing.BadSignature):
        links.unsign("another.use", token)
    with pytest.raises(signing.BadSignature):
        links.unsign("a.use", token[:-2] + "xx")
    assert links.unsign_or_none("a.use", "rubbish") is None


def test_a_signed_link_expires_when_given_an_age(time_machine):
    time_machine.move_to("2026-01-01 09:00Z")
    token = links.sign("a.use", e=1)
    time_machine.move_to("2026-01-03 09:00Z")
    with pytest.raises(signing.SignatureExpired):
        links.unsign("a.use", token, max_age=86400)
    assert links.unsign("a.use", token) == {"e": 1}


def test_links_made_before_the_helper_without_a_timestamp_still_open():
    old = signing.Signer(salt="a.use").sign_object({"i": 3}, compress=False)
    assert links.unsign("a.use", old) == {"i": 3}
    with pytest.raises(signing.BadSignature):
        links.unsign("a.use", old, max_age=60)


def test_absolute_urls_use_the_site_url(settings):
    settings.SITE_URL = "https://mentoring.example.gov.uk/"
    assert absolute_url("/home/") == "https://mentoring.example.gov.uk/home/"
    assert absolute_reverse("home") == "https://mentoring.example.gov.uk/home/"


def test_model_update_writes_only_whitelisted_fields_and_says_what_changed(db):
    from django.contrib.auth import get_user_model  # lib knows no app, not even people

    user = get_user_model().objects.create(email="ann@example.gov.uk", full_name="Ann")
    assert model_update(instance=user, fields=["full_name"], data={"full_name": "Ann"}) == []
    assert model_update(instance=user, fields=["full_name"], data={"full_name": "Bo"}) == [
        "full_name"
    ]
    user.refresh_from_db()
    assert user.full_name == "Bo"
    with pytest.raises(ValueError, match="is_staff"):
        model_update(instance=user, fields=["full_name"], data={"is_staff": True})


def test_audit_context_from_a_request(rf, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="1.1.1.1")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert client_ip(request) == "10.1.2.3"
    assert AuditContext.from_request(request) == AuditContext(actor=None, ip="10.1.2.3")


def test_the_breadcrumb_marks_the_last_part_as_the_current_page():
    html = Template('{% load breadcrumbs %}{% breadcrumbs "Programmes" "/p/" "Spring" %}').render(
        Context()
    )
    assert '<a href="/p/">Programmes</a>' in html
    assert 'aria-current="page">Spring</li>' in html


def test_model_fields_form_is_a_plain_form_with_the_models_fields():
    """lib.forms.model_fields_form: the model's fields as a ModelForm makes them (here Group's
    name: required, at most 150 characters), on a plain Form that builds no instance."""
    from django import forms as django_forms
    from django.contrib.auth.models import Group

    from lib.forms import model_fields_form

    form_class = model_fields_form(Group, ["name"], help_texts={"name": "Who they are."})
    assert not issubclass(form_class, django_forms.ModelForm)
    form = form_class({"name": "x" * 151})
    assert not form.is_valid() and "name" in form.errors
    assert form.fields["name"].max_length == 150 and form.fields["name"].help_text
    form = form_class({"name": "Coordinators"})
    assert form.is_valid() and not hasattr(form, "instance")


def test_add_errors_puts_a_services_errors_on_the_forms_fields_or_above_it():
    """lib.forms.add_errors: a field the form has gets its own messages; a field it does not
    have (or a message about the whole) goes above the form, never a ValueError (a 500)."""
    from django.contrib.auth.models import Group
    from django.core.exceptions import ValidationError

    from lib.forms import add_errors, model_fields_form

    form = model_fields_form(Group, ["name"])({"name": "Coordinators"})
    assert form.is_valid()
    add_errors(form, ValidationError({"name": "Taken.", "permissions": "Not yours."}))
    add_errors(form, ValidationError("Closed."))
    assert form.errors == {"name": ["Taken."], "__all__": ["Not yours.", "Closed."]}
