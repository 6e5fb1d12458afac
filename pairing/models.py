"""Pairs of a mentor and a mentee in a cohort."""

from django.db import models
from django.db.models import Q


class PairQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Pair.Status.ACTIVE)

    def for_user(self, user):
        return self.filter(Q(mentor__user=user) | Q(mentee__user=user))


class Pair(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    class EndReason(models.TextChoices):
        COMPLETED = "completed", "Completed the programme"
        MENTEE_LEFT = "mentee_left", "Mentee left"
        MENTOR_LEFT = "mentor_left", "Mentor left"
        POOR_FIT = "poor_fit", "Not a good fit"
        WORKLOAD = "workload", "Workload or time"
        OTHER = "other", "Other"

    cohort = models.ForeignKey("programmes.Cohort", on_delete=models.CASCADE, related_name="pairs")
    mentor = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="pairs_as_mentor"
    )
    mentee = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="pairs_as_mentee"
    )
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=12, choices=EndReason.choices, blank=True)
    end_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PairQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"], condition=Q(status="active"), name="pair_one_active_per_mentee"
            ),
            models.CheckConstraint(
                condition=Q(status="active") | Q(ended_on__isnull=False), name="pair_ended_has_date"
            ),
        ]

    def __str__(self):
        return f"{self.mentor.user.display_name} → {self.mentee.user.display_name}"
