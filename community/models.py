"""A cohort's community: stand-up groups, events with attendance, the opt-in directory and the
show-and-tell summaries of finished projects."""

import datetime as dt
import zoneinfo
from urllib.parse import urlparse

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from people.models import TIME_ZONE_CHOICES
from programmes.models import Cohort, Enrolment

#: What a coordinator sets on a new event (the events page's form); the service adds the rest.
EVENT_FIELDS = (
    "kind",
    "title",
    "group",
    "first_date",
    "start_time",
    "duration_minutes",
    "time_zone",
    "weekly",
    "repeat_until",
    "location",
    "video_url",
    "facilitator",
    "description",
)
#: What a person chooses about their directory listing.
LISTING_FIELDS = ("opted_in", "show_email")
#: What a mentee writes in their show-and-tell; the service decides when it is published.
SUMMARY_FIELDS = ("title", "summary", "outcomes")


class StandupGroup(models.Model):
    """A small mixed group of a cohort's participants who meet every week."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="standup_groups")
    name = models.CharField(max_length=60)
    number = models.PositiveSmallIntegerField(default=1)
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "number"], name="standupgroup_unique_number")
        ]

    def __str__(self):
        return f"{self.name} ({self.cohort})"


class GroupMember(models.Model):
    """One person in one group. One group per person per cohort: the enrolment is unique."""

    group = models.ForeignKey(StandupGroup, on_delete=models.CASCADE, related_name="members")
    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="standup_membership"
    )
    is_facilitator = models.BooleanField(default=False)

    class Meta:
        ordering = ["group", "enrolment__user__full_name"]

    def __str__(self):
        return f"{self.enrolment.user} in {self.group.name}"


class EventKind(models.TextChoices):
    STANDUP = "standup", "Stand-up"
    SHOW_AND_TELL = "show-and-tell", "Show-and-tell"
    HUB_DAY = "hub-day", "Hub day"
    OTHER = "other", "Other session"


EVENT_LENGTH = "An event lasts between 5 and 600 minutes (10 hours)."


class Event(models.Model):
    """A stand-up of one group, or a session for the whole cohort; once or every week.

    Times are wall-clock times in ``time_zone``: a weekly 10:00 stand-up stays at 10:00 across
    the clock change. Occurrences are computed (``community.schedule``), not stored.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="community_events")
    group = models.ForeignKey(
        StandupGroup,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        help_text="Leave empty for a session for the whole cohort.",
    )
    kind = models.CharField(max_length=14, choices=EventKind.choices, default=EventKind.STANDUP)
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True)
    first_date = models.DateField()
    start_time = models.TimeField()
    # The range is the constraint's below too; as validators it is refused on the field, in
    # plain words, not as a constraint's name.
    duration_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[
            MinValueValidator(5, message=EVENT_LENGTH),
            MaxValueValidator(600, message=EVENT_LENGTH),
        ],
    )
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/London")
    weekly = models.BooleanField(default=False, help_text="Repeat every week on the same day.")
    repeat_until = models.DateField(
        null=True, blank=True, help_text="Last possible date of a weekly event."
    )
    location = models.CharField(max_length=200, blank=True)
    video_url = models.URLField("video link", blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Takes attendance; coordinators always can.",
    )
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["first_date", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5) & Q(duration_minutes__lte=600),
                name="event_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(repeat_until__isnull=True)
                | Q(repeat_until__gte=models.F("first_date")),
                name="event_repeat_after_first",
                violation_error_message="A weekly event cannot stop repeating before its first "
                "date: give a later “repeat until” date or leave it empty.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("community:event", args=[self.pk])

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def last_date(self) -> dt.date:
        if not self.weekly:
            return self.first_date
        return self.repeat_until or self.cohort.ends_on

    @property
    def uid(self) -> str:
        """Stable across edits and re-sends, so calendars update the same event."""
        return f"community-event-{self.pk}@{urlparse(settings.SITE_URL).hostname or 'localhost'}"


class Attendance(models.Model):
    """Someone was at one occurrence of an event, by their own word or the facilitator's."""

    class Source(models.TextChoices):
        SELF = "self", "Self-reported"
        FACILITATOR = "facilitator", "Taken by the facilitator"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendance")
    occurrence = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=12, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "occurrence"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "occurrence", "user"], name="attendance_once_per_occurrence"
            )
        ]

    def __str__(self):
        return f"{self.user} at {self.event} on {self.occurrence}"


class DirectoryListing(models.Model):
    """A person's choice to appear in their cohort's directory. No row means not listed."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="directory_listing"
    )
    opted_in = models.BooleanField("list me in the cohort directory", default=False)
    show_email = models.BooleanField("show my email address", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.enrolment.user}: {'listed' if self.opted_in else 'not listed'}"


class ContactMessage(models.Model):
    """A message sent through the directory's relay form: the rate limit and the usage figures."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=120)
    body = models.TextField(max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sender", "created_at"])]

    def __str__(self):
        return f"{self.sender} to {self.recipient.user}: {self.subject}"


class ProjectSummary(models.Model):
    """A mentee's show-and-tell: what the project did and what came of it."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="project_summary"
    )
    title = models.CharField(max_length=150)
    summary = models.TextField(max_length=2000)
    outcomes = models.TextField(
        max_length=1000, blank=True, help_text="E.g. “now rolled out nationally”."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name_plural = "project summaries"

    def __str__(self):
        return self.title

    @property
    def published(self) -> bool:
        return self.published_at is not None
