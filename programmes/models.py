"""Programmes, their cohorts and the people enrolled in each cohort."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

#: What a coordinator may set on a programme (the rest is the admin's or the system's).
PROGRAMME_FIELDS = [
    "name",
    "slug",
    "organisation",
    "description",
    "checkin_cadence_days",
    "length_weeks",
    "requires_manager_signoff",
    "duplicate_threshold",
]
#: What a coordinator may set on a cohort; its status moves only through cohort_change_status.
COHORT_FIELDS = [
    "name",
    "applications_open",
    "applications_close",
    "starts_on",
    "ends_on",
    "capacity",
]


class ProgrammeQuerySet(models.QuerySet):
    def coordinated_by(self, user):
        """Programmes the user may manage: all for staff, their own for coordinators."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(coordinators=user)


class Programme(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, max_length=5000)
    organisation = models.CharField(max_length=120, help_text="The organisation that runs it.")
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coordinated_programmes"
    )
    checkin_cadence_days = models.PositiveSmallIntegerField(
        "check-in cadence (days)", default=14, help_text="How often pairs are expected to meet."
    )
    length_weeks = models.PositiveSmallIntegerField("default length (weeks)", default=12)
    requires_manager_signoff = models.BooleanField(
        "line-manager sign-off",
        default=False,
        help_text="Ask each applicant's line manager to approve the application by email.",
    )
    duplicate_threshold = models.FloatField(
        "duplicate-project threshold",
        default=0.35,
        help_text="How similar (0 to 1) two project proposals must be to be flagged.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(checkin_cadence_days__gte=1), name="programme_cadence_positive"
            ),
            models.CheckConstraint(condition=Q(length_weeks__gte=1), name="programme_length_pos"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programmes:detail", args=[self.slug])


class CohortStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RECRUITING = "recruiting", "Recruiting"
    MATCHING = "matching", "Matching"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


# The only moves a cohort can make. Going back one step is allowed where it is safe
# (re-open recruiting during matching), never out of running or finished.
COHORT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    CohortStatus.DRAFT: (CohortStatus.RECRUITING,),
    CohortStatus.RECRUITING: (CohortStatus.MATCHING, CohortStatus.DRAFT),
    CohortStatus.MATCHING: (CohortStatus.RUNNING, CohortStatus.RECRUITING),
    CohortStatus.RUNNING: (CohortStatus.FINISHED,),
    CohortStatus.FINISHED: (),
}


class CohortQuerySet(models.QuerySet):
    def coordinated_by(self, user):
        return self.filter(programme__in=Programme.objects.coordinated_by(user))


