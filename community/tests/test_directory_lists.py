"""Issue 17, item 16: the directory's lists of skills end without a stray comma."""

import re

import pytest
from django.urls import reverse

from community import services
from people.models import ProfileSkill
from people.tests.factories import SkillFactory
from programmes.models import Enrolment

from .conftest import add_people

pytestmark = pytest.mark.django_db


def test_a_teach_list_followed_by_learn_skills_has_no_trailing_comma(client, running, mentee):
    person = add_people(running, 1)[0]
    for name, direction in (("Python", "teach"), ("R", "teach"), ("Zzz learning", "learn")):
        ProfileSkill.objects.create(
            profile=person.profile, skill=SkillFactory(name=name), direction=direction
        )
    services.directory_listing_save(
        enrolment=Enrolment.objects.get(user=person, cohort=running),
        opted_in=True,
        show_email=False,
    )
    client.force_login(mentee)
    html = client.get(reverse("community:directory", args=[running.pk])).content.decode()
    cell = re.search(r'<ul class="list-commas">(.*?)</ul>', html, re.S).group(1)
    assert "<li>Python</li>" in cell and "<li>R</li>" in cell and "Zzz" not in cell
    assert "," not in cell  # the separators are the stylesheet's, between items only


def _listed(running):
    person = add_people(running, 1)[0]
    return services.directory_listing_save(
        enrolment=Enrolment.objects.get(user=person, cohort=running),
        opted_in=True,
        show_email=False,
    )


def test_a_message_the_sender_agreed_to_be_answered_at_has_reply_to_the_sender(
    client, running, mentee
):
    from notifications.models import Email
    from notifications.services import _message

    listing = _listed(running)
    client.force_login(mentee)
    url = reverse("community:contact", args=[running.pk, listing.enrolment_id])
    assert 'name="reply_to_me"' in client.get(url).content.decode()
    client.post(url, {"subject": "Maps", "body": "Could we talk?", "reply_to_me": "on"})
    email = Email.objects.get(kind="directory-message")
    assert email.headers["Reply-To"] == mentee.email
    assert _message(email).message()["Reply-To"] == mentee.email
    assert mentee.email in email.body_text


def test_without_agreement_the_senders_address_goes_nowhere(client, running, mentee):
    from notifications.models import Email

    listing = _listed(running)
    client.force_login(mentee)
    url = reverse("community:contact", args=[running.pk, listing.enrolment_id])
    client.post(url, {"subject": "Maps", "body": "Could we talk?"})
    email = Email.objects.get(kind="directory-message")
    assert "Reply-To" not in (email.headers or {})
    assert mentee.email not in email.body_text and mentee.email not in email.body_html
    assert "chose not to share their email address" in email.body_text
