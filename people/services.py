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
