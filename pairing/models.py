"""Pairs of a mentor and a mentee in a cohort."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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

    @property
    def cadence_days(self) -> int:
        return self.cohort.programme.checkin_cadence_days

    def next_checkin_due(self, last_met_on: dt.date | None) -> dt.date:
        """When the next meeting is expected: a cadence after the last one, or after the start."""
        return (last_met_on or self.started_on) + dt.timedelta(days=self.cadence_days)

    def involves(self, user) -> bool:
        return user.pk in (self.mentor.user_id, self.mentee.user_id)


class CheckIn(models.Model):
    """A meeting of a pair, logged by either side.

    The notes (what they worked on, next step) are private to the pair unless the author shares
    them with the coordinator; that a meeting happened, its date, rating and wellbeing score are
    always visible to the cohort's coordinators.
    """

    class Format(models.TextChoices):
        VIDEO = "video", "Video call"
        IN_PERSON = "in_person", "In person"
        CALL = "call", "Phone call"

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="checkins")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    met_on = models.DateField("date of the meeting")
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)", validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.VIDEO)
    worked_on = models.TextField("what you worked on", max_length=3000)
    next_step = models.TextField("next step", max_length=1000, blank=True)
    rating = models.PositiveSmallIntegerField(
        "how useful was it (1-5)", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    wellbeing = models.PositiveSmallIntegerField(
        "how are you doing (1-5)", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    protected_time_kept = models.BooleanField("protected learning time kept this week")
    shared_with_coordinator = models.BooleanField(
        "share my notes with the coordinator", default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-met_on", "-created_at"]
        indexes = [models.Index(fields=["pair", "met_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="checkin_rating_1_5"
            ),
            models.CheckConstraint(
                condition=Q(wellbeing__gte=1, wellbeing__lte=5), name="checkin_wellbeing_1_5"
            ),
        ]

    def __str__(self):
        return f"Check-in of {self.pair} on {self.met_on}"


class PairGoal(models.Model):
    """A goal from the mentee's application, with the progress the pair records."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=300)
    progress = models.CharField(
        max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text
