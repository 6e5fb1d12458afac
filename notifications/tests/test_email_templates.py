"""Every email is three templates, and its bodies extend the email layouts: the layout writes the
footer, so an optional kind's text part always carries its unsubscribe line."""

from pathlib import Path

import pytest
from django.template.loader import get_template

from notifications.services import email_enqueue

EMAILS = Path(get_template("emails/layout.txt").origin.name).parent
NAMES = sorted(p.name.removesuffix("-body.txt") for p in EMAILS.glob("*-body.txt"))


def test_there_are_emails_to_check():
    assert "survey-invitation" in NAMES and len(NAMES) > 10


@pytest.mark.parametrize("name", NAMES)
def test_every_email_body_extends_its_layout(name):
    text = (EMAILS / f"{name}-body.txt").read_text()
    html = (EMAILS / f"{name}-body.html").read_text()
    assert text.startswith('{% extends "emails/layout.txt" %}'), name
    assert html.startswith('{% extends "emails/layout.html" %}'), name
    assert (EMAILS / f"{name}-subject.txt").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_every_email_sent_as_an_optional_kind_says_how_to_unsubscribe(name, mentee, digest_kind):
    email = email_enqueue(
        to=mentee.email,
        user=mentee,
        kind=digest_kind,
        template=name,
        context={"name": "Mina"},
        idempotency_key=f"test:{name}",
    )
    unsubscribe_url = email.headers["List-Unsubscribe"].strip("<>")
    assert f"Unsubscribe from test digests: {unsubscribe_url}" in email.body_text
    assert unsubscribe_url in email.body_html
