"""Private calendar feeds (docs/calendar.md).

A feed is a secret URL. The token in it is an HMAC of the feed's random ``nonce`` under
SECRET_KEY, so the profile page can show it again, and only its SHA-256 is stored and looked up:
the database alone does not give anyone a working feed URL. Resetting draws a new nonce; the old
URL stops at once. Each feed remembers what it last listed (``FeedEntry``), so a changed event
keeps its UID with a higher SEQUENCE and a fresh DTSTAMP, and an event that went away is
published once more as STATUS:CANCELLED.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class CalendarFeed(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    # Empty: the person's own feed. Set: a coordinator's feed of a whole cohort.
    cohort = models.ForeignKey(
        "programmes.Cohort", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(cohort__isnull=True), name="calendar_feed_one_own"
            ),
            models.UniqueConstraint(
                fields=["user", "cohort"],
                condition=Q(cohort__isnull=False),
                name="calendar_feed_one_per_cohort",
            ),
        ]

    def __str__(self):
        return f"Calendar feed of {self.user_id}" + (
            f" for cohort {self.cohort_id}" if self.cohort_id else ""
        )


class FeedEntry(models.Model):
    """One event as a feed last published it."""

    feed = models.ForeignKey(CalendarFeed, on_delete=models.CASCADE, related_name="entries")
    uid = models.CharField(max_length=255)
    content_hash = models.CharField(max_length=64)
    data = models.JSONField(default=dict)  # the event, to publish it once more as cancelled
    sequence = models.PositiveIntegerField(default=0)
    dtstamp = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feed", "uid"], name="feed_entry_unique_uid")
        ]

    def __str__(self):
        return f"{self.uid} (sequence {self.sequence})"
