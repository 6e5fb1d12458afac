"""Form widgets every app may use."""

from django import forms


class DateInput(forms.DateInput):
    """A browser date picker. It only understands ISO dates (2026-11-30): a localised value
    such as 30/11/2026 is silently dropped, so the value is always written in ISO."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
