"""Forms for applications, the coordinator's review, bulk invitations, the talent pool and the
public register-interest page."""

from django import forms

from lib.forms import IdsField, model_fields_form
from people.models import ProfileSkill, Skill
from programmes.models import EnrolmentStatus, Programme, Role

from .invitations import INVITE_OPTIONAL_COLUMNS, INVITE_REQUIRED_COLUMNS
from .models import TalentPoolEntry as Entry
from .selectors import NEVER, invitable_cohorts


class InviteUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            f"Columns {', '.join(INVITE_REQUIRED_COLUMNS)}; optional "
            f"{' and '.join(INVITE_OPTIONAL_COLUMNS)}. The first row names the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class TalentPoolFilterForm(forms.Form):
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), *Role.choices]
    )
    skill = forms.ModelChoiceField(
        label="Skill",
        required=False,
        queryset=Skill.objects.filter(approved=True).order_by("name"),
        empty_label="Any skill",
    )
    skill_direction = forms.ChoiceField(
        label="Skill direction",
        required=False,
        choices=[("", "Teach or learn"), *ProfileSkill.Direction.choices],
    )
    organisation = forms.CharField(label="Organisation", required=False, max_length=120)
    last_cohort = forms.ChoiceField(label="Last took part in", required=False)

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["last_cohort"].choices = [
            ("", "Any time or never"),
            (NEVER, "Never took part"),
            *((str(c.pk), c.name) for c in programme.cohorts.order_by("-starts_on")),
        ]

    @property
    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return self.cleaned_data


class PoolInviteForm(forms.Form):
    emails = forms.MultipleChoiceField(label="People", required=False)
    # Everyone the filters match, on every page (at most invite_max_rows(), as a CSV file).
    everyone = forms.BooleanField(required=False)
    cohort = forms.ModelChoiceField(
        label="Invite to cohort",
        queryset=None,
        empty_label=None,
        help_text="Only draft and recruiting cohorts take invitations.",
    )
    role = forms.ChoiceField(
        label="Invite as",
        required=False,
        choices=[
            ("", "Each person's interest (alumni as mentors, ‘either’ as mentees)"),
            *Role.choices,
        ],
    )

    def __init__(self, *args, programme: Programme, emails: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = invitable_cohorts(programme=programme)
        self.fields["emails"].choices = [(e, e) for e in emails]
        for name in ("cohort", "role"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        if not data.get("everyone") and not data.get("emails") and "emails" not in self.errors:
            self.add_error("emails", "Select at least one person to invite.")
        return data


#: The pool entry's fields on the public register-interest form, in the form's order.
INTEREST_FIELDS = ("full_name", "email", "role", "organisation", "note")
#: The pool entry's fields a coordinator types to add someone, in the form's order.
POOL_ADD_FIELDS = ("email", "full_name", "organisation", "role", "note")


class RegisterInterestForm(
    model_fields_form(
        Entry,
        INTEREST_FIELDS,
        labels={
            "full_name": "Your name",
            "email": "Your work email address",
            "role": "I would like to take part as",
            "organisation": "Your organisation",
        },
    )
):
    """The public form, as typed; a new entry is validated once, by the service (registering
    an address already in the pool changes nothing until its owner confirms), not by a
    ModelForm first (``lib.forms.model_fields_form``)."""

    # A field people never see; bots that fill every field give themselves away.
    website = forms.CharField(required=False, label="Leave this empty", max_length=200)
    note = forms.CharField(
        label="Anything you would like us to know (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class TalentPoolAddForm(
    model_fields_form(
        Entry, POOL_ADD_FIELDS, labels={"full_name": "Name", "role": "Interested in being"}
    )
):
    """Someone a coordinator adds to the pool, as typed; the entry (an address already in the
    pool among its refusals) is validated once, by the service (``lib.forms.model_fields_form``).
    """

    note = forms.CharField(
        label="Note",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Visible to the coordinators of this programme only.",
    )


# -- applications and the review ----------------------------------------------------------------


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
    priorities = IdsField(
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
    topics = IdsField(
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
    topics = IdsField(
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


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you leaving? (optional, seen by the coordinators)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep it to 2,000 characters."},
    )


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label="Why is this undone?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why the decision is undone: it is kept in the person's history.",
            "max_length": "Keep it to 2,000 characters.",
        },
    )


class BusinessPriorityForm(forms.Form):
    name = forms.CharField(
        label="New business priority",
        max_length=100,
        help_text="A tag mentees choose when they propose a project, e.g. “Net zero”.",
    )
