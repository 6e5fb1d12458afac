"""People exist before any programme: the user account, their profile and the skills taxonomy."""

import datetime as dt
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        Profile.objects.get_or_create(user=user)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


def name_or_address(full_name: str, email: str) -> str:
    """How a person is shown: their name, or without one the whole address (an address's first
    half looks like a name and is not one; sign-up asks for the name, this is for accounts made
    before it did). For rows read with ``values()``; ``User.display_name`` is the same rule."""
    return full_name or email


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address. There are no usernames."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the admin site and sees every programme."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return f"{self.full_name} <{self.email}>" if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def display_name(self) -> str:
        return name_or_address(self.full_name, self.email)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.display_name


class SkillCategory(models.TextChoices):
    DATA = "data", "Data and statistics"
    PROGRAMMING = "programming", "Programming and engineering"
    ML = "ml", "Machine learning and AI"
    DOMAIN = "domain", "Domain knowledge"
    DELIVERY = "delivery", "Delivery and leadership"
    OTHER = "other", "Other"


class Skill(models.Model):
    """An entry in the skills taxonomy. Suggested skills wait for a coordinator's approval."""

    name = models.CharField(max_length=80, unique=True)
    category = models.CharField(
        max_length=20, choices=SkillCategory.choices, default=SkillCategory.OTHER
    )
    description = models.CharField(max_length=200, blank=True)
    approved = models.BooleanField(default=True)
    suggested_by = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["category", "name"]

    def __str__(self):
        return self.name


class Interest(models.Model):
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Grade(models.IntegerChoices):
    """Civil service grades in order of seniority, so a gap between two grades is a number."""

    AA = 1, "Administrative Assistant"
    AO = 2, "Administrative Officer"
    EO = 3, "Executive Officer"
    HEO = 4, "Higher Executive Officer"
    SEO = 5, "Senior Executive Officer"
    G7 = 6, "Grade 7"
    G6 = 7, "Grade 6"
    SCS1 = 8, "Senior Civil Service 1"
    SCS2 = 9, "Senior Civil Service 2"


TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz]


#: What a person may change on their profile page, in the page's order (the profile form's
#: fields but ``interests``; the service's whitelist; name, interests and skills have their own
#: arguments).
PROFILE_FIELDS = (
    "organisation",
    "team",
    "grade",
    "profession",
    "location",
    "time_zone",
    "work_start",
    "work_end",
    "wants_in_person",
    "line_manager_email",
    "bio",
)


class Profile(models.Model):
    """What a person tells every programme about themselves; reused across cohorts."""

    user = models.OneToOneField("people.User", on_delete=models.CASCADE, related_name="profile")
    organisation = models.CharField(max_length=120, blank=True)
    team = models.CharField(max_length=120, blank=True)
    grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    profession = models.CharField(max_length=120, blank=True)
    location = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/London")
    wants_in_person = models.BooleanField(
        "I would like to meet in person",
        default=False,
        help_text="Pairing then prefers someone based in the same location as you.",
    )
    work_start = models.TimeField(
        "usual start of your working day", default=dt.time(9), help_text="In your time zone."
    )
    work_end = models.TimeField(
        "usual end of your working day",
        default=dt.time(17),
        help_text="Pairing prefers people whose working hours overlap yours.",
    )
    line_manager_email = models.EmailField(blank=True)
    bio = models.TextField("short bio", max_length=2000, blank=True)
    interests = models.ManyToManyField(Interest, blank=True, related_name="profiles")
    skills = models.ManyToManyField(Skill, through="ProfileSkill", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Profile of {self.user}"

    def clean(self):
        super().clean()
        if self.work_start is not None and self.work_start == self.work_end:
            raise ValidationError(
                {"work_end": "The end of your working day must differ from its start."}
            )

    @staticmethod
    def hours(value: dt.time | None, default: float) -> float:
        """A time of day as hours (9:30 -> 9.5), for the pairing engine."""
        if value is None:
            return default
        return value.hour + value.minute / 60

    # What a complete profile has, and how the missing part is named to the person.
    COMPLETENESS_ITEMS = [
        ("name", "your full name"),
        ("organisation", "your organisation"),
        ("team", "your team"),
        ("grade", "your grade"),
        ("profession", "your profession"),
        ("location", "your location"),
        ("line_manager_email", "your line manager's email"),
        ("bio", "a short bio"),
        ("interests", "at least one interest"),
        ("teach", "a skill you can teach"),
        ("learn", "a skill you want to learn"),
    ]

    def completeness(
        self, *, skills=None, interest_count=None, directions=None
    ) -> tuple[int, list[str]]:
        """Percentage complete and what is missing, in the order the form asks for it.

        Pass ``skills`` (ProfileSkill rows) or just their ``directions``, and ``interest_count``
        when already loaded to save queries.
        """
        if directions is None:
            if skills is None:
                skills = list(self.profile_skills.all())
            directions = {s.direction for s in skills}
        if interest_count is None:
            interest_count = self.interests.count()
        present = {
            "name": bool(self.user.full_name),
            "organisation": bool(self.organisation),
            "team": bool(self.team),
            "grade": self.grade is not None,
            "profession": bool(self.profession),
            "location": bool(self.location),
            "line_manager_email": bool(self.line_manager_email),
            "bio": bool(self.bio),
            "interests": interest_count > 0,
            "teach": ProfileSkill.Direction.TEACH in directions,
            "learn": ProfileSkill.Direction.LEARN in directions,
        }
        missing = [label for key, label in self.COMPLETENESS_ITEMS if not present[key]]
        done = len(self.COMPLETENESS_ITEMS) - len(missing)
        return round(100 * done / len(self.COMPLETENESS_ITEMS)), missing


class SkillLevel(models.IntegerChoices):
    AWARE = 1, "Aware"
    WORKING = 2, "Working"
    PRACTITIONER = 3, "Practitioner"
    EXPERT = 4, "Expert"


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    MEDIUM = 2, "Medium"
    HIGH = 3, "High"


class ProfileSkill(models.Model):
    """A skill a person can teach, or wants to learn, at a level."""

    class Direction(models.TextChoices):
        TEACH = "teach", "Can teach"
        LEARN = "learn", "Wants to learn"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="profile_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="profile_skills")
    direction = models.CharField(max_length=5, choices=Direction.choices)
    level = models.PositiveSmallIntegerField(choices=SkillLevel.choices, default=SkillLevel.AWARE)
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.MEDIUM, help_text="For skills to learn."
    )

    class Meta:
        ordering = ["direction", "skill__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "skill", "direction"], name="profileskill_unique"
            )
        ]

    def __str__(self):
        return f"{self.get_direction_display()}: {self.skill} ({self.get_level_display()})"


class AuditEvent(models.Model):
    """Who did what, when and from where: exports, decisions, publications, deletions.

    People sit below programmes in the import order, so the event names its target by type and
    id rather than by foreign key. Never put feedback text or passwords in ``summary``.
    """

    actor = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    programme_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.summary}"
