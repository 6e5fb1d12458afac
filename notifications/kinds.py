"""The kinds of email the application sends, and whether a person may turn each one off.

Essential kinds (account emails, decisions about a person's application) are always sent.
Optional kinds (reminders, digests, surveys) carry an unsubscribe link and ``List-Unsubscribe``
headers, and are cancelled for a person who opted out of them.

Each app registers its own kinds when it is loaded, for example in its ``AppConfig.ready()`` or
at the top of its ``emails.py``::

    from notifications.kinds import register_kind

    register_kind("checkin-reminder", essential=False, label="Check-in reminders")

Registering the same kind twice with the same definition is harmless; a conflicting definition
is an error, and so is enqueueing an email of a kind nobody registered.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


class UnknownEmailKind(ValueError):
    """An email of a kind nobody registered."""


@dataclass(frozen=True)
class Kind:
    essential: bool
    label: str
    description: str = ""
    # Who is offered this kind on the email settings page (None: everyone). The registering app
    # supplies the check (e.g. "coordinates a programme"), so notifications knows no roles.
    offered_to: Callable[[object], bool] | None = field(default=None, compare=False)

    def is_offered_to(self, user) -> bool:
        return self.offered_to is None or bool(self.offered_to(user))


KINDS: dict[str, Kind] = {
    "account": Kind(
        essential=True,
        label="Account emails",
        description="Address confirmation, password reset and other sign-in emails.",
    ),
}


def register_kind(
    name: str,
    *,
    essential: bool,
    label: str,
    description: str = "",
    offered_to: Callable[[object], bool] | None = None,
) -> Kind:
    kind = Kind(essential=essential, label=label, description=description, offered_to=offered_to)
    existing = KINDS.get(name)
    if existing is not None and existing != kind:
        raise ValueError(f"Email kind {name!r} is already registered as {existing!r}.")
    KINDS[name] = kind
    return kind


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownEmailKind(
            f"Unknown email kind {name!r}; register it with notifications.kinds.register_kind()."
        ) from None


def optional_kinds(*, user=None) -> dict[str, Kind]:
    """The kinds a person may turn off, in label order; with ``user``, only those offered to
    them (a coordinator's digest is not offered to a mentee)."""
    return dict(
        sorted(
            (
                (n, k)
                for n, k in KINDS.items()
                if not k.essential and (user is None or k.is_offered_to(user))
            ),
            key=lambda i: i[1].label,
        )
    )
