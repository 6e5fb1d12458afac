from django import forms

from .models import RhythmSettings


class RhythmSettingsForm(forms.ModelForm):
    class Meta:
        model = RhythmSettings
        fields = [
            "survey_reminder_first_days",
            "survey_reminder_second_days",
            "support_information",
            "bank_holidays",
        ]
        widgets = {"support_information": forms.Textarea(attrs={"rows": 6})}

    def clean(self):
        cleaned = super().clean()
        first = cleaned.get("survey_reminder_first_days")
        second = cleaned.get("survey_reminder_second_days")
        if first and second and second <= first:
            self.add_error(
                "survey_reminder_second_days", "The second reminder must come after the first."
            )
        return cleaned
