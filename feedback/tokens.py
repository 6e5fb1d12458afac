"""Signed survey links: the invitation id, signed, so a link cannot be guessed or altered.

No timestamp: an invitation's link is the same in the email and on the home page, and the
invitation's own dates decide whether it may still be answered.
"""

from django.core import signing

INVITATION_SALT = "feedback.survey-invitation"


def _signer() -> signing.Signer:
    return signing.Signer(salt=INVITATION_SALT)


def invitation_token(invitation_id: int) -> str:
    return _signer().sign_object({"i": invitation_id}, compress=False)


def invitation_id_from_token(token: str) -> int | None:
    """The invitation id a link is for, or None when it was tampered with."""
    try:
        data = _signer().unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    value = data.get("i") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
