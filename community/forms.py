from django import forms
from django.utils import timezone

from lib.forms import model_fields_form
from lib.once import FIELD, OnceFormMixin
from lib.widgets import DateInput
from people.models import TIME_ZONE_CHOICES, Skill

from . import schedule
from .models import (
    EVENT_FIELDS,
    LISTING_FIELDS,
    SUMMARY_FIELDS,
    DirectoryListing,
    Event,
    ProjectSummary,
)


class GenerateGroupsForm(forms.Form):
    min_size = forms.IntegerField(label="Smallest group", min_value=2, max_value=20, initial=5)
    max_size = forms.IntegerField(label="Largest group", min_value=2, max_value=20, initial=8)
    seed = forms.IntegerField(
        label="Shuffle number",
        min_value=0,
        max_value=10_000,
        initial=0,
        help_text="Another number gives another, equally good, grouping.",
    )

    def clean(self):
        data = super().clean()
        lo, hi = data.get("min_size"), data.get("max_size")
        if lo and hi and hi < lo:
            self.add_error("max_size", "The largest size must be at least the smallest.")
        return data


class MoveForm(forms.Form):
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    group = forms.TypedChoiceField(label="Group", coerce=int, empty_value=None, required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "No group")] + [(g.pk, g.name) for g in groups]


PAST = "This would already be over: choose a date and time still to come."


def _check_new_event(form: forms.Form, data: dict) -> None:
    """What a new event or stand-up needs, said with the other fields' errors: a video link or a
    place (the model says it too), and a first occurrence that has not ended (in the event's time
    zone: its invitations would be for something already over). The latter only for new events
    (these forms); an existing event is never refused for its age."""
    if not data.get("video_url") and not data.get("location"):
        form.add_error(None, "Give a video link, a location or both.")
    first, time, zone = data.get("first_date"), data.get("start_time"), data.get("time_zone")
    minutes = data.get("duration_minutes")
    if first is None or time is None or not zone or minutes is None:
        return  # each is refused on its own field
    now = timezone.now()
    try:
        over = schedule.ends_at(first, time, zone, minutes) <= now
    except OverflowError:  # a date at the calendar's edge: only its day can be compared
        over = first < now.date()
    if over:
        form.add_error("first_date", PAST)


class StandupScheduleForm(OnceFormMixin, forms.Form):
    first_date = forms.DateField(label="First stand-up", widget=DateInput())
    start_time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=600, initial=30
    )
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES, initial="Europe/London")
    video_url = forms.URLField(
        label="Video link", required=False, max_length=200, assume_scheme="https"
    )
    location = forms.CharField(max_length=200, required=False)

    def clean(self):
        data = super().clean()
        _check_new_event(self, data)
        return data

    def schedule_data(self) -> dict:
        """What the service takes: the schedule's fields, not the one-time token."""
        return {name: value for name, value in self.cleaned_data.items() if name != FIELD}


class EventForm(
    OnceFormMixin,
    model_fields_form(
        Event,
        EVENT_FIELDS,
        widgets={
            "first_date": DateInput(),
            "repeat_until": DateInput(),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        },
        labels={"first_date": "Date (first date if weekly)", "start_time": "Time"},
    ),
):
    """A new event as typed, each field checked here (the group and facilitator among this
    cohort's); the event as a whole is validated once, by the service that creates it
    (``lib.forms.model_fields_form``). Sent once: a back-and-resubmit creates nothing more
    (``lib.once``)."""

    video_url = forms.URLField(
        label="Video link", required=False, max_length=200, assume_scheme="https"
    )

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        from people.models import User

        self.fields["group"].queryset = cohort.standup_groups.order_by("number")
        self.fields["group"].empty_label = "The whole cohort"
        self.fields["facilitator"].queryset = User.objects.filter(
            enrolments__cohort=cohort, enrolments__status="accepted"
        ).order_by("full_name")

    def clean(self):
        data = super().clean()
        _check_new_event(self, data)
        return data


class DirectoryListingForm(
    model_fields_form(
        DirectoryListing,
        LISTING_FIELDS,
        help_texts={
            "opted_in": "Only people in this cohort and its coordinators see the directory.",
            "show_email": "Otherwise people reach you through a form, without seeing it.",
        },
    )
):
    """A person's choice about the directory; the listing is validated once, by the service
    that saves it (``lib.forms.model_fields_form``)."""

    @classmethod
    def for_listing(cls, data, listing: DirectoryListing | None) -> "DirectoryListingForm":
        """The form to change ``listing`` (None: not listed yet), filled with it."""
        initial = forms.model_to_dict(listing, fields=LISTING_FIELDS) if listing else None
        return cls(data, initial=initial)


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    skill = forms.ModelChoiceField(
        label="Skill", queryset=Skill.objects.filter(approved=True), required=False
    )


class ContactForm(OnceFormMixin, forms.Form):
    subject = forms.CharField(max_length=120)
    body = forms.CharField(
        label="Message", max_length=3000, widget=forms.Textarea(attrs={"rows": 6})
    )
    reply_to_me = forms.BooleanField(
        label="Let them reply to me by email",
        required=False,
        initial=True,
        help_text="Your email address goes with the message, and replying to the email reaches "
        "you. Untick it to send your name only.",
    )


class ProjectSummaryForm(
    model_fields_form(
        ProjectSummary,
        SUMMARY_FIELDS,
        widgets={
            "summary": forms.Textarea(attrs={"rows": 5}),
            "outcomes": forms.Textarea(attrs={"rows": 3}),
        },
        labels={"title": "Project title", "summary": "What the project did"},
    )
):
    """A mentee's show-and-tell as typed; the summary as a whole is validated once, by the
    service that saves it (``lib.forms.model_fields_form``)."""

    @classmethod
    def for_summary(
        cls, data, summary: ProjectSummary | None, *, title: str = ""
    ) -> "ProjectSummaryForm":
        """The form to change ``summary``, filled with it; with none yet, filled with ``title``
        (the mentee's project's)."""
        if summary is not None:
            initial = forms.model_to_dict(summary, fields=SUMMARY_FIELDS)
        else:
            initial = {"title": title} if title else {}
        return cls(data, initial=initial)
