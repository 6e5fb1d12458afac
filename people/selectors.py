"""Reads for people."""

import re

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from notifications.personal_data import personal_data_export as outbox_export

from . import personal_data
from .models import AuditEvent, ProfileSkill, Skill, User
from .roles import coordinated_names, coordinated_people_q


def profile_percent(*, user) -> int:
    """How complete the person's profile is (``Profile.completeness``), 0 without a profile: one
    query, where loading the profile, its skills and its interests took three."""
    from .models import Profile

    def skills(direction):
        return Exists(ProfileSkill.objects.filter(profile=OuterRef("pk"), direction=direction))

    interests = Profile.interests.through.objects.filter(profile=OuterRef("pk"))
    profile = (
        Profile.objects.filter(user=user)
        .annotate(
            has_teach=skills(ProfileSkill.Direction.TEACH),
            has_learn=skills(ProfileSkill.Direction.LEARN),
            has_interests=Exists(interests),
        )
        .first()
    )
    if profile is None:
        return 0
    profile.user = user
    directions = {
        direction
        for direction, present in (
            (ProfileSkill.Direction.TEACH, profile.has_teach),
            (ProfileSkill.Direction.LEARN, profile.has_learn),
        )
        if present
    }
    return profile.completeness(directions=directions, interest_count=int(profile.has_interests))[0]


def skill_suggestions_for(user):
    """Suggested skills waiting for a decision that ``user`` may see and decide: those suggested
    by people in a programme they coordinate (all for staff). Two queries with the uses."""
    return (
        Skill.objects.filter(approved=False)
        .filter(coordinated_people_q(user, "suggested_by"))
        .select_related("suggested_by")
        .annotate(uses=Count("profile_skills"))
        .order_by("name")
    )


def skills_waiting_count() -> int:
    """How many skills participants suggested that wait for a coordinator (one query)."""
    from .models import Skill

    return Skill.objects.filter(approved=False).count()


def _iso(value):
    return value.isoformat() if value else None


def audit_events_about(user: User):
    """Events the person caused, events whose object is their account, and events that name
    them (summaries name people by email address, e.g. a decision or a failed sign-in).

    An address is matched as a whole address, never as a substring: ``e@example.com`` must not
    receive ``mike@example.com``'s failed sign-in and the IP address it came from.
    """
    return AuditEvent.objects.filter(
        Q(actor=user)
        | Q(object_type="User", object_id=str(user.pk))
        | Q(summary__iregex=whole_address_pattern(user.email))
    ).order_by("created_at", "pk")


# Characters that may stand next to an address inside a longer one (RFC 5322 atext, dots, hosts).
_ADDRESS_CHARS = r"A-Za-z0-9.!#$%&'*+/=?^_`{|}~@-"


def whole_address_pattern(email: str) -> str:
    """A regular expression that finds ``email`` only where it stands as a whole address."""
    return rf"(^|[^{_ADDRESS_CHARS}]){re.escape(email)}($|[^{_ADDRESS_CHARS}])"


def person_data_export(*, user: User) -> dict:
    """Everything held about a person, as JSON-ready data (the "download my data" file)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    profile = getattr(user, "profile", None)
    data = {
        "exported_at": timezone.now().isoformat(),
        "user": {
            "email": user.email,
            "full_name": user.full_name,
            "is_staff": user.is_staff,
            "is_active": user.is_active,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user=user)
            ],
            # Which second factors exist; never their secrets.
            "authenticators": [
                {"type": a.type, "created_at": _iso(a.created_at)}
                for a in Authenticator.objects.filter(user=user)
            ],
            "single_sign_on": [
                {"provider": s.provider, "uid": s.uid, "date_joined": _iso(s.date_joined)}
                for s in SocialAccount.objects.filter(user=user)
            ],
            "coordinates": coordinated_names(user),
        },
        "profile": None,
        "skills": [],
        "interests": [],
    }
    if profile is not None:
        data["profile"] = {
            "organisation": profile.organisation,
            "team": profile.team,
            "grade": profile.get_grade_display() if profile.grade else None,
            "profession": profile.profession,
            "location": profile.location,
            "time_zone": profile.time_zone,
            "wants_in_person": profile.wants_in_person,
            "work_start": profile.work_start.strftime("%H:%M") if profile.work_start else None,
            "work_end": profile.work_end.strftime("%H:%M") if profile.work_end else None,
            "line_manager_email": profile.line_manager_email,
            "bio": profile.bio,
            "updated_at": _iso(profile.updated_at),
        }
        data["skills"] = [
            {
                "skill": s.skill.name,
                "direction": s.direction,
                "level": s.get_level_display(),
                "priority": s.get_priority_display(),
            }
            for s in ProfileSkill.objects.filter(profile=profile).select_related("skill")
        ]
        data["interests"] = sorted(profile.interests.values_list("name", flat=True))
    data.update(personal_data.export_sections(user))
    data.update(outbox_export(user=user, email=user.email))
    data["audit_events"] = [
        {
            "when": _iso(e.created_at),
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "summary": e.summary,
            "ip_address": e.ip_address,
        }
        for e in audit_events_about(user)
    ]
    return data
