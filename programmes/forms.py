from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from lib.forms import model_fields_form

from .models import (
    COHORT_FIELDS,
    PROGRAMME_FIELDS,
    Cohort,
    CohortStatus,
    EnrolmentStatus,
    Programme,
    Role,
)


class DateInput(forms.DateInput):
    """An HTML date picker; it only accepts ISO dates, whatever the site's locale."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's own name
        super().__init__(attrs, format=format)


class ProgrammeForm(
    model_fields_form(
        Programme,
        PROGRAMME_FIELDS,
        widgets={"description": forms.Textarea(attrs={"rows": 4})},
        help_texts={
            "slug": "Used in web addresses: lower-case letters, numbers and hyphens.",
            "duplicate_threshold": "How similar (0.05 to 1) two project proposals must be to be "
            "flagged as possible duplicates. Lower flags more; 0.35 suits most programmes.",
        },
    )
):
    """A programme as typed, with its other coordinators; the programme as a whole (its web
    address not already taken, say) is validated once, by the service that creates or changes
    it (``lib.forms.model_fields_form``)."""

    coordinator_emails = forms.CharField(
        label="Other coordinators",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Email addresses of people who already have an account, separated by commas.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        threshold = self.fields["duplicate_threshold"]
        threshold.min_value, threshold.max_value = 0.05, 1.0
        threshold.validators += [MinValueValidator(0.05), MaxValueValidator(1.0)]
        threshold.widget.attrs.update({"min": "0.05", "max": "1", "step": "0.05"})
        threshold.required = False  # left empty: unchanged (or the default, for a new one)
        # The database refuses 0 with a raw constraint message: say it in words first.
        self.fields["length_weeks"].widget.attrs["min"] = 1
        self.fields["checkin_cadence_days"].widget.attrs["min"] = 1

    @classmethod
    def for_programme(cls, data, programme: Programme, *, coordinator_emails: str = ""):
        """The form to change ``programme``, filled with it and its other coordinators."""
        initial = forms.model_to_dict(programme, fields=PROGRAMME_FIELDS)
        return cls(data, initial={**initial, "coordinator_emails": coordinator_emails})

    def clean_duplicate_threshold(self):
        value = self.cleaned_data.get("duplicate_threshold")
        if value is None:  # what the form was filled with: the stored value, or the default
            field = self.fields["duplicate_threshold"]
            return self.get_initial_for_field(field, "duplicate_threshold")
        return value

    def clean_length_weeks(self):
        weeks = self.cleaned_data["length_weeks"]
        if weeks is not None and weeks < 1:
            raise forms.ValidationError("A programme lasts at least 1 week.")
        return weeks

    def clean_checkin_cadence_days(self):
        days = self.cleaned_data["checkin_cadence_days"]
        if days is not None and days < 1:
            raise forms.ValidationError("Give how often pairs should meet: 1 day or more.")
        return days

    RESERVED_SLUGS = {"new", "apply", "applications", "manager-signoff", "invitations"}

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in self.RESERVED_SLUGS:
            raise forms.ValidationError("This web address is reserved: choose another.")
        return slug

    def clean_coordinator_emails(self):
        raw = self.cleaned_data["coordinator_emails"]
        emails = {e.strip().lower() for e in raw.replace(";", ",").split(",") if e.strip()}
        users = list(get_user_model().objects.filter(email__in=emails))
        missing = emails - {u.email for u in users}
        if missing:
            raise forms.ValidationError(
                "No account uses: %(emails)s. Ask them to sign up first.",
                params={"emails": ", ".join(sorted(missing))},
            )
        return users


class CohortForm(
    model_fields_form(
        Cohort,
        COHORT_FIELDS,
        widgets={
            "applications_open": DateInput,
            "applications_close": DateInput,
            "starts_on": DateInput,
            "ends_on": DateInput,
        },
    )
):
    """A cohort as typed; the cohort as a whole (its dates in order, its name not taken in the
    programme) is validated once, by the service that creates or changes it
    (``lib.forms.model_fields_form``)."""

    def __init__(self, *args, stored_starts_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        #: The start date of the cohort the form changes, as stored; None for a new cohort.
        self.stored_starts_on = stored_starts_on
        self.fields["capacity"].widget.attrs["min"] = 1

    @classmethod
    def for_cohort(cls, data, cohort: Cohort) -> "CohortForm":
        """The form to change ``cohort``, filled with it."""
        initial = forms.model_to_dict(cohort, fields=COHORT_FIELDS)
        return cls(data, initial=initial, stored_starts_on=cohort.starts_on)

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity is not None and capacity < 1:
            raise forms.ValidationError("A cohort takes at least 1 mentee.")
        return capacity

    def clean_starts_on(self):
        starts = self.cleaned_data["starts_on"]
        creating = self.stored_starts_on is None
        moved = not creating and starts != self.stored_starts_on
        if starts and (creating or moved) and starts < timezone.localdate():
            raise forms.ValidationError(
                "This date is in the past. A new cohort, or a new start date, must be today or "
                "later."
            )
        return starts


class CohortStatusForm(forms.Form):
    status = forms.ChoiceField(choices=CohortStatus.choices)


class EnrolmentFilterForm(forms.Form):
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *EnrolmentStatus.choices], required=False
    )


class MentorCapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label="Mentees this mentor can take",
        min_value=1,
        max_value=20,
        error_messages={
            "required": "Enter how many mentees the mentor can take.",
            "invalid": "Enter a whole number.",
            "min_value": "A mentor takes at least 1 mentee.",
        },
    )
    agreement = forms.CharField(
        label="How the mentor agreed",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to raise the capacity: for example “agreed by email on 3 March”.",
    )
