"""The outbox's emails as SMTP bytes, without Django's message objects.

Django's SMTP backend turns an ``EmailMultiAlternatives`` into ``email.mime`` objects and runs
Python's generator over them (``message.message().as_bytes(linesep="\\r\\n")``), and parses both
addresses again for the envelope: about 0.8 ms of CPU an email here, more than the worker's
database work and the SMTP exchange together. :func:`message_bytes` writes the same bytes
directly for the shape the outbox sends (a text body, optionally HTML alternatives, no
attachments, UTF-8), calling the same primitives for everything that is not plain and short:
``forbid_multi_line_headers`` (Django's own header check and encoding) and the ``compat32``
policy's folding for each header, and the generator's rules for the body (7bit or 8bit, lines
ending in CRLF). Anything else (attachments, a line over 998 bytes, which Django sends
quoted-printable, another charset) returns ``None`` and goes through Django as before.

notifications/tests/test_mime.py compares the bytes with Django's for random messages (the
random boundary and the date aside).
"""

from __future__ import annotations

import functools
import random
import re
import sys
from email.generator import NLCRE, BytesGenerator
from email.policy import compat32
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    EmailMultiAlternatives,
    forbid_multi_line_headers,
    sanitize_address,
)
from django.core.mail.utils import DNS_NAME

_POLICY = compat32.clone(linesep="\r\n")
_MAX_LINE = _POLICY.max_line_length  # 78
# A header value the compat32 policy writes as it is when the line fits (checked in the tests).
_PLAIN = re.compile(r"[\x20-\x7e]*")
# An address sanitize_address() gives back unchanged (a dot-atom at an ASCII domain).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(
    rf"{_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]{{1,63}}(?:\.[A-Za-z0-9-]{{1,63}})*"
)
_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))
_SKIPPED = {"from", "to", "cc", "reply-to"}


def _header(name: str, value) -> bytes:
    """One header line as Django sets it (``msg[name] = value``) and the generator folds it.
    A short printable value is written as it is: what ``forbid_multi_line_headers`` (including
    its ``Header(subject).encode()``) and the policy's folding leave it as."""
    if type(value) is str and len(name) + 2 + len(value) <= _MAX_LINE and _PLAIN.fullmatch(value):
        return f"{name}: {value}\r\n".encode("ascii")
    name, value = forbid_multi_line_headers(name, value, "utf-8")
    return _POLICY.fold_binary(name, value)


def _part(text: str, subtype: str) -> tuple[bytes, bytes] | None:
    """A ``text/<subtype>`` part as Django's ``SafeMIMEText`` (UTF-8) and the generator write it;
    None for a body Django would send quoted-printable."""
    if any(
        len(line.encode(errors="surrogateescape")) > RFC5322_EMAIL_LINE_LENGTH_LIMIT
        for line in text.splitlines()
    ):
        return None
    cte = "7bit" if text.isascii() else "8bit"
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"MIME-Version: 1.0\r\nContent-Transfer-Encoding: {cte}\r\n"
    )
    return head.encode("ascii"), "\r\n".join(NLCRE.split(text)).encode("utf-8", "surrogateescape")


def _boundary(text: bytes) -> str:
    """What ``BytesGenerator._make_boundary`` picks: a random token not found in the parts."""
    token = random.randrange(sys.maxsize)  # noqa: S311 (a MIME boundary, as the generator's)
    boundary = "=" * 15 + f"{token:0{_BOUNDARY_DIGITS}d}" + "=="
    if b"--" + boundary.encode("ascii") in text:
        return BytesGenerator._make_boundary(text)  # its own search, and a suffix
    return boundary


@functools.lru_cache(maxsize=16)
def _content_type_folded(subtype: str, length: int) -> tuple[bytes, bytes]:
    """The folded Content-Type line around a boundary of ``length`` characters (the generator's
    are '=' and digits, which the folding never splits at): (before it, after it)."""
    placeholder = "0" * length
    folded = _POLICY.fold_binary("Content-Type", f'multipart/{subtype}; boundary="{placeholder}"')
    before, after = folded.split(placeholder.encode("ascii"))
    return before, after


def _content_type(subtype: str, boundary: str) -> bytes:
    if not re.fullmatch(r"[=0-9]+", boundary):
        return _POLICY.fold_binary("Content-Type", f'multipart/{subtype}; boundary="{boundary}"')
    before, after = _content_type_folded(subtype, len(boundary))
    return before + boundary.encode("ascii") + after


def message_bytes(message: EmailMultiAlternatives) -> bytes | None:
    """``message.message().as_bytes(linesep="\\r\\n")``, or None for a message of another shape
    (then use Django)."""
    if (
        message.attachments
        or message.cc
        or message.bcc
        or message.reply_to
        or not message.body
        or type(message.body) is not str
        or message.encoding is not None
        or settings.DEFAULT_CHARSET != "utf-8"
        or message.content_subtype != "plain"
    ):
        return None
    alternatives = getattr(message, "alternatives", [])
    parts = [_part(message.body, "plain")]
    for content, mimetype in alternatives:
        if type(content) is not str or not mimetype.startswith("text/"):
            return None
        parts.append(_part(content, mimetype.split("/", 1)[1]))
    if None in parts:
        return None

    extra = message.extra_headers
    names = {key.lower() for key in extra}
    headers: list[bytes] = []
    if alternatives:
        texts = [head + b"\r\n" + body for head, body in parts]
        boundary = _boundary(b"\r\n".join(texts))
        headers.append(_content_type(message.alternative_subtype, boundary))
        headers.append(b"MIME-Version: 1.0\r\n")
        delimiter = b"\r\n--" + boundary.encode("ascii") + b"\r\n"
        body = (
            b"--"
            + boundary.encode("ascii")
            + b"\r\n"
            + delimiter.join(texts)
            + b"\r\n--"
            + boundary.encode("ascii")
            + b"--\r\n"
        )
    else:
        head, text = parts[0]
        headers.append(head)
        body = text
    headers.append(_header("Subject", message.subject))
    headers.append(_header("From", extra.get("From", message.from_email)))
    if "To" in extra:
        headers.append(_header("To", extra["To"]))
    elif message.to:
        headers.append(_header("To", ", ".join(str(v) for v in message.to)))
    if "Reply-To" in extra:
        headers.append(_header("Reply-To", extra["Reply-To"]))
    if "date" not in names:
        headers.append(_header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
    if "message-id" not in names:
        headers.append(_header("Message-ID", make_msgid(domain=DNS_NAME)))
    for name, value in extra.items():
        if name.lower() not in _SKIPPED:
            headers.append(_header(name, value))
    return b"".join(headers) + b"\r\n" + body


def envelope_address(address: str) -> str:
    """``sanitize_address(address, "utf-8")``, as Django's SMTP backend gives the envelope."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return address
    return _sanitized(address)


@functools.lru_cache(maxsize=64)
def _sanitized(address: str) -> str:
    """The sender (DEFAULT_FROM_EMAIL, with its name) is the same for every email."""
    return sanitize_address(address, "utf-8")