class Cohort(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=120)
    applications_open = models.DateField(null=True, blank=True)
    applications_close = models.DateField(null=True, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    capacity = models.PositiveIntegerField(
        default=30, help_text="The largest number of mentees this cohort takes."
    )
    status = models.CharField(
        max_length=12, choices=CohortStatus.choices, default=CohortStatus.DRAFT, editable=False
    )
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "-starts_on"]
        constraints = [
            # "Autumn 2026" and "autumn 2026" are one name to the people choosing from a list.
            models.UniqueConstraint(
                "programme",
                Lower("name"),
                name="cohort_name_unique",
                violation_error_message=(
                    "This programme already has a cohort with this name: choose another name."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="cohort_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.programme.name}: {self.name}"

    def get_absolute_url(self):
        return reverse("programmes:cohort_detail", args=[self.programme.slug, self.pk])

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = "The cohort must end after it starts."
        opens, closes = self.applications_open, self.applications_close
        if opens and closes and closes < opens:
            errors["applications_close"] = "Applications must close after they open."
        if self.applications_close and self.starts_on and self.applications_close > self.starts_on:
            errors["applications_close"] = "Applications must close before the cohort starts."
        if errors:
            raise ValidationError(errors)

    @property
    def allowed_transitions(self) -> tuple[str, ...]:
        return COHORT_TRANSITIONS[self.status]

    def can_transition_to(self, status: str) -> bool:
        return status in self.allowed_transitions

    @property
    def is_starting(self) -> bool:
        """Pairs are published (the cohort is running) but its start date is still ahead."""
        return self.status == CohortStatus.RUNNING and timezone.localdate() < self.starts_on

    @property
    def days_to_start(self) -> int:
        """Days until the cohort starts; 0 once it has (never a negative count)."""
        return max(0, (self.starts_on - timezone.localdate()).days)

    @property
    def status_label(self) -> str:
        """The status in words: a running cohort whose start date is ahead is "Starting"."""
        return "Starting" if self.is_starting else self.get_status_display()

    @property
    def is_open_for_applications(self) -> bool:
        if self.status != CohortStatus.RECRUITING:
            return False
        today = timezone.localdate()
        if today >= self.starts_on:
            return False  # a cohort that has started (or is dated in the past) takes nobody new
        if self.applications_open and today < self.applications_open:
            return False
        return not (self.applications_close and today > self.applications_close)


class Role(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"


class EnrolmentStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    APPLIED = "applied", "Applied"
    ACCEPTED = "accepted", "Accepted"
    WAITLISTED = "waitlisted", "Waitlisted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ManagerDecision(models.TextChoices):
    PENDING = "pending", "Waiting for the line manager"
    APPROVED = "approved", "Approved by the line manager"
    DECLINED = "declined", "Declined by the line manager"


def taking_a_place(role: str, *, through: str = "") -> Q:
    """Who counts against a cohort: its *accepted* people in ``role`` (invited, applied,
    waitlisted, declined and withdrawn people take no place). The one definition behind the
    cohort page's places left and the programme page's counts; ``through`` is the path from the
    model queried, e.g. ``"enrolments__"`` from a cohort."""
    return Q(**{f"{through}role": role, f"{through}status": EnrolmentStatus.ACCEPTED})


class EnrolmentQuerySet(models.QuerySet):
    def mentors(self):
        return self.filter(role=Role.MENTOR)

    def mentees(self):
        return self.filter(role=Role.MENTEE)

    def accepted(self):
        return self.filter(status=EnrolmentStatus.ACCEPTED)

    def for_user(self, user):
        return self.filter(user=user)


class Enrolment(models.Model):
    """One person in one cohort, as a mentor or as a mentee."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    role = models.CharField(max_length=6, choices=Role.choices)
    status = models.CharField(
        max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.APPLIED
    )
    capacity = models.PositiveSmallIntegerField(
        default=1, help_text="For mentors: how many mentees they can take."
    )
    goals = models.TextField(
        blank=True, max_length=3000, help_text="What the person wants from the programme."
    )
    # Mentors: what they offer to help with, and when.
    topics = models.ManyToManyField("people.Skill", blank=True, related_name="+")
    availability = models.CharField(max_length=300, blank=True)
    # Coordinators only: never shown to the applicant.
    coordinator_notes = models.TextField(blank=True, max_length=5000)
    applied_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField(null=True, blank=True)
    # Optional line-manager sign-off, through a signed link sent to the manager.
    manager_email = models.EmailField(blank=True)
    manager_decision = models.CharField(
        max_length=8, choices=ManagerDecision.choices, blank=True, default=""
    )
    manager_decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "cohort"], name="enrolment_one_per_cohort"),
            models.CheckConstraint(condition=Q(capacity__lte=20), name="enrolment_capacity_max"),
        ]
        indexes = [models.Index(fields=["cohort", "role", "status"])]

    def __str__(self):
        return f"{self.user} as {self.get_role_display().lower()} in {self.cohort}"


class EnrolmentMove(models.Model):
    """One move of a person in a cohort (programmes/lifecycle.py), in order: who made it, from
    which status to which, and why. An undo goes back to the ``from_status`` of the withdrawal
    or decline it undoes; each move that emails the person is keyed on this row, so a second
    acceptance after a waitlisting is a second email."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="moves")
    move = models.CharField(max_length=10)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    reason = models.TextField(blank=True, max_length=2000)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["enrolment", "created_at"])]

    def __str__(self):
        return f"{self.enrolment_id}: {self.move} {self.from_status} -> {self.to_status}"
