"""Writes for people: accounts and profiles."""

from django.db import transaction

from .models import Profile, User


def profile_get(*, user: User) -> Profile:
    """The person's profile, created empty the first time it is needed."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, user: User, data: dict, interests=None) -> Profile:
    profile = profile_get(user=user)
    for field, value in data.items():
        setattr(profile, field, value)
    profile.full_clean()
    profile.save()
    if interests is not None:
        profile.interests.set(interests)
    return profile


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj=None,
    programme_id: int | None = None,
    summary: str = "",
    request=None,
):
    from .models import AuditEvent

    ip = None
    if request is not None:
        ip = request.META.get("REMOTE_ADDR") or None
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj.__class__.__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        programme_id=programme_id,
        summary=summary[:300],
        ip_address=ip,
    )
