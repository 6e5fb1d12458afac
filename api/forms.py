from django import forms

from .models import Scope

EXPIRY_CHOICES = [(7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "1 year")]


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="What the token is for, so you recognise it later."
    )
    people = forms.BooleanField(
        required=False,
        label="Include people's names and email addresses (the “people” scope)",
        help_text="Without it the token reads figures, and rows about people by id only.",
    )
    days = forms.TypedChoiceField(
        label="Expires after", choices=EXPIRY_CHOICES, coerce=int, initial=90
    )

    @property
    def scopes(self) -> list[str]:
        extra = [Scope.PEOPLE] if self.cleaned_data.get("people") else []
        return [Scope.FIGURES, *extra]
