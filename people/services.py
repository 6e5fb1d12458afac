"""Writes for people: accounts and profiles."""

import uuid

from django.db import transaction

from lib.audit import AuditContext
from lib.models import model_update

from .models import PROFILE_FIELDS, Profile, Skill, User


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
    model_update(instance=profile, fields=PROFILE_FIELDS, data=data, save=False)
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
    """Approve suggested skills for everyone, or remove them (and their uses). Only the
    suggestions ``actor`` may decide count (people.selectors.skill_suggestions_for): the
    others' ids are ignored."""
    from .selectors import skill_suggestions_for

    mine = set(skill_suggestions_for(actor).values_list("pk", flat=True))
    approve = [int(pk) for pk in approve if str(pk).isdigit() and int(pk) in mine]
    reject = [int(pk) for pk in reject if str(pk).isdigit() and int(pk) in mine]
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
    actor: User | None = None,
    action: str,
    obj=None,
    programme_id: int | None = None,
    summary: str = "",
    context: AuditContext | None = None,
):
    """One audit entry. Services pass the ``AuditContext`` their view built (actor and IP);
    ``actor`` alone is enough for work with no request (tasks, commands)."""
    from .models import AuditEvent

    if actor is None and context is not None:
        actor = context.actor
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj.__class__.__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        programme_id=programme_id,
        summary=summary[:300],
        ip_address=context.ip if context is not None else None,
    )


# --- Personal-data rights -----------------------------------------------------------------------


def erased_email(user: User) -> str:
    return f"erased-{user.pk}@invalid"


def is_erased(user: User) -> bool:
    return user.email == erased_email(user)


@transaction.atomic
def stand_in_create(*, like: User) -> User:
    """A new anonymised account (``erased-<id>@invalid``, no name, cannot sign in) to stand in
    for a person in rows whose link to them is removed (retention, programmes/retention.py).
    It keeps only their grade, as an erased account does, so figures by grade stay right."""
    stand_in = User(email=f"stand-in-{uuid.uuid4().hex}@invalid", is_active=False)
    stand_in.set_unusable_password()
    stand_in.save()
    stand_in.email = erased_email(stand_in)
    User.objects.filter(pk=stand_in.pk).update(email=stand_in.email)
    grade = Profile.objects.filter(user=like).values_list("grade", flat=True).first()
    Profile.objects.update_or_create(user=stand_in, defaults={"grade": grade})
    return stand_in


@transaction.atomic
def person_erase(
    *, user: User, actor: User | None = None, ctx: AuditContext | None = None, reason: str = ""
) -> dict:
    """Remove or anonymise a person's identity and free text everywhere, keep the rows figures
    are counted from (enrolments, pairs, check-in ratings, survey scores) attached to an
    anonymised account ``erased-<id>@invalid``. Idempotent. Returns counts per kind of data.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    from notifications.personal_data import personal_data_erase as outbox_erase

    from . import personal_data
    from .models import AuditEvent

    user = User.objects.select_for_update().get(pk=user.pk)
    if is_erased(user):
        return {}
    erasure = personal_data.Erasure(user=user, old_email=user.email, old_name=user.full_name)

    user.email = erased_email(user)
    user.full_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()  # also ends every session (the session hash changes)
    user.save()
    user.groups.clear()
    user.user_permissions.clear()

    profile = profile_get(user=user)
    Profile.objects.filter(pk=profile.pk).update(
        organisation="",
        team="",
        profession="",
        location="",
        line_manager_email="",
        bio="",
    )
    profile.interests.clear()
    erasure.count("skills", profile.profile_skills.all().delete()[0])
    erasure.count("email_addresses", EmailAddress.objects.filter(user=user).delete()[0])
    erasure.count("authenticators", Authenticator.objects.filter(user=user).delete()[0])
    erasure.count("single_sign_on", SocialAccount.objects.filter(user=user).delete()[0])

    personal_data.erase_sections(erasure)
    erasure.count(
        "emails", outbox_erase(user=user, old_email=erasure.old_email, new_email=user.email)
    )
    # Where the person signed in from is personal data too.
    AuditEvent.objects.filter(actor=user).update(ip_address=None)
    personal_data.scrub_mentions(erasure)
    audit_record(
        actor=actor,
        action="person-erased",
        obj=user,
        summary=personal_data.scrub_text(
            f"erased account #{user.pk}" + (f": {reason}" if reason else ""), erasure
        ),
        context=ctx,
    )
    return erasure.counts
