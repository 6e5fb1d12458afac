"""Deleting anything that holds personal data through the Django admin is audited: who, what,
when and from where.

The admin classes live in every app, and new ones are added; so instead of asking each app to
remember, people wraps ``delete_model`` and ``delete_queryset`` of every registered ModelAdmin
whose model the personal-data registry says holds personal data (people/personal_data.py). People
does not import those apps: it walks the admin site's registry once every app is ready.
"""

from __future__ import annotations

from functools import wraps

from lib.audit import AuditContext

from . import personal_data

ACTION = "admin-deleted"
# Admins that already write their own, richer entry (people's user admin audits erasure).
SKIP = {"people.User", "people.AuditEvent"}


def _personal_models() -> set[str]:
    return {
        d.model
        for d in personal_data.declarations()
        if any(kind != personal_data.NOT_PERSONAL for kind in d.fields.values())
    }


def _record(request, model, ids: list, n: int) -> None:
    from .services import audit_record

    shown = ", ".join(f"#{pk}" for pk in ids[:20]) + (" …" if len(ids) > 20 else "")
    audit_record(
        action=ACTION,
        summary=f"deleted {n} {model._meta.verbose_name_plural} ({model._meta.label}) {shown}",
        context=AuditContext.from_request(request),
    )


def _wrap(model_admin) -> None:
    if getattr(model_admin, "_audited_deletions", False):
        return
    model = model_admin.model
    delete_model, delete_queryset = model_admin.delete_model, model_admin.delete_queryset

    @wraps(delete_model)
    def audited_delete_model(request, obj):
        pk = obj.pk
        delete_model(request, obj)
        _record(request, model, [pk], 1)

    @wraps(delete_queryset)
    def audited_delete_queryset(request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        delete_queryset(request, queryset)
        _record(request, model, ids, len(ids))

    model_admin.delete_model = audited_delete_model
    model_admin.delete_queryset = audited_delete_queryset
    model_admin._audited_deletions = True


def audit_admin_deletions(site=None) -> list[str]:
    """Wrap every registered admin of a model with personal data. Returns their labels."""
    from django.contrib import admin

    site = site or admin.site
    personal = _personal_models() - SKIP
    wrapped = []
    for model, model_admin in site._registry.items():
        if model._meta.label in personal:
            _wrap(model_admin)
            wrapped.append(model._meta.label)
    return sorted(wrapped)
