"""A new event and the weekly stand-ups are created once per page: pressing Back and sending the
form again (the same one-time token, lib/once.py) creates nothing more, emails no one twice and
says it was already done."""

import re

import pytest
from django.urls import reverse

from community import services
from community.models import Event
from notifications.models import Email

from .conftest import HUB_DAY, add_people

pytestmark = pytest.mark.django_db

STANDUPS = {
    "standup-first_date": "2027-02-09",
    "standup-start_time": "10:00",
    "standup-duration_minutes": 30,
    "standup-time_zone": "Europe/London",
    "standup-location": "Hub",
}


def _events_url(cohort):
    return reverse("community:events", args=[cohort.programme.slug, cohort.pk])


def _token(page: str, prefix: str) -> str:
    tag = re.search(rf'<input[^>]*name="{prefix}-form_token"[^>]*>', page)
    assert tag, f"{prefix}: no one-time token on the page"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_new_event_sent_again_after_back_is_created_and_emailed_once(
    client, coordinator, running, today
):
    add_people(running, 3)
    client.force_login(coordinator)
    page = client.get(_events_url(running)).content.decode()
    assert re.search(r'<form method="post" novalidate autocomplete="off">', page)
    body = {**HUB_DAY, "event-form_token": _token(page, "event")}

    first = client.post(_events_url(running), body, follow=True)
    assert _messages(first) == ["“Hub day” created; invitations are on their way."]
    again = client.post(_events_url(running), body, follow=True)

    assert Event.objects.count() == 1
    assert Email.objects.filter(kind="event-invitation").count() == 5  # one per participant
    assert again.redirect_chain == [(_events_url(running), 302)]
    assert _messages(again) == [
        "This was already done: “Hub day” created; invitations are on their way."
    ]


def test_a_refused_event_can_be_fixed_and_sent_with_the_same_page(
    client, coordinator, running, today
):
    client.force_login(coordinator)
    token = _token(client.get(_events_url(running)).content.decode(), "event")
    refused = client.post(
        _events_url(running),
        {
            **HUB_DAY,
            "event-weekly": "on",
            "event-repeat_until": "2027-03-01",
            "event-form_token": token,
        },
    )
    assert refused.status_code == 200 and not Event.objects.exists()
    assert _token(refused.content.decode(), "event") == token  # the same form, fixed and sent
    assert (
        client.post(_events_url(running), {**HUB_DAY, "event-form_token": token}).status_code == 302
    )
    assert Event.objects.count() == 1


def test_weekly_stand_ups_sent_again_say_they_were_already_scheduled(
    client, coordinator, running, today
):
    add_people(running, 10)
    services.groups_generate(cohort=running, by=coordinator, min_size=5, max_size=8)
    services.groups_publish(cohort=running, by=coordinator)
    client.force_login(coordinator)
    page = client.get(_events_url(running)).content.decode()
    body = {**STANDUPS, "standup-form_token": _token(page, "standup")}
    url = reverse("community:standups_schedule", args=[running.programme.slug, running.pk])

    first = client.post(url, body, follow=True)
    assert _messages(first) == ["Weekly stand-ups scheduled for 2 groups."]
    emails = Email.objects.filter(kind="event-invitation").count()
    again = client.post(url, body, follow=True)

    assert Event.objects.count() == 2
    assert Email.objects.filter(kind="event-invitation").count() == emails
    assert _messages(again) == ["This was already done: Weekly stand-ups scheduled for 2 groups."]
