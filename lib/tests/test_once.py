"""The one-time form token (lib/once.py): a repeated submission does nothing and says so."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.template import Context, Template

from lib import once
from lib.models import UsedFormToken

pytestmark = pytest.mark.django_db


def _request(rf):
    request = rf.post("/somewhere/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_the_same_token_runs_the_action_once_and_answers_already_done(rf):
    calls = []

    def action():
        calls.append(1)
        return once.Done("/result/", "2 applicants updated (accept).")

    token = once.new_token()
    first = once.run_once(_request(rf), token=token, action=action)
    second_request = _request(rf)
    second = once.run_once(second_request, token=token, action=action)
    assert calls == [1]
    assert first.url == second.url == "/result/"
    texts = [m.message for m in get_messages(second_request)]
    assert texts == ["This was already done: 2 applicants updated (accept)."]


def test_a_refused_submission_leaves_the_token_usable(rf):
    token = once.new_token()

    def refuse():
        raise ValidationError("The meeting date cannot be in the future.")

    with pytest.raises(ValidationError):
        once.run_once(_request(rf), token=token, action=refuse)
    assert not UsedFormToken.objects.filter(token=token).exists()
    response = once.run_once(_request(rf), token=token, action=lambda: once.Done("/ok/", "Saved."))
    assert response.url == "/ok/"


def test_without_a_token_each_submission_runs(rf):
    calls = []

    def action():
        calls.append(1)
        return once.Done("/r/", "Done.")

    once.run_once(_request(rf), token="", action=action)
    once.run_once(_request(rf), token="", action=action)
    assert calls == [1, 1]


@pytest.mark.parametrize("value", ["", "short", "x" * 65, "bad token with spaces!", ["a"], None])
def test_a_malformed_token_counts_as_none(value):
    assert once.token_from({once.FIELD: value}) == ""


def test_the_form_mixin_and_the_tag_write_a_fresh_token_each_time():
    class Form(once.OnceFormMixin):
        pass

    first, second = Form(), Form()
    assert first.initial[once.FIELD] != second.initial[once.FIELD]
    assert once.token_from({once.FIELD: first.initial[once.FIELD]})
    html = Template("{% load once %}{% form_token %}").render(Context())
    assert 'type="hidden" name="form_token"' in html
    bound = Form({once.FIELD: "not valid!"})
    assert bound.is_valid() and bound.cleaned_data[once.FIELD] == ""


@pytest.mark.parametrize("value", ["x" * 20_000, "a\x00b", "\ud800", "short"])
def test_a_malformed_token_never_refuses_the_form(value):
    """A hostile or broken token is read as none (the form runs as without one), never an error
    on a field the person cannot see."""

    class Form(once.OnceFormMixin):
        pass

    bound = Form({once.FIELD: value})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data[once.FIELD] == ""


def test_forms_given_the_same_initial_values_each_get_their_own_token():
    """A plain Form keeps the caller's ``initial`` dict itself: the mixin must not write the
    token into it, or the next form built from that dict would show the same token."""

    class Form(once.OnceFormMixin):
        pass

    initial = {"met_on": "2026-11-30"}
    first, second = Form(initial=initial), Form(initial=initial)
    assert first.initial[once.FIELD] != second.initial[once.FIELD]
    assert initial == {"met_on": "2026-11-30"}
