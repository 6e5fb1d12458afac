"""Signed links: a few named fields, signed with SECRET_KEY under a salt that names their use.

One implementation for every link the application emails (invitations, sign-off, surveys,
unsubscribe, "mentor next time"). ``sign`` always adds a timestamp, so any link can be given an
age limit; ``unsign`` also reads links made before this module existed without a timestamp, but
only when the caller sets no ``max_age`` (those links never expired).
"""

from __future__ import annotations

from django.core import signing

BadSignature = signing.BadSignature
SignatureExpired = signing.SignatureExpired


def sign(salt: str, **fields) -> str:
    """A URL-safe token carrying ``fields`` (JSON values)."""
    return signing.dumps(fields, salt=salt, compress=True)


def unsign(salt: str, token: str, max_age: int | float | None = None) -> dict:
    """The fields of a token made by :func:`sign` with the same salt.

    Raises ``SignatureExpired`` when older than ``max_age`` seconds and ``BadSignature`` when it
    was tampered with, made for another salt, or does not carry a dict.
    """
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise
    except (signing.BadSignature, ValueError) as exc:
        if max_age is not None:
            raise signing.BadSignature("Bad or untimed token.") from exc
        # Links made without a timestamp (an untimed Signer) before this module existed.
        try:
            data = signing.Signer(salt=salt).unsign_object(token)
        except ValueError as exc2:  # not base64 / not JSON
            raise signing.BadSignature("Malformed token.") from exc2
    if not isinstance(data, dict):
        raise signing.BadSignature("Malformed token.")
    return data


def unsign_or_none(salt: str, token: str, max_age: int | float | None = None) -> dict | None:
    """Like :func:`unsign`, but None for any bad or expired token."""
    try:
        return unsign(salt, token, max_age=max_age)
    except (signing.BadSignature, ValueError):
        return None
