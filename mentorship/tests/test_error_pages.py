"""What a person sees when a request goes nowhere: the site's own pages, in its layout, in plain
words, never a blank screen or the framework's bare text (seen walking as a participant: a
POST-only address opened in the browser showed "This page isn't working")."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_address_that_takes_only_a_button_says_so_when_opened(client, mentee):
    client.force_login(mentee)
    response = client.get(reverse("calendars:reset"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = response.content.decode()
    assert "<h1>Nothing to show here</h1>" in html and "Nothing was changed." in html
    assert '<html lang="en-GB">' in html  # the site's layout


def test_a_page_that_is_not_there_is_the_sites_own(client, mentee):
    client.force_login(mentee)
    response = client.get("/pairs/999999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html and reverse("landing") in html


def test_a_server_error_has_a_page_that_needs_nothing_to_render(settings):
    """500.html is plain HTML: it renders with no request, no user and no context."""
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "<h1>Something went wrong</h1>" in html and "{%" not in html


def test_a_stranger_is_sent_to_sign_in_not_shown_an_error():
    response = Client().get(reverse("calendars:reset"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
