"""Recruitment: project proposals, the business priorities they serve, and the talent pool.

These models were born in programmes and moved here with their tables: each keeps its old
``db_table`` (``programmes_*``), so existing databases migrate without copying a row
(``migrations/0001_initial.py``). Applications themselves are enrolments (programmes.Enrolment)
with status *invited* or *applied*; recruitment owns the pages and services that move them.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from programmes.models import Enrolment, ManagerDecision, Programme


class BusinessPriority(models.Model):
    """A tag the programme defines, that a project proposal says it serves."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="business_priorities"
    )
    name = models.CharField(max_length=100)

    class Meta:
        db_table = "programmes_businesspriority"
        ordering = ["name"]
        verbose_name_plural = "business priorities"
        constraints = [
            # "Autumn 2026" and "autumn 2026" are one name to the people choosing from a list.
            models.UniqueConstraint(
                "programme",
                Lower("name"),
                name="priority_unique_name",
                violation_error_message=(
                    "This programme already has a business priority with this name."
                ),
            )
        ]

    def __str__(self):
        return self.name


class Project(models.Model):
    """A mentee's work project proposal for a cohort."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="project")
    title = models.CharField(max_length=150)
    description = models.TextField(max_length=5000)
    priorities = models.ManyToManyField(BusinessPriority, blank=True, related_name="projects")
    expected_benefit = models.TextField(max_length=2000, blank=True)
    topics = models.ManyToManyField(
        "people.Skill", blank=True, related_name="+", help_text="Skills the project needs."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "programmes_project"
        ordering = ["title"]

    def __str__(self):
        return self.title


class TalentPoolEntry(models.Model):
    """Someone a programme could invite to a future cohort.

    Alumni of past cohorts are found from their enrolments; these rows are the people who
    registered interest on the public form, and the people a coordinator added by hand.
    """

    class Source(models.TextChoices):
        INTEREST = "interest", "Registered interest"
        ADDED = "added", "Added by a coordinator"
        ALUMNI = "alumni", "Took part before"

    class RoleInterest(models.TextChoices):
        MENTOR = "mentor", "Mentor"
        MENTEE = "mentee", "Mentee"
        EITHER = "either", "Either"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="talent_pool")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True)
    organisation = models.CharField(max_length=120, blank=True)
    role = models.CharField(max_length=6, choices=RoleInterest.choices, default=RoleInterest.EITHER)
    source = models.CharField(max_length=8, choices=Source.choices)
    # The person's note (1,000 characters on the public form) after a coordinator's (1,000).
    note = models.TextField(blank=True, max_length=2500)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "programmes_talentpoolentry"
        ordering = ["-created_at"]
        verbose_name_plural = "talent pool entries"
        constraints = [
            models.UniqueConstraint(fields=["programme", "email"], name="talentpool_unique_email")
        ]

    def __str__(self):
        return f"{self.full_name or self.email} ({self.get_source_display()})"


class SignoffRequest(models.Model):
    """One request to a line manager to approve an application: the address it went to, when,
    and what that address decided.

    The link in the email names this row. It works while the row is the application's current
    request and undecided: naming another address (even switching back to an earlier one)
    makes a new row, so an old link never comes back to life.
    """

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="signoff_requests"
    )
    email = models.EmailField()
    requested_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(
        max_length=8, choices=ManagerDecision.choices, default=ManagerDecision.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["email", "requested_at"], name="signoff_email_requested"),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_decision_display()})"

    @property
    def is_open(self) -> bool:
        return self.decision == ManagerDecision.PENDING and self.superseded_at is None
