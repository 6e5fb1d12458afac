"""The outbox: every email the application sends is first a row here.

A row is written in the same transaction as the change that causes it, with a unique
idempotency key, and the sending task is queued on commit. The task claims the row with a
conditional UPDATE (pending -> sending) before it talks to the mail server, so a retried,
redelivered or duplicated task never sends the same row twice. See docs/email.md.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class EmailQuerySet(models.QuerySet):
    def due(self, now=None):
        """Pending rows whose next attempt time has come."""
        return self.filter(status=Email.Status.PENDING, next_attempt_at__lte=now or timezone.now())


class DeliveryStatus(models.TextChoices):
    """What GOV.UK Notify's delivery-receipt callback says happened after Notify took the email."""

    DELIVERED = "delivered", "Delivered"
    PERMANENT_FAILURE = "permanent-failure", "Permanent failure"
    TEMPORARY_FAILURE = "temporary-failure", "Temporary failure"
    TECHNICAL_FAILURE = "technical-failure", "Technical failure"


class Email(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    to = models.EmailField("recipient", max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )
    kind = models.CharField(max_length=64, db_index=True)
    template = models.CharField(max_length=100)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # A list of {"filename": ..., "content": <text>, "mimetype": ...}, e.g. .ics invitations.
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    # GOV.UK Notify (docs/email.md): Notify's id for the notification and the last delivery
    # receipt its callback reported. Empty for SMTP.
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    delivery_status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, blank=True, default=""
    )
    delivery_status_at = models.DateTimeField(null=True, blank=True)
    # What the email is about, as ids ({"cohort": 3, "pair": 12}): written by the app that
    # enqueued it, read by that app's "still wanted?" checks (notifications/wanted.py) and the
    # coordinator's schedule page. Opaque to the outbox.
    refs = models.JSONField(default=dict, blank=True)
    # The recipient's send window (notifications/windows.py): a retry or a late claim never
    # sends outside working hours in this time zone, at weekends or on these bank holidays.
    # Empty: no window (account emails, local demos).
    time_zone = models.CharField(max_length=64, blank=True, default="")
    holidays = models.CharField(max_length=20, blank=True, default="")

    objects = EmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_status_next_idx")]

    def __str__(self):
        return f"{self.kind} to {self.to}: {self.subject}"


class EmailPreference(models.Model):
    """A person's choice for one optional kind of email. No row means the kind is on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(max_length=64)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_preference_unique_kind")
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {'on' if self.enabled else 'off'}"


class UndeliverableAddress(models.Model):
    """An address GOV.UK Notify reported as a permanent failure (it does not exist, or the
    mailbox refuses mail). Optional emails to it stop until the person changes their address
    (the row no longer matches) or confirms it (the row is deleted)."""

    address = models.EmailField(max_length=254, unique=True)  # stored lower-cased
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="undeliverable_addresses",
    )
    email = models.ForeignKey(Email, null=True, blank=True, on_delete=models.SET_NULL)
    reported_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.address} (undeliverable since {self.reported_at:%Y-%m-%d})"
