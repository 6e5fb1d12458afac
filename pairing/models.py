"""Pairs of a mentor and a mentee in a cohort."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from people.models import Grade

from . import cadence


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
    end_note = models.TextField(blank=True, max_length=2000)
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
        """When the next meeting is expected (see pairing/cadence.py)."""
        return cadence.next_due(
            started_on=self.started_on, last_met_on=last_met_on, cadence_days=self.cadence_days
        )

    def cadence_status(self, last_met_on: dt.date | None, today: dt.date) -> cadence.CadenceStatus:
        """Next expected check-in, days since the last one, overdue (see pairing/cadence.py)."""
        return cadence.status(
            started_on=self.started_on,
            last_met_on=last_met_on,
            cadence_days=self.cadence_days,
            active=self.status == self.Status.ACTIVE,
            today=today,
        )

    def involves(self, user) -> bool:
        return user.pk in (self.mentor.user_id, self.mentee.user_id)

    @property
    def is_starting(self) -> bool:
        """Published, but the cohort's start date (the pair's) is still ahead."""
        return timezone.localdate() < self.started_on

    @property
    def paired_on(self) -> dt.date:
        """The day the pair was made (published or paired by hand)."""
        return timezone.localdate(self.created_at) if self.created_at else self.started_on

    @property
    def earliest_meeting(self) -> dt.date:
        """The first day a meeting can be logged: the pair may meet (an introduction) as soon as
        it is made, before the cohort starts."""
        return min(self.started_on, self.paired_on)


# What a participant may write about a meeting (the check-in form's fields); anything else in a
# service's ``data`` is refused.
CHECKIN_FIELDS = (
    "met_on",
    "duration_minutes",
    "format",
    "worked_on",
    "next_step",
    "rating",
    "wellbeing",
    "protected_time_kept",
    "shared_with_coordinator",
)
# The pairing rules a coordinator may change (the settings form's model fields; the weights are
# passed on their own).
SETTINGS_FIELDS = (
    "min_grade_gap",
    "max_grade_gap",
    "forbid_same_team",
    "forbid_same_organisation",
    "allow_previous_pairs",
    "choice_mode",
)
# How long the author of a check-in may correct or delete it, in days after logging it.
CHECKIN_CORRECTION_DAYS = 14
# A check-in's constraints that only repeat a field's validators (CheckIn.validate_constraints).
FIELD_RANGES = {"checkin_rating_1_5", "checkin_wellbeing_1_5"}


CHECKIN_LENGTH = "A check-in lasts between 5 and 600 minutes (10 hours)."


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
        "duration (minutes)",
        validators=[
            MinValueValidator(5, message=CHECKIN_LENGTH),
            MaxValueValidator(600, message=CHECKIN_LENGTH),
        ],
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

    def validate_constraints(self, exclude=None):
        """The range constraints are rating's and wellbeing's own validators (1 to 5), which
        ``clean_fields`` checks in Python with a message for the field; Django would check each
        again with a query and two savepoints whenever the service validates a check-in (once
        a POST: the form is no ModelForm). The database still enforces them on every write.
        Any other constraint is validated."""
        if any(c.name not in FIELD_RANGES for c in self._meta.constraints):
            super().validate_constraints(exclude=exclude)

    def correctable_until(self) -> dt.date:
        """The last day its author may still correct or delete it."""
        return timezone.localdate(self.created_at) + dt.timedelta(days=CHECKIN_CORRECTION_DAYS)

    def can_be_corrected_by(self, user, today: dt.date | None = None) -> bool:
        """Only its author, and only for CHECKIN_CORRECTION_DAYS after logging it."""
        today = today or timezone.localdate()
        return (
            user is not None
            and self.author_id is not None
            and self.author_id == user.pk
            and today <= self.correctable_until()
        )


class CheckInSummary(models.Model):
    """What a pair's check-ins add up to, one row per pair that has any: kept by
    :mod:`pairing.engagement` in the same transaction as every change to its check-ins.

    The dashboards read their undated figures from these rows (a national cohort's 300,000
    check-ins are not read again on every computation); a date filter reads the check-ins
    themselves. A pair without a row has no check-ins.
    """

    pair = models.OneToOneField(
        Pair, primary_key=True, on_delete=models.CASCADE, related_name="checkin_summary"
    )
    checkins = models.PositiveIntegerField(default=0)
    # The sum of their wellbeing scores: a cohort's mean wellbeing is the sum of its pairs'
    # totals over the sum of their check-ins (insights/selectors/dashboards.py).
    wellbeing_total = models.PositiveIntegerField(default=0)
    first_met = models.DateField(null=True, blank=True)
    last_met = models.DateField(null=True, blank=True)
    # The at-risk rule's scores (pairing/risk.py), latest first, one digit each: the pair's
    # ratings, then each author's wellbeing, "/" between the groups ("543/21/345").
    scores = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "check-in summary"
        verbose_name_plural = "check-in summaries"

    def __str__(self):
        return f"Check-ins of pair {self.pair_id}: {self.checkins}"


def _logged(field, value):
    """A value from the change log as the field's type: a date back from its ISO text."""
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


