from django import forms

from lib.forms import model_fields_form

from .models import SETTINGS_FIELDS, RhythmSettings


class RhythmSettingsForm(
    model_fields_form(
        RhythmSettings,
        SETTINGS_FIELDS,
        widgets={"support_information": forms.Textarea(attrs={"rows": 6})},
    )
):
    """A programme's reminder settings as typed; the settings as a whole (the reminders' ranges,
    the second after the first) are validated once, by the service that saves them
    (``lib.forms.model_fields_form``)."""

    @classmethod
    def for_settings(cls, data, settings_row: RhythmSettings) -> "RhythmSettingsForm":
        """The form to change ``settings_row`` (saved or the defaults), filled with it."""
        return cls(data, initial=forms.model_to_dict(settings_row, fields=SETTINGS_FIELDS))

    def clean(self):
        cleaned = super().clean()
        first = cleaned.get("survey_reminder_first_days")
        second = cleaned.get("survey_reminder_second_days")
        if first and second and second <= first:
            self.add_error(
                "survey_reminder_second_days", "The second reminder must come after the first."
            )
        return cleaned
