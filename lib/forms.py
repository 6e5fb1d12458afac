"""Form fields every app may use."""

from django import forms
from django.core.exceptions import ValidationError


class IdsField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` over integer ids that refuses, as an invalid choice, an id
    the database cannot hold (Django passes a 30-digit id to an ``IN`` query, and SQLite raises
    ``OverflowError``: a 500 on hostile input) or one ``int()`` cannot read."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not text.isdecimal() or len(text) > 18:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