class CheckInChange(models.Model):
    """The change log of check-ins: each correction or deletion, with the values before and after.

    Kept when the check-in itself is deleted (``checkin`` becomes empty, ``pair`` stays), so a
    coordinator can see that a wellbeing score was corrected and by whom.
    """

    class Action(models.TextChoices):
        CORRECTED = "corrected", "Corrected"
        DELETED = "deleted", "Deleted"

    checkin = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="checkin_changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    # Field name -> value, only the fields that changed (all of them for a deletion).
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} check-in {self.checkin_id} of pair {self.pair_id}"

    # The notes stay private to the pair, so the log only says that they changed.
    PRIVATE_FIELDS = ("worked_on", "next_step")

    def items(self, *, hide=()) -> list[tuple[str, object, object]]:
        """(field label, before, after) for each field the log records, the notes and the
        fields in ``hide`` left out; a date as a date (the log keeps it as ISO text)."""
        names = self.after if self.action == self.Action.CORRECTED else self.before
        rows = []
        for name in names:
            if name in self.PRIVATE_FIELDS or name in hide:
                continue
            field = CheckIn._meta.get_field(name)
            rows.append(
                (
                    field.verbose_name,
                    _logged(field, self.before.get(name)),
                    _logged(field, self.after.get(name)),
                )
            )
        return rows

    @property
    def met_on(self) -> dt.date | None:
        """The date of the meeting the check-in was about, as it was before this change."""
        return _logged(CheckIn._meta.get_field("met_on"), self.before.get("met_on"))

    @property
    def notes_changed(self) -> bool:
        return any(name in self.after for name in self.PRIVATE_FIELDS)


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


#: The widest gap there is: Senior Civil Service 2 mentoring an Administrative Assistant.
GRADE_GAP_MAX = max(Grade.values) - min(Grade.values)
GRADE_GAP = (
    f"A grade gap is a whole number of grades the mentor is above the mentee, from 0 (the same "
    f"grade) to {GRADE_GAP_MAX} (Senior Civil Service 2 above Administrative Assistant)."
)
GRADE_GAP_RANGE = [
    MinValueValidator(0, message=GRADE_GAP),
    MaxValueValidator(GRADE_GAP_MAX, message=GRADE_GAP),
]


def default_weights() -> dict:
    return {
        "skill_fit": 0.35,
        "mutual": 0.10,
        "interests": 0.15,
        "project_fit": 0.20,
        "seniority": 0.10,
        "practicalities": 0.10,
    }


