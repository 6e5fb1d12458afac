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


# "Coordinate" in every page's menu (mentorship.context_processors.site): whether the person
# coordinates anything or may create a programme. Three queries for someone who does neither, on
# every page, so the answer is kept in the shared cache for a couple of minutes. Programmes
# forgets it the moment someone is added to or removed from a programme's coordinators
# (programmes/apps.py), people the moment a permission is given or taken away, directly or
# through a group (people/receivers.py); staff status is read from the user on each request.
# The menu link only: every coordinator page checks access itself, on every request.
MENU_CACHE_SECONDS = 120


def _menu_key(user_id) -> str:
    return f"roles:coordinate-menu:{user_id}"


def shows_coordinate_menu(user) -> bool:
    """Staff, a coordinator of a programme, or someone allowed to create one (cached)."""
    from django.core.cache import cache

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    key = _menu_key(user.pk)
    shown = cache.get(key)
    if shown is None:
        shown = is_coordinator(user) or user.has_perm("programmes.add_programme")
        cache.set(key, shown, MENU_CACHE_SECONDS)
    return shown


def forget_coordinate_menu(user_ids) -> None:
    """The people whose coordinator role changed: ask again at their next page."""
    from django.core.cache import cache

    keys = [_menu_key(pk) for pk in user_ids]
    if keys:
        cache.delete_many(keys)


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
