"""Surveys: templates with versions and questions, schedules per cohort, invitations, responses.

See docs/surveys.md for the model, the triggers and the anonymity rule.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from lib.signing import sign, unsign_or_none

from .scheduling import add_days

#: What a coordinator may set on a survey, a schedule and a question (the forms' fields);
#: anything else in a service's ``data`` is refused.
TEMPLATE_FIELDS = ("name", "description", "anonymous", "audience")
SCHEDULE_FIELDS = (
    "template",
    "audience",
    "trigger",
    "offset_days",
    "every_n_checkins",
    "close_after_days",
    "active",
)
QUESTION_FIELDS = ("type", "text", "help_text", "required", "choices")

#: Names the use of a survey link's signature; links already emailed carry it.
INVITATION_SALT = "feedback.survey-invitation"


class Audience(models.TextChoices):
    MENTORS = "mentors", "Mentors"
    MENTEES = "mentees", "Mentees"
    BOTH = "both", "Mentors and mentees"


class QuestionType(models.TextChoices):
    SCALE_1_5 = "scale_1_5", "Scale of 1 to 5"
    NPS_0_10 = "nps_0_10", "Likelihood to recommend (0 to 10)"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    FREE_TEXT = "free_text", "Free text"
    WELLBEING_1_5 = "wellbeing_1_5", "Wellbeing (1 to 5)"


CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})
# Question types answered with a whole number, and the numbers each allows.
NUMBER_RANGES: dict[str, tuple[int, int]] = {
    QuestionType.SCALE_1_5: (1, 5),
    QuestionType.WELLBEING_1_5: (1, 5),
    QuestionType.NPS_0_10: (0, 10),
}

# Results of an anonymous survey are shown only for groups at least this large.
ANONYMITY_THRESHOLD = 3


class SurveyTemplate(models.Model):
    """A named survey of one programme. Its questions live in versions."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="survey_templates"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(
        blank=True, max_length=2000, help_text="Shown to participants above the questions."
    )
    anonymous = models.BooleanField(
        default=False,
        help_text="Answers are stored without the person's identity; results are shown only "
        f"for groups of at least {ANONYMITY_THRESHOLD} responses.",
    )
    audience = models.CharField(
        "default audience", max_length=8, choices=Audience.choices, default=Audience.BOTH
    )
    # Set on the templates survey_defaults_ensure() creates, so it finds them again.
    key = models.SlugField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "name"]
        constraints = [
            # "Autumn 2026" and "autumn 2026" are one name to the people choosing from a list.
            models.UniqueConstraint(
                "programme",
                Lower("name"),
                name="surveytemplate_unique_name",
                violation_error_message=(
                    "This programme already has a survey with this name: choose another name."
                ),
            ),
            models.UniqueConstraint(
                fields=["programme", "key"], condition=~Q(key=""), name="surveytemplate_unique_key"
            ),
        ]

    def __str__(self):
        return self.name


class SurveyVersion(models.Model):
    """The questions of a template at one point. A version that has answers is never edited:
    editing it makes a copy with the next number, so old answers stay readable."""

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    published = models.BooleanField(
        default=False, help_text="Participants are only invited to published versions."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="surveyversion_unique")
        ]

    def __str__(self):
        return f"{self.template.name}, version {self.number}"


class Question(models.Model):
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    type = models.CharField(max_length=16, choices=QuestionType.choices)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    choices = models.JSONField(default=list, blank=True, help_text="For choice questions.")
    # The same question across versions keeps its key, so results compare across versions.
    key = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["version", "order", "pk"]

    def __str__(self):
        return self.text

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES

    @property
    def number_range(self) -> tuple[int, int] | None:
        return NUMBER_RANGES.get(self.type)


class Trigger(models.TextChoices):
    COHORT_START = "cohort_start", "Days after the cohort starts"
    PAIR_START = "pair_start", "Days after each pair starts"
    COHORT_END = "cohort_end", "At the end of the cohort"
    CHECKINS = "checkins", "After every Nth check-in of a pair"


PAIR_TRIGGERS = frozenset({Trigger.PAIR_START, Trigger.CHECKINS})

