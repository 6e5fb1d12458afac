from django import forms


class DateFilterForm(forms.Form):
    """The dashboards' date filter. Both ends are optional; ``end`` is the as-of date."""

    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date must be on or after the start date.")
        return data

    @property
    def dates(self) -> tuple:
        """(start, end) when valid, else (None, None): a bad filter shows everything."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("start"), self.cleaned_data.get("end")
        return None, None

    @property
    def querystring(self) -> str:
        start, end = self.dates
        parts = [f"start={start.isoformat()}"] if start else []
        if end:
            parts.append(f"end={end.isoformat()}")
        return "&".join(parts)
