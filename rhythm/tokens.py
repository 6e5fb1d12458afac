"""The signed "would you mentor next time?" link of the closing email: a programme and a person.

No expiry: the offer stands, and using the link twice only updates the same talent-pool entry.
"""

from django.core import signing

SALT = "rhythm.mentor-next-time"


def mentor_next_time_token(*, programme_id: int, user_id: int) -> str:
    return signing.Signer(salt=SALT).sign_object({"p": programme_id, "u": user_id}, compress=False)


def mentor_next_time_load(token: str) -> tuple[int, int] | None:
    try:
        data = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    p, u = data.get("p"), data.get("u")
    return (p, u) if isinstance(p, int) and isinstance(u, int) else None
