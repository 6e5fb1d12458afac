from django import forms
from django.contrib.auth import get_user_model

from .models import Cohort, CohortStatus, EnrolmentStatus, Programme, Role


class DateInput(forms.DateInput):
    """An HTML date picker; it only accepts ISO dates, whatever the site's locale."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's own name
        super().__init__(attrs, format=format)


class ProgrammeForm(forms.ModelForm):
    coordinator_emails = forms.CharField(
        label="Other coordinators",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Email addresses of people who already have an account, separated by commas.",
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "slug",
            "organisation",
            "description",
            "checkin_cadence_days",
            "length_weeks",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"slug": "Used in web addresses: lower-case letters, numbers and hyphens."}

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


class CohortForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = [
            "name",
            "applications_open",
            "applications_close",
            "starts_on",
            "ends_on",
            "capacity",
        ]
        widgets = {
            "applications_open": DateInput,
            "applications_close": DateInput,
            "starts_on": DateInput,
            "ends_on": DateInput,
        }


class CohortStatusForm(forms.Form):
    status = forms.ChoiceField(choices=CohortStatus.choices)


class EnrolmentFilterForm(forms.Form):
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *EnrolmentStatus.choices], required=False
    )


class MenteeApplicationForm(forms.Form):
    goals = forms.CharField(
        label="What do you want to get from the programme?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
    )
    title = forms.CharField(label="Project title", max_length=150)
    description = forms.CharField(
        label="Project description",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="The work problem, the data you would use and what you would build.",
    )
    priorities = forms.ModelMultipleChoiceField(
        label="Business priorities it serves",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expected_benefit = forms.CharField(
        label="Expected benefit",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Who gains what if the project succeeds.",
    )
    topics = forms.ModelMultipleChoiceField(
        label="Skills the project needs",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    manager_email = forms.EmailField(
        label="Your line manager's email",
        required=False,
        help_text="They get a link to approve your application.",
    )

    def __init__(self, *args, programme, skills, needs_manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = programme.business_priorities.all()
        self.fields["topics"].queryset = skills
        if needs_manager:
            self.fields["manager_email"].required = True
        else:
            del self.fields["manager_email"]
        if not programme.business_priorities.exists():
            del self.fields["priorities"]


class MentorApplicationForm(forms.Form):
    capacity = forms.IntegerField(
        label="How many mentees can you take?", min_value=1, max_value=5, initial=1
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics you can help with",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.CharField(
        label="Your availability",
        max_length=300,
        help_text="For example: an hour every other Tuesday afternoon.",
    )
    goals = forms.CharField(
        label="What do you hope to get from mentoring? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=3000,
    )
    manager_email = forms.EmailField(label="Your line manager's email", required=False)

    def __init__(self, *args, programme, skills, needs_manager, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = skills
        if needs_manager:
            self.fields["manager_email"].required = True
        else:
            del self.fields["manager_email"]


class ApplicationFilterForm(forms.Form):
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *EnrolmentStatus.choices], required=False
    )
    duplicates = forms.BooleanField(label="Only possible duplicate projects", required=False)


class DecisionForm(forms.Form):
    DECISIONS = [
        (EnrolmentStatus.ACCEPTED, "Accept"),
        (EnrolmentStatus.WAITLISTED, "Waitlist"),
        (EnrolmentStatus.DECLINED, "Decline"),
    ]
    decision = forms.ChoiceField(choices=DECISIONS)
    enrolments = forms.TypedMultipleChoiceField(coerce=int, choices=())

    def __init__(self, *args, enrolment_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolments"].choices = [(pk, pk) for pk in enrolment_ids]
        self.fields["enrolments"].error_messages["required"] = "Select at least one applicant."


class NotesForm(forms.Form):
    coordinator_notes = forms.CharField(
        label="Notes (coordinators only)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
