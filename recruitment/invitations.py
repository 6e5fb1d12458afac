"""Bulk invitations, from a CSV file or from the talent pool.

Both ways of inviting people end in :func:`cohort_invite_people`, so a person invited from a CSV
file and one invited from the talent pool get the same account, enrolment and email.

An invitation is an enrolment with status *invited* and an email with a signed link
(:func:`invitation_token`). The link lets a person who has no password yet choose one, which
activates their account; it proves they own the address, so the address is marked verified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from lib import signing
from lib.audit import AuditContext
from lib.csvsafe import read_csv_upload
from lib.urls import absolute_url
from people.models import Grade, Profile, User
from people.services import audit_record, is_erased
from programmes.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Role

from . import emails

INVITE_REQUIRED_COLUMNS = ("email", "name", "role")
INVITE_OPTIONAL_COLUMNS = ("organisation", "grade")
#: Cohorts people can still be invited to.
INVITABLE_STATUSES = (CohortStatus.DRAFT, CohortStatus.RECRUITING)
# The salt names the old app: links already emailed keep working.
INVITATION_SALT = "programmes.invitation"
INVITATION_MAX_AGE_DAYS = 30

Error = tuple[int | None, str]


def invite_max_bytes() -> int:
    return getattr(settings, "INVITE_CSV_MAX_BYTES", 1024 * 1024)


def invite_max_rows() -> int:
    return getattr(settings, "INVITE_CSV_MAX_ROWS", 1000)


@dataclass(frozen=True)
class Invitee:
    """One person to invite: from a CSV row (``line`` set) or from the talent pool."""

    email: str
    name: str
    role: str
    organisation: str = ""
    grade: int | None = None
    line: int | None = None


@dataclass
class InviteResult:
    invited: list[Enrolment] = field(default_factory=list)
    already_enrolled: int = 0
    accounts_created: int = 0

    @property
    def summary(self) -> str:
        """What the coordinator is told. Not how many accounts were created: that would say
        which of the addresses they typed already have an account (docs/privacy.md)."""
        new = len(self.invited)
        parts = [f"{new} {'person' if new == 1 else 'people'} invited"]
        if self.already_enrolled:
            parts.append(f"{self.already_enrolled} already in the cohort, left as they were")
        return "; ".join(parts) + "."


class InviteFileInvalid(Exception):
    """The upload cannot be imported; ``errors`` lists every problem as (line, message)."""

    def __init__(self, errors: list[Error]):
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = errors


# -- CSV parsing and validation ------------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


_GRADES: dict[str, int] = {}
for _grade in Grade:
    _GRADES[_key(_grade.name)] = _grade.value
    _GRADES[_key(_grade.label)] = _grade.value


def parse_grade(text: str) -> int | None:
    """A grade from its code ("HEO", "G7") or its label ("Higher Executive Officer")."""
    return _GRADES.get(_key(text)) if text else None


def _check_cohort(cohort: Cohort) -> None:
    if cohort.status not in INVITABLE_STATUSES:
        raise ValidationError(
            f"People can only be invited to a draft or recruiting cohort; this one is "
            f"{cohort.get_status_display().lower()}."
        )


def invite_csv_parse(*, cohort: Cohort, source: bytes | IO[Any]) -> list[Invitee]:
    """Read and check every row of an invitation file; raise InviteFileInvalid listing all problems.

    Nothing is written. Problems: the file itself (size, not CSV text, missing columns, too many
    rows), a bad email, role or grade, an email twice in the file, and a person already in this
    cohort in the other role.
    """
    rows, errors = read_csv_upload(
        source,
        max_bytes=invite_max_bytes(),
        required_columns=INVITE_REQUIRED_COLUMNS,
        optional_columns=INVITE_OPTIONAL_COLUMNS,
    )
    if len(rows) > invite_max_rows():
        raise InviteFileInvalid(
            [
                (
                    None,
                    f"The file has {len(rows)} rows; the limit is {invite_max_rows()} a file. "
                    "Split it into smaller files.",
                )
            ]
        )
    errors = list(errors)
    invitees: list[Invitee] = []
    first_line: dict[str, int] = {}
    for row in rows:
        values = row.values
        problems = []
        email = values["email"].strip().lower()
        try:
            validate_email(email)
            if len(email) > 254:
                raise ValidationError("too long")
        except ValidationError:
            problems.append(
                f"“{values['email']}” is not a valid email address."
                if email
                else "The email address is missing."
            )
            email = ""
        name = " ".join(values["name"].split())
        if not name:
            problems.append("The name is missing.")
        elif len(name) > 150:
            problems.append("The name is longer than 150 characters.")
        role = values["role"].strip().lower()
        if role not in Role.values:
            problems.append(
                f"The role “{values['role']}” is not one of: mentor, mentee."
                if role
                else "The role is missing; write mentor or mentee."
            )
        organisation = " ".join(values["organisation"].split())
        if len(organisation) > 120:
            problems.append("The organisation is longer than 120 characters.")
        grade = parse_grade(values["grade"])
        if values["grade"] and grade is None:
            problems.append(
                f"The grade “{values['grade']}” is not known; use a code such as "
                f"{', '.join(g.name for g in Grade)} or its full name."
            )
        if email and email in first_line:
            problems.append(f"{email} is already on row {first_line[email]} of this file.")
        elif email:
            first_line[email] = row.line
        if problems:
            errors.extend((row.line, p) for p in problems)
        else:
            invitees.append(Invitee(email, name, role, organisation, grade, row.line))

    # A person already in this cohort in the other role cannot be invited again.
    roles = dict(
        Enrolment.objects.filter(cohort=cohort)
        .annotate(email=Lower("user__email"))
        .filter(email__in=[i.email for i in invitees])
        .values_list("email", "role")
    )
    for invitee in invitees:
        existing = roles.get(invitee.email)
        if existing and existing != invitee.role:
            errors.append(
                (
                    invitee.line,
                    f"{invitee.email} is already in this cohort as a {existing}, "
                    f"so cannot be invited as a {invitee.role}.",
                )
            )
    if errors:
        errors.sort(key=lambda e: (e[0] is not None, e[0] or 0))
        raise InviteFileInvalid(errors)
    return invitees


# -- inviting ------------------------------------------------------------------------------------


def invitation_token(enrolment: Enrolment) -> str:
    return signing.sign(INVITATION_SALT, e=enrolment.pk, u=enrolment.user_id)


def invitation_from_token(token: str) -> Enrolment:
    """The enrolment a link was made for. Raises signing.SignatureExpired / BadSignature, or
    Enrolment.DoesNotExist when the invitation has since been removed."""
    data = signing.unsign(INVITATION_SALT, token, max_age=INVITATION_MAX_AGE_DAYS * 86400)
    enrolment = Enrolment.objects.select_related("user", "cohort", "cohort__programme").get(
        pk=data["e"], user_id=data["u"]
    )
    if is_erased(enrolment.user):
        # An erased account is dead: an old link must not set a password on it and sign in.
        raise Enrolment.DoesNotExist
    return enrolment


def invitation_url(enrolment: Enrolment) -> str:
    return absolute_url(
        reverse("recruitment:invitation_accept", args=[invitation_token(enrolment)])
    )


@transaction.atomic
def cohort_invite_people(
    *,
    ctx: AuditContext,
    cohort: Cohort,
    invitees: list[Invitee],
    source: str = "",
) -> InviteResult:
    """Invite people to a cohort: accounts, enrolments with status invited, emails on commit.

    ``ctx.actor`` is the person inviting (named in the email); None for the system.

    People without an account get an inactive one with no usable password (they choose one
    through the invitation link). Empty profile fields are filled from ``organisation`` and
    ``grade``; nothing a person wrote is overwritten. Anyone already enrolled in the cohort, in
    any role or status, is left as they are and counted in ``already_enrolled``.
    """
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    _check_cohort(cohort)
    result = InviteResult()
    by_email: dict[str, Invitee] = {}
    for invitee in invitees:
        by_email.setdefault(invitee.email.lower(), invitee)
    if not by_email:
        return result

    users = {
        u.lower_email: u
        for u in User.objects.select_related("profile")
        .annotate(lower_email=Lower("email"))
        .filter(lower_email__in=list(by_email))
    }
    enrolled = set(
        Enrolment.objects.filter(cohort=cohort, user__in=list(users.values())).values_list(
            "user_id", flat=True
        )
    )
    now = timezone.now()
    for email, invitee in by_email.items():
        user = users.get(email)
        if user is not None and user.pk in enrolled:
            result.already_enrolled += 1
            continue
        if user is None:
            user = User(email=email, full_name=invitee.name, is_active=False)
            user.set_unusable_password()
            user.full_clean()
            user.save()
            result.accounts_created += 1
        elif not user.full_name:
            user.full_name = invitee.name
            user.save(update_fields=["full_name"])
        _profile_fill(user=user, organisation=invitee.organisation, grade=invitee.grade)
        enrolment = Enrolment(
            user=user,
            cohort=cohort,
            role=invitee.role,
            status=EnrolmentStatus.INVITED,
            invited_at=now,
        )
        enrolment.full_clean(validate_unique=False, validate_constraints=False)
        enrolment.save()
        enrolment.cohort = cohort
        enrolment.user = user
        emails.send_invitation(
            enrolment=enrolment,
            invited_by=ctx.actor,
            url=invitation_url(enrolment),
            max_age_days=INVITATION_MAX_AGE_DAYS,
        )
        result.invited.append(enrolment)

    audit_record(
        action="invite",
        obj=cohort,
        programme_id=cohort.programme_id,
        summary=f"Invited to {cohort.name}{f' from {source}' if source else ''}: {result.summary}",
        context=ctx,
    )
    return result


def _profile_fill(*, user: User, organisation: str, grade: int | None) -> None:
    try:
        profile = user.profile
    except Profile.DoesNotExist:
        profile = Profile(user=user)
    changed = profile.pk is None
    if organisation and not profile.organisation:
        profile.organisation = organisation
        changed = True
    if grade and not profile.grade:
        profile.grade = grade
        changed = True
    if changed:
        profile.full_clean(validate_unique=False, validate_constraints=False)
        profile.save()


@transaction.atomic
def cohort_invite_csv(
    *, ctx: AuditContext, cohort: Cohort, upload: bytes | IO[Any], file_name: str = ""
) -> InviteResult:
    """Invite everyone in a CSV file, or no one: raises InviteFileInvalid with every problem."""
    _check_cohort(cohort)
    invitees = invite_csv_parse(cohort=cohort, source=upload)
    return cohort_invite_people(
        ctx=ctx,
        cohort=cohort,
        invitees=invitees,
        source=f"CSV file “{file_name}”" if file_name else "a CSV file",
    )


@transaction.atomic
def invitation_accept(*, enrolment: Enrolment, password: str) -> User:
    """Activate an invited person's account with the password they chose.

    Only for an account that has never had a password: a deactivated account is not revived
    by an old invitation link.
    """
    user = User.objects.select_for_update().get(pk=enrolment.user_id)
    if user.is_active or user.has_usable_password():
        raise ValidationError("This account already has a password. Sign in instead.")
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email}
    )
    if not address.verified or not address.primary:
        EmailAddress.objects.filter(user=user).exclude(pk=address.pk).update(primary=False)
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])
    return user
