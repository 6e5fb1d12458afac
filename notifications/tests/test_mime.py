"""notifications.mime writes exactly the bytes Django's SMTP backend would send."""

import re
from unittest import mock

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import BadHeaderError, sanitize_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notifications import mime

DATE = "Mon, 30 Nov 2026 20:00:00 -0000"
MESSAGE_ID = "<random.1@host>"
BOUNDARY = re.compile(rb'boundary="([^"]+)"')


def _django(message) -> bytes:
    return message.message().as_bytes(linesep="\r\n")


def _same_boundary(raw: bytes) -> bytes:
    found = BOUNDARY.search(raw)
    return raw.replace(found.group(1), b"BOUNDARY") if found else raw


def _both(message):
    with (
        mock.patch("django.core.mail.message.formatdate", return_value=DATE),
        mock.patch("notifications.mime.formatdate", return_value=DATE),
        mock.patch("django.core.mail.message.make_msgid", return_value=MESSAGE_ID),
        mock.patch("notifications.mime.make_msgid", return_value=MESSAGE_ID),
    ):
        return _same_boundary(_django(message)), _same_boundary(mime.message_bytes(message))


# Text a person or a template could produce: any characters but lone surrogates.
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
line_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"))
printable = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=120)
address = st.one_of(
    st.emails(),
    st.from_regex(r"\A[a-z0-9.+_-]{1,20}@[a-z0-9-]{1,10}\.(test|gov\.uk)\Z"),
)
header_value = st.one_of(printable, line_text.filter(lambda v: len(v) < 200))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=st.one_of(printable, line_text),
    body=text.filter(bool),
    html=st.one_of(st.none(), text),
    to=address,
    extra=st.dictionaries(
        st.sampled_from(["List-Unsubscribe", "List-Unsubscribe-Post", "Reply-To", "X-Note"]),
        header_value,
        max_size=3,
    ),
    message_id=st.booleans(),
    long_line=st.booleans(),
)
def test_message_bytes_are_djangos(subject, body, html, to, extra, message_id, long_line):
    headers = dict(extra)
    if message_id:
        headers["Message-ID"] = "<outbox-12.1796068965@localhost>"
    if long_line:
        body += "x" * 1000  # Django sends it quoted-printable: not ours to write
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email="Mentorship <mentorship@localhost>",
        to=[to],
        headers=headers,
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    if long_line:
        assert mime.message_bytes(message) is None
        return
    try:
        _django(message)
    except (BadHeaderError, ValueError) as exc:  # the same refusal, from the same checks
        with pytest.raises(type(exc)):
            mime.message_bytes(message)
        return
    django_bytes, ours = _both(message)
    assert ours == django_bytes


def test_the_outbox_shape_is_written_directly():
    message = EmailMultiAlternatives(
        subject="Your check-in is due",
        body="Hello,\n\nLine two.\n",
        from_email="Mentorship <mentorship@localhost>",
        to=["mentee@example.gov.uk"],
        headers={
            "List-Unsubscribe": "<https://mentorship.example/notifications/unsubscribe/"
            + "a" * 90
            + "/>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": "<outbox-1.1@localhost>",
        },
    )
    message.attach_alternative("<p>Hello £5 café</p>\n", "text/html")
    django_bytes, ours = _both(message)
    assert ours == django_bytes
    assert b"Content-Transfer-Encoding: 8bit" in ours


def test_attachments_go_through_django():
    message = EmailMultiAlternatives(subject="S", body="B", to=["a@example.test"])
    message.attach("invite.ics", "BEGIN:VCALENDAR", "text/calendar")
    assert mime.message_bytes(message) is None


@settings(max_examples=500, deadline=None)
@given(address)
def test_envelope_address_is_sanitize_address(value):
    try:
        expected = sanitize_address(value, "utf-8")
    except ValueError:
        if not mime._PLAIN_ADDRESS.fullmatch(value):
            return
        raise
    assert mime.envelope_address(value) == expected