# A survey falls due at most two years after its cohort's (or pair's) date, and stays open at
# most a year: beyond that a typo ("3000000") would put it centuries away.
OFFSET_DAYS_MAX = 730
OFFSET_DAYS_MESSAGE = f"Choose a number of days from 0 to {OFFSET_DAYS_MAX} (two years)."
CLOSE_AFTER_DAYS_MAX = 365
CLOSE_AFTER_DAYS_MESSAGE = f"Keep it open for 1 to {CLOSE_AFTER_DAYS_MAX} days (a year at most)."


class SurveySchedule(models.Model):
    """When a cohort's participants are asked to answer a template."""

    cohort = models.ForeignKey(
        "programmes.Cohort", on_delete=models.CASCADE, related_name="survey_schedules"
    )
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="schedules")
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.BOTH)
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    offset_days = models.PositiveSmallIntegerField(
        "days",
        default=0,
        validators=[
            MinValueValidator(0, OFFSET_DAYS_MESSAGE),
            MaxValueValidator(OFFSET_DAYS_MAX, OFFSET_DAYS_MESSAGE),
        ],
        help_text="For 'days after' triggers: how many days. At the end of the cohort: days after "
        f"the end date (0 = on the day). At most {OFFSET_DAYS_MAX} (two years).",
    )
    every_n_checkins = models.PositiveSmallIntegerField(
        "every N check-ins", default=0, help_text="For the check-in trigger: N."
    )
    close_after_days = models.PositiveSmallIntegerField(
        "close after (days)",
        default=14,
        validators=[
            MinValueValidator(1, CLOSE_AFTER_DAYS_MESSAGE),
            MaxValueValidator(CLOSE_AFTER_DAYS_MAX, CLOSE_AFTER_DAYS_MESSAGE),
        ],
        help_text=f"How long people have to answer: 1 to {CLOSE_AFTER_DAYS_MAX} days.",
    )
    active = models.BooleanField(default=True, help_text="Paused schedules invite no one.")
    key = models.SlugField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cohort", "trigger", "offset_days", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "key"], condition=~Q(key=""), name="surveyschedule_unique_key"
            ),
            models.CheckConstraint(
                condition=~Q(trigger="checkins") | Q(every_n_checkins__gte=1),
                name="surveyschedule_checkins_n",
            ),
            models.CheckConstraint(
                condition=Q(close_after_days__gte=1), name="surveyschedule_close_positive"
            ),
        ]

    def __str__(self):
        return f"{self.template.name} ({self.when_label})"

    @property
    def is_pair_based(self) -> bool:
        return self.trigger in PAIR_TRIGGERS

    @property
    def when_label(self) -> str:
        days = self.offset_days
        if self.trigger == Trigger.COHORT_START:
            return f"{days} day{'s' if days != 1 else ''} after the cohort starts"
        if self.trigger == Trigger.PAIR_START:
            return f"{days} day{'s' if days != 1 else ''} after each pair starts"
        if self.trigger == Trigger.COHORT_END:
            return "at the end of the cohort" if not days else f"{days} days after the cohort ends"
        n = self.every_n_checkins
        return f"after every {n} check-in{'s' if n != 1 else ''}"

    @property
    def invitations_hint(self) -> str:
        """When this schedule's invitations go out, in words for the coordinator (the surveys
        page shows it while nobody is invited yet). Invitations are created by an hourly task
        (CELERY_BEAT_SCHEDULE["feedback-survey-invitations"]) for running and finished cohorts."""
        if not self.active:
            return "Paused: no invitations go out until you resume it."
        cohort = self.cohort
        today = timezone.localdate()
        waiting = (
            ""
            if cohort.status in ("running", "finished")
            else " once the cohort is running (pairs published)"
        )
        if self.trigger in (Trigger.COHORT_START, Trigger.COHORT_END):
            base = cohort.starts_on if self.trigger == Trigger.COHORT_START else cohort.ends_on
            if base is None:
                return "Invitations go out when the cohort has dates."
            due = add_days(base, self.offset_days)
            if due > today:
                return f"Invitations go out on {due:%-d %B %Y}{waiting}."
            if add_days(due, self.close_after_days) <= today:
                last = add_days(due, self.close_after_days - 1)
                return f"The answer window closed on {last:%-d %B %Y}: nobody will be invited."
            return f"Invitations go out within the hour{waiting}."
        if self.trigger == Trigger.PAIR_START:
            days = self.offset_days
            return (
                f"Each pair is invited {days} day{'s' if days != 1 else ''} after it starts"
                f"{waiting}; checked every hour."
            )
        n = self.every_n_checkins
        return (
            f"A pair is invited after its {_ordinal(n)} check-in, and every {n} after that"
            f"{waiting}."
            if n != 1
            else f"A pair is invited after each check-in{waiting}."
        )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class SurveyInvitationQuerySet(models.QuerySet):
    def open(self, today=None):
        today = today or timezone.localdate()
        return self.filter(answered_at__isnull=True, due_on__lte=today, closes_on__gte=today)


