from django import forms

from . import services
from .kinds import optional_kinds


class PreferencesForm(forms.Form):
    """One checkbox per optional kind of email; essential emails are listed, not offered."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.kinds = optional_kinds(user=user)
        for name, kind in self.kinds.items():
            self.fields[f"kind_{name}"] = forms.BooleanField(
                label=kind.label,
                help_text=kind.description,
                required=False,
                initial=services.email_kind_enabled(user=user, kind=name),
            )

    def save(self):
        for name in self.kinds:
            services.email_preference_set(
                user=self.user, kind=name, enabled=self.cleaned_data[f"kind_{name}"]
            )
