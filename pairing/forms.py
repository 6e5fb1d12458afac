from django import forms

from lib.forms import model_fields_form
from lib.once import OnceFormMixin

from .models import CHECKIN_FIELDS, SETTINGS_FIELDS, CheckIn, Pair, PairGoal, PairingSettings


class CheckInForm(
    OnceFormMixin,
    model_fields_form(
        CheckIn,
        CHECKIN_FIELDS,
        widgets={
            # HTML date inputs only accept ISO dates, whatever the site's locale.
            "met_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "worked_on": forms.Textarea(attrs={"rows": 3}),
            "next_step": forms.Textarea(attrs={"rows": 2}),
            "rating": forms.RadioSelect(choices=[(i, str(i)) for i in range(1, 6)]),
            "wellbeing": forms.RadioSelect(choices=[(i, str(i)) for i in range(1, 6)]),
        },
        help_texts={
            "rating": "1 = not useful, 5 = very useful.",
            "wellbeing": "1 = struggling, 5 = doing well. Coordinators see this score, "
            "never your notes unless you share them.",
            "shared_with_coordinator": "Otherwise only your pair sees what you worked on.",
        },
    ),
):
    """A check-in as typed: each field checked on its own here (the model's own validators).
    The check-in as a whole (its dates against the pair, the model's rules) is validated once,
    by the service that logs or corrects it (``pairing.services``): a plain form, not a
    ModelForm (``lib.forms.model_fields_form``)."""

    @classmethod
    def for_checkin(cls, data, checkin: CheckIn) -> "CheckInForm":
        """The form to correct ``checkin``, filled with its values."""
        return cls(data, initial=forms.model_to_dict(checkin, fields=CHECKIN_FIELDS))


class GoalForm(forms.Form):
    text = forms.CharField(
        label="New goal",
        max_length=300,
        error_messages={
            "required": "Write the goal.",
            "max_length": "Write the goal in %(limit_value)d characters or fewer.",
        },
    )

    def error_text(self) -> str:
        """What was wrong, in one sentence for the pair's page (the form is not shown again)."""
        return " ".join(self.errors.get("text", [])) or "Write the goal."


class GoalProgressForm(forms.Form):
    progress = forms.ChoiceField(choices=PairGoal.Progress.choices)


class PairingSettingsForm(model_fields_form(PairingSettings, SETTINGS_FIELDS)):
    """A programme's pairing rules (the model's fields) and weights as typed; the settings as a
    whole are validated once, by the service that saves them (``lib.forms.model_fields_form``)."""

    skill_fit = forms.FloatField(label="Skill fit", min_value=0, max_value=10)
    mutual = forms.FloatField(label="Mutual learning", min_value=0, max_value=10)
    interests = forms.FloatField(label="Shared interests", min_value=0, max_value=10)
    project_fit = forms.FloatField(label="Project fit", min_value=0, max_value=10)
    seniority = forms.FloatField(label="Seniority gap", min_value=0, max_value=10)
    practicalities = forms.FloatField(
        label="Practicalities (time zone, location)", min_value=0, max_value=10
    )
    WEIGHTS = ["skill_fit", "mutual", "interests", "project_fit", "seniority", "practicalities"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.WEIGHTS:
            self.fields[name].help_text = "Relative weight; 0 turns it off."

    @classmethod
    def for_settings(cls, data, settings_row: PairingSettings) -> "PairingSettingsForm":
        """The form to change ``settings_row`` (saved or the defaults), filled with its rules
        and weights (a weight it does not have: 0)."""
        initial = forms.model_to_dict(settings_row, fields=SETTINGS_FIELDS)
        weights = settings_row.weights or {}
        initial.update({name: weights.get(name, 0) for name in cls.WEIGHTS})
        return cls(data, initial=initial)

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_grade_gap"), cleaned.get("max_grade_gap")
        if low is not None and high is not None and low > high:
            self.add_error("max_grade_gap", "The largest gap must be at least the smallest.")
        if all(not cleaned.get(name) for name in self.WEIGHTS if name in cleaned):
            raise forms.ValidationError("At least one weight must be above 0.")
        return cleaned

    def weights(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.WEIGHTS}


class EndPairForm(OnceFormMixin, forms.Form):
    reason = forms.ChoiceField(choices=Pair.EndReason.choices)
    note = forms.CharField(
        label="Note (coordinators only)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when the reason is “Other”.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Pair.EndReason.OTHER and not cleaned.get("note", "").strip():
            # "Other" alone tells the programme's health figures nothing.
            self.add_error("note", "Say why the pair ended: the reason is “Other”.")
        return cleaned


class MenteeRankingForm(forms.Form):
    """Choice mode: a mentee ranks the mentors of their shortlist, each rank at most once.

    One optional field per mentor, named ``rank-<enrolment pk>``; a mentor left unranked is
    simply not in the ranking.
    """

    def __init__(self, *args, options: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        ranks = [("", "Not ranked")] + [(str(i), str(i)) for i in range(1, len(options) + 1)]
        self.mentor_fields = {}
        for option in options:
            mentor = option["mentor"]
            name = f"rank-{mentor.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"Rank for {mentor.user.display_name}",
                choices=ranks,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.mentor_fields[name] = mentor.pk

    def clean(self):
        cleaned = super().clean()
        given = [cleaned.get(name) for name in self.mentor_fields if cleaned.get(name) is not None]
        if len(set(given)) != len(given):
            raise forms.ValidationError("Give each mentor a different rank.")
        return cleaned

    def mentor_ids(self) -> list[int]:
        """The ranked mentors' enrolment ids, first choice first."""
        ranked = [
            (self.cleaned_data[name], mentor_pk)
            for name, mentor_pk in self.mentor_fields.items()
            if self.cleaned_data.get(name) is not None
        ]
        return [mentor_pk for _rank, mentor_pk in sorted(ranked)]
