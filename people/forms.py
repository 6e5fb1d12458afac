from django import forms
from django.db.models import Q

from lib.forms import IdsField, model_fields_form

from .models import PROFILE_FIELDS, Profile, ProfileSkill, Skill, SkillCategory

#: The profile's fields on the profile page, in the page's order: the service's (people.models)
#: and the interests, which the service sets on their own.
PROFILE_FORM_FIELDS = (*PROFILE_FIELDS, "interests")


class ProfileForm(
    model_fields_form(
        Profile,
        PROFILE_FORM_FIELDS,
        widgets={
            "bio": forms.Textarea(attrs={"rows": 4}),
            "interests": forms.CheckboxSelectMultiple,
            "work_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "work_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        },
        field_classes={"interests": IdsField},
        help_texts={
            "line_manager_email": "We never pair you with your own line manager.",
            "time_zone": "Used to suggest meeting times in your working hours.",
        },
    )
):
    """A person's profile and name as typed; the profile as a whole (a working day that ends
    when it starts, say) is validated once, by the service that saves it with the skill lists
    (``lib.forms.model_fields_form``)."""

    full_name = forms.CharField(max_length=150, label="Full name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, the working day is the usual 9 to 5 (older forms do not send these).
        for name in ("work_start", "work_end"):
            self.fields[name].required = False

    def clean_work_start(self):
        return self.cleaned_data.get("work_start") or Profile._meta.get_field("work_start").default

    def clean_work_end(self):
        return self.cleaned_data.get("work_end") or Profile._meta.get_field("work_end").default

    @classmethod
    def for_profile(cls, data, profile: Profile, *, full_name: str) -> "ProfileForm":
        """The form to change ``profile`` and its person's ``full_name``, filled with them."""
        initial = forms.model_to_dict(profile, fields=PROFILE_FORM_FIELDS)
        return cls(data, initial={**initial, "full_name": full_name})

    def profile_data(self) -> dict:
        """What the service takes as ``data``: the profile's fields but its interests (a list
        of their own) and the name (the person's)."""
        fields = [name for name in PROFILE_FORM_FIELDS if name != "interests"]
        return {name: self.cleaned_data[name] for name in fields}


def skills_for(user):
    """Approved skills, and the skills this person suggested that wait for approval."""
    return Skill.objects.filter(Q(approved=True) | Q(suggested_by=user))


class ProfileSkillForm(forms.ModelForm):
    class Meta:
        model = ProfileSkill
        fields = ["skill", "level", "priority"]

    def __init__(self, *args, user=None, direction=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.direction = direction
        self.fields["skill"].queryset = skills_for(user)
        # A row with no skill is an unused row, whatever its other selects say.
        for name in ("skill", "level", "priority"):
            if name in self.fields:
                self.fields[name].required = False
        if direction == ProfileSkill.Direction.TEACH:
            self.fields.pop("priority", None)
            self.fields["level"].label = "Your level"
        else:
            self.fields["level"].label = "Your level now"

    def has_changed(self):
        return bool(self.data.get(self.add_prefix("skill"))) or bool(self.instance.pk)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("skill") is not None:
            if not cleaned.get("level"):
                self.add_error("level", "Choose a level.")
            if "priority" in self.fields and not cleaned.get("priority"):
                cleaned["priority"] = 2
        return cleaned


class BaseSkillFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args, user=None, direction=None, **kwargs):
        self.user, self.direction = user, direction
        super().__init__(*args, **kwargs)
        self.queryset = self.queryset.filter(direction=direction).select_related("skill")

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "user": self.user, "direction": self.direction}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            user=self.user,
            direction=self.direction,
        )
        self.add_fields(form, None)
        return form

    def clean(self):
        super().clean()
        # Saved rows the post left out (a crafted INITIAL_FORMS) still count: adding their skill
        # again as a new row would break the database's uniqueness, a 500 instead of a message.
        posted = [form.instance.pk for form in self.forms if form.instance.pk]
        seen = set(Skill.objects.filter(profile_skills__in=self.queryset.exclude(pk__in=posted)))
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            skill = form.cleaned_data.get("skill")
            if skill is None:
                continue
            if skill in seen:
                form.add_error("skill", f"{skill} is listed twice.")
            seen.add(skill)


def skill_formset(direction, *, data=None, instance=None, user=None):
    formset_class = forms.inlineformset_factory(
        Profile,
        ProfileSkill,
        form=ProfileSkillForm,
        formset=BaseSkillFormSet,
        fields=["skill", "level"]
        + (["priority"] if direction == ProfileSkill.Direction.LEARN else []),
        extra=2,
        can_delete=True,
    )
    return formset_class(
        data=data, instance=instance, user=user, direction=direction, prefix=direction
    )


class SkillSuggestionForm(forms.Form):
    name = forms.CharField(max_length=80, label="Skill name")
    category = forms.ChoiceField(choices=SkillCategory.choices)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if Skill.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(f"“{name}” is already in the list of skills.")
        return name