class PairingSettings(models.Model):
    """How a programme pairs people: score weights and the optional hard rules."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="pairing_settings"
    )
    weights = models.JSONField(default=default_weights)
    min_grade_gap = models.SmallIntegerField(
        default=1,
        validators=GRADE_GAP_RANGE,
        help_text="The mentor should be at least this many grades above the mentee.",
    )
    max_grade_gap = models.SmallIntegerField(
        default=3,
        validators=GRADE_GAP_RANGE,
        help_text="The mentor should be at most this many grades above the mentee.",
    )
    forbid_same_team = models.BooleanField("never pair people from the same team", default=True)
    forbid_same_organisation = models.BooleanField(
        "never pair people from the same organisation", default=False
    )
    allow_previous_pairs = models.BooleanField(
        "allow pairs that existed in an earlier cohort", default=False
    )
    choice_mode = models.BooleanField(
        "mentees rank a shortlist",
        default=False,
        help_text="Mentees see their top mentors and rank them; the solver uses the ranks.",
    )

    class Meta:
        verbose_name_plural = "pairing settings"

    def __str__(self):
        return f"Pairing settings of {self.programme}"


class MatchRun(models.Model):
    """A proposal for the whole cohort: a draft the coordinator adjusts, then publishes."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        DISCARDED = "discarded", "Discarded"

    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="match_runs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    settings_snapshot = models.JSONField(default=dict, blank=True)
    unmatched = models.JSONField(default=dict, blank=True)  # mentee enrolment id -> reason
    stats = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Pairing run {self.pk} for {self.cohort} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ProposedPair(models.Model):
    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey("programmes.Enrolment", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("programmes.Enrolment", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(null=True, blank=True, help_text="Empty when a hard rule is broken.")
    breakdown = models.JSONField(default=dict, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    locked = models.BooleanField(default=False)
    manual = models.BooleanField(default=False, help_text="Set by hand, not by the solver.")

    class Meta:
        ordering = ["mentee__user__email"]
        constraints = [
            models.UniqueConstraint(fields=["run", "mentee"], name="proposal_one_per_mentee")
        ]

    def __str__(self):
        return f"{self.mentor_id} → {self.mentee_id} in run {self.run_id}"


class ExcludedPair(models.Model):
    """A pair the coordinator never wants proposed in this cohort."""

    cohort = models.ForeignKey("programmes.Cohort", on_delete=models.CASCADE, related_name="+")
    mentee = models.ForeignKey("programmes.Enrolment", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("programmes.Enrolment", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mentee", "mentor"], name="excluded_pair_unique")
        ]

    def __str__(self):
        return f"Never pair mentor {self.mentor_id} with mentee {self.mentee_id}"


class RunEventAction(models.TextChoices):
    """What a coordinator (or the system) did to a pairing run, as the run's history says it."""

    STARTED = "started", "Started"
    LOCKED = "locked", "Locked a pair"
    UNLOCKED = "unlocked", "Unlocked a pair"
    REASSIGNED = "reassigned", "Gave a mentee another mentor"
    SWAPPED = "swapped", "Swapped two mentors"
    EXCLUDED = "excluded", "Excluded a pair"
    PUBLISHED = "published", "Published"
    REMOVED = "removed", "Took out a person who is no longer accepted"
    SKIPPED = "skipped", "Left out at publication"


class PairViewer(models.TextChoices):
    """How a person sees a pair: as one of its two members, or as a coordinator."""

    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"
    COORDINATOR = "coordinator", "Coordinator"


class RunEvent(models.Model):
    """Who did what to a pairing run, in order."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A RunEventAction; the column has no choices so the history is kept as it was written.
    action = models.CharField(max_length=30)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.detail}"


class MenteeRanking(models.Model):
    """Choice mode: a mentee's ranking of a mentor from their shortlist (1 = first choice)."""

    mentee = models.ForeignKey("programmes.Enrolment", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("programmes.Enrolment", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["mentee", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["mentee", "mentor"], name="ranking_unique_mentor"),
            models.UniqueConstraint(fields=["mentee", "rank"], name="ranking_unique_rank"),
        ]

    def __str__(self):
        return f"Mentee {self.mentee_id} ranks mentor {self.mentor_id} #{self.rank}"
