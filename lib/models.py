"""Model helpers that know no domain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import models


def model_update(*, instance, fields: Iterable[str], data: Mapping, save: bool = True) -> list[str]:
    """Set only the whitelisted ``fields`` that appear in ``data``; save only what changed.

    Services use this instead of an open ``setattr`` loop, so a form or a caller can never write a
    field the service did not name. Returns the names of the fields that changed.
    """
    allowed = list(fields)
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"Fields not allowed here: {', '.join(sorted(unknown))}")
    changed = []
    for name in allowed:
        if name not in data:
            continue
        if instance._meta.get_field(name).many_to_many:
            raise ValueError(f"{name} is many-to-many: set it in the service, not here")
        if getattr(instance, name) != data[name]:
            setattr(instance, name, data[name])
            changed.append(name)
    if save and changed:
        instance.save(update_fields=changed)
    return changed


class UsedFormToken(models.Model):
    """A one-time form token that was used, with what the submission did (``lib.once``).

    Holds no personal data: the token is random, the address points at a page by its numbers,
    and the message says what happened without naming anyone (``lib.once.Done``).
    """

    token = models.CharField(max_length=64, unique=True)
    url = models.CharField(max_length=500, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return self.token[:8]
