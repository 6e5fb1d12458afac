"""Model helpers that know no domain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


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
