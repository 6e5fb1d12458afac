"""What a programme configures about its automated emails, and what a coordinator paused."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

DEFAULT_SUPPORT_INFORMATION = (
    "If things are hard at the moment, you do not have to carry it alone. Your line manager, "
    "your organisation's employee assistance programme and your wellbeing network are there "
    "to help, and your programme coordinator is happy to talk, in confidence."
)

#: What a coordinator may change on the reminders page (the form's fields); anything else in the
#: service's ``data`` is refused.
SETTINGS_FIELDS = (
    "survey_reminder_first_days",
    "survey_reminder_second_days",
    "support_information",
    "bank_holidays",
)


class RhythmSettings(models.Model):
    """One programme's settings for the reminder emails. No row means the defaults."""

    class Division(models.TextChoices):
        ENGLAND_AND_WALES = "england-and-wales", "England and Wales"
        SCOTLAND = "scotland", "Scotland"
        NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="rhythm_settings"
    )
    survey_reminder_first_days = models.PositiveSmallIntegerField(
        "first survey reminder (days after the invitation)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    survey_reminder_second_days = models.PositiveSmallIntegerField(
        "second survey reminder (days after the invitation)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    support_information = models.TextField(
        default=DEFAULT_SUPPORT_INFORMATION,
        max_length=2000,
        help_text="Sent to a participant who reports low wellbeing (2 or less) in a check-in.",
    )
    bank_holidays = models.CharField(
        "bank holidays of",
        max_length=20,
        choices=Division.choices,
        default=Division.ENGLAND_AND_WALES,
        help_text="No reminder is sent on these bank holidays.",
    )

    class Meta:
        verbose_name = "rhythm settings"
        verbose_name_plural = "rhythm settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(survey_reminder_second_days__gt=F("survey_reminder_first_days")),
                name="rhythm_second_reminder_after_first",
            )
        ]

    def __str__(self):
        return f"Rhythm settings of {self.programme}"


class PausedKind(models.Model):
    """A kind of automated email a coordinator stopped for one cohort."""

    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="paused_email_kinds"
    )
    kind = models.CharField(max_length=64)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "kind"]
        constraints = [models.UniqueConstraint(fields=["cohort", "kind"], name="pausedkind_unique")]

    def __str__(self):
        return f"{self.kind} paused for {self.cohort}"
