"""Signed unsubscribe tokens: a person's id and one kind of email, signed with SECRET_KEY."""

from django.core import signing

_SALT = "notifications.unsubscribe"


def unsubscribe_token_make(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str]:
    """Return (user id, kind); raise signing.BadSignature for anything tampered with."""
    data = signing.loads(token, salt=_SALT)
    try:
        return int(data["u"]), str(data["k"])
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("Malformed unsubscribe token.") from exc
