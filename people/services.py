"""Writes for people: accounts and profiles."""

from django.db import transaction

from .models import Profile, Skill, User


def profile_get(*, user: User) -> Profile:
    """The person's profile, created empty the first time it is needed."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(
    *, user: User, data: dict, interests=None, full_name: str | None = None, skill_formsets=()
) -> Profile:
    """Save the profile, its interests and the skill lists together, or nothing."""
    profile = profile_get(user=user)
    for field, value in data.items():
        setattr(profile, field, value)
    profile.full_clean()
    profile.save()
    if interests is not None:
        profile.interests.set(interests)
    if full_name is not None and full_name != user.full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    for formset in skill_formsets:
        for form in formset.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            if formset.can_delete and formset._should_delete_form(form):
                if form.instance.pk:
                    form.instance.delete()
                continue
            if form.cleaned_data.get("skill") is None:
                if form.instance.pk:
                    form.instance.delete()
                continue
            row = form.save(commit=False)
            row.profile = profile
            row.direction = formset.direction
            row.full_clean()
            row.save()
    return profile


@transaction.atomic
def skill_suggest(*, user: User, name: str, category: str) -> Skill:
    """A new skill, usable by the person who suggested it until a coordinator approves it."""
    skill = Skill(name=name, category=category, approved=False, suggested_by=user)
    skill.full_clean()
    skill.save()
    return skill


@transaction.atomic
def skill_suggestions_decide(*, actor: User, approve=(), reject=()) -> tuple[int, int]:
    """Approve suggested skills for everyone, or remove them (and their uses)."""
    approved = Skill.objects.filter(pk__in=approve, approved=False).update(approved=True)
    to_reject = Skill.objects.filter(pk__in=reject, approved=False)
    rejected = to_reject.count()
    to_reject.delete()
    if approved or rejected:
        audit_record(
            actor=actor,
            action="skills-reviewed",
            summary=f"approved {approved}, rejected {rejected} suggested skills",
        )
    return approved, rejected


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
