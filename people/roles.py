"""Roles a person has that people cannot see for itself.

Whether someone coordinates a programme is programmes' fact, one floor up. programmes registers
the predicate here from its ``AppConfig.ready()`` (like the personal-data registry), so people's
middleware, views and data export ask ``is_coordinator(user)`` without reaching up through a
reverse accessor.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

_coordinator_checks: list[Callable[[object], bool]] = []
_coordinated_names: list[Callable[[object], list[str]]] = []
_coordinated_people: list[Callable[[object], object]] = []


def register_coordinator(
    *,
    check: Callable[[object], bool],
    names: Callable[[object], list[str]] | None = None,
    people: Callable[[object], object] | None = None,
) -> None:
    """Register how to tell whether a user coordinates anything, what (for data export) and
    whom: ``people(user)`` is a queryset of the ids of the users in what they coordinate (for
    pages in people that show a coordinator something about those people only)."""
    if check not in _coordinator_checks:
        _coordinator_checks.append(check)
    if names is not None and names not in _coordinated_names:
        _coordinated_names.append(names)
    if people is not None and people not in _coordinated_people:
        _coordinated_people.append(people)


def is_coordinator(user) -> bool:
    """Staff, or a coordinator of at least one programme."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or any(check(user) for check in _coordinator_checks))


def coordinated_names(user) -> list[str]:
    out: list[str] = []
    for names in _coordinated_names:
        out += names(user)
    return sorted(out)


def coordinated_people_q(user, field: str) -> Q:
    """A filter on ``field`` (a foreign key to the user) matching the people ``user``
    coordinates: everyone for staff, no one when nothing is registered."""
    if getattr(user, "is_staff", False):
        return Q()
    q = Q(pk__in=[])
    for people in _coordinated_people:
        q |= Q(**{f"{field}__in": people(user)})
    return q