class SurveyInvitation(models.Model):
    """One person asked once: per schedule, per pair for pair-based triggers, and per occurrence
    for the check-in trigger. The unique constraints make creating them idempotent."""

    schedule = models.ForeignKey(
        SurveySchedule, on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    role = models.CharField(max_length=6, help_text="mentor or mentee, when invited.")
    pair = models.ForeignKey(
        "pairing.Pair", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    occurrence = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField()
    closes_on = models.DateField(help_text="The last day answers are taken.")
    answered_at = models.DateTimeField(null=True, blank=True)
    # The run that created the row: after bulk_create(ignore_conflicts=True) it tells which rows
    # this run inserted (those get an email) from rows that were there already.
    batch = models.UUIDField(editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SurveyInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "user", "occurrence"],
                condition=Q(pair__isnull=True),
                name="surveyinvitation_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["schedule", "user", "pair", "occurrence"],
                condition=Q(pair__isnull=False),
                name="surveyinvitation_one_per_pair",
            ),
        ]
        indexes = [models.Index(fields=["user", "answered_at"])]

    def __str__(self):
        return f"{self.schedule} for {self.user}"

    @property
    def about_pair_with(self) -> str:
        """The other person of the pair this invitation is about ("" when it is not about a
        pair): a mentor with two mentees gets one invitation per pair, and needs to know which.
        Select ``pair__mentor__user`` and ``pair__mentee__user`` with the invitation."""
        if self.pair_id is None:
            return ""
        pair = self.pair
        other = pair.mentee.user if pair.mentor.user_id == self.user_id else pair.mentor.user
        return other.display_name

    @property
    def token(self) -> str:
        """The signed link's token: opens the survey for this invitation."""
        return self.token_for(self.pk)

    @staticmethod
    def token_for(pk: int) -> str:
        """The signed link for invitation ``pk``. No age limit: the invitation's own dates decide
        whether it may still be answered (old untimed links keep working too)."""
        return sign(INVITATION_SALT, i=pk)

    @staticmethod
    def pk_from_token(token: str) -> int | None:
        """The invitation id a link is for, or None when it was tampered with."""
        data = unsign_or_none(INVITATION_SALT, token)
        value = data.get("i") if data else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def is_closed(self, today=None) -> bool:
        return (today or timezone.localdate()) > self.closes_on

    def is_not_open_yet(self, today=None) -> bool:
        return (today or timezone.localdate()) < self.due_on


class ResponseQuerySet(models.QuerySet):
    def published(self):
        """Responses that may be counted in a figure (feedback/publication.py)."""
        from .publication import published_q

        return self.filter(published_q())


class Response(models.Model):
    """One submitted survey. For an anonymous template there is no user and no invitation, and
    no time: only the cohort, the role and the answers. Random primary keys (here and on the
    answers) mean the order rows were written in cannot be matched to invitations' answer times.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(SurveySchedule, on_delete=models.PROTECT, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    role = models.CharField(max_length=6, blank=True)
    # Identified surveys only; both are null when the template is anonymous.
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # An anonymous response is counted in figures only once released, with at least two others
    # of its group (feedback/publication.py); identified responses ignore it.
    released = models.BooleanField(default=False, editable=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["schedule", "id"]

    def __str__(self):
        return f"Response to {self.version}"


class AnswerQuerySet(models.QuerySet):
    def published(self):
        """Answers of responses that may be counted in a figure (feedback/publication.py)."""
        from .publication import published_q

        return self.filter(published_q("response__"))


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=5000)
    choices = models.JSONField(default=list, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question")
        ]

    def __str__(self):
        return f"Answer to {self.question}"
