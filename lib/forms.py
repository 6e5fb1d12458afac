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


def model_fields_form(model, fields, **options) -> type[forms.Form]:
    """A plain ``Form`` class with ``model``'s ``fields`` as a ModelForm would make them (labels,
    lengths, choices, the fields' own validators; ``options`` as ``fields_for_model`` takes them:
    ``widgets``, ``labels``, ``help_texts``), to inherit from.

    For a form whose service validates the model itself (``full_clean``): the form checks each
    field as typed and builds no instance, so a POST validates the model once, in the service,
    not in a ModelForm first. Fill an edit form with ``initial=forms.model_to_dict(obj, fields)``.
    """
    declared = forms.fields_for_model(model, fields=fields, **options)
    return type(f"{model.__name__}Fields", (forms.Form,), dict(declared))
