from django import forms

from lib.forms import model_fields_form
from lib.once import OnceFormMixin

from .models import (
    QUESTION_FIELDS,
    SCHEDULE_FIELDS,
    TEMPLATE_FIELDS,
    QuestionType,
    SurveySchedule,
    SurveyTemplate,
    Trigger,
)


class SurveyTemplateForm(
    model_fields_form(
        SurveyTemplate,
        TEMPLATE_FIELDS,
        widgets={"description": forms.Textarea(attrs={"rows": 3})},
    )
):
    """A survey's settings as typed, each field checked here; the survey as a whole is validated
    once, by the service that creates or changes it (``lib.forms.model_fields_form``)."""

    @classmethod
    def for_template(cls, data, template: SurveyTemplate) -> "SurveyTemplateForm":
        """The form to change ``template``'s settings, filled with them."""
        return cls(data, initial=forms.model_to_dict(template, fields=TEMPLATE_FIELDS))


class NewSurveyTemplateForm(OnceFormMixin, SurveyTemplateForm):
    """A new survey, created once per form (``lib.once``): the back button and a resend do not
    make a second survey. Changing a survey's settings needs no token: sending the same values
    twice changes nothing, and a changed resend should be saved."""


class QuestionForm(forms.Form):
    type = forms.ChoiceField(label="Type of question", choices=QuestionType.choices)
    text = forms.CharField(label="Question", max_length=300)
    help_text = forms.CharField(
        label="Hint (optional)", max_length=300, required=False, help_text="Shown under it."
    )
    required = forms.BooleanField(label="An answer is required", required=False, initial=True)
    choices = forms.CharField(
        label="Choices",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For single and multiple choice questions: one choice a line, at least two.",
    )

    def __init__(self, *args, question=None, **kwargs):
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "type": question.type,
                "text": question.text,
                "help_text": question.help_text,
                "required": question.required,
                "choices": "\n".join(question.choices),
            }
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        lines = [line.strip() for line in data.get("choices", "").splitlines() if line.strip()]
        if data.get("type") in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            if len(lines) < 2:
                self.add_error("choices", "A choice question needs at least two choices.")
            elif len(set(lines)) != len(lines):
                self.add_error("choices", "Each choice must be different.")
        data["choices"] = lines
        return data

    def question_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in QUESTION_FIELDS}


class NewQuestionForm(OnceFormMixin, QuestionForm):
    """A question added once per form (``lib.once``): a resend does not add it twice."""


class ScheduleForm(
    model_fields_form(SurveySchedule, SCHEDULE_FIELDS, labels={"template": "Survey"})
):
    """A schedule as typed, each field checked here (the survey among this programme's); the
    schedule as a whole is validated once, by the service (``lib.forms.model_fields_form``)."""

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = programme.survey_templates.order_by("name")

    @classmethod
    def for_schedule(cls, data, schedule: SurveySchedule, *, programme) -> "ScheduleForm":
        """The form to change ``schedule``, filled with it."""
        initial = forms.model_to_dict(schedule, fields=SCHEDULE_FIELDS)
        return cls(data, initial=initial, programme=programme)

    def clean(self):
        data = super().clean()
        if data.get("trigger") == Trigger.CHECKINS and not data.get("every_n_checkins"):
            self.add_error("every_n_checkins", "Say after how many check-ins (1 or more).")
        return data


class NewScheduleForm(OnceFormMixin, ScheduleForm):
    """A new schedule, created once per form (``lib.once``): the back button and a resend do
    not schedule the survey twice (and so invite the same people twice)."""


# --- Answering ----------------------------------------------------------------------------------

SCALE_HINTS = {1: "1 (lowest)", 5: "5 (highest)"}
REQUIRED_MESSAGE = "Answer this question: it is required."


def _number_field(question, low, high):
    choices = [(i, str(i)) for i in range(low, high + 1)]
    return forms.TypedChoiceField(
        coerce=int,
        choices=choices,
        widget=forms.RadioSelect,
        empty_value=None,
    )


def answer_field(question) -> forms.Field:
    """The form field for one question. Adding a question type means adding a branch here, a
    summary in selectors._summarise and an entry in models.QuestionType (docs/surveys.md)."""
    t = question.type
    if t in (QuestionType.SCALE_1_5, QuestionType.WELLBEING_1_5):
        field = _number_field(question, 1, 5)
    elif t == QuestionType.NPS_0_10:
        field = _number_field(question, 0, 10)
    elif t == QuestionType.SINGLE_CHOICE:
        field = forms.ChoiceField(
            choices=[(c, c) for c in question.choices], widget=forms.RadioSelect
        )
    elif t == QuestionType.MULTIPLE_CHOICE:
        field = forms.MultipleChoiceField(
            choices=[(c, c) for c in question.choices], widget=forms.CheckboxSelectMultiple
        )
    else:
        field = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    field.label = question.text
    field.help_text = question.help_text
    field.required = question.required
    field.error_messages["required"] = REQUIRED_MESSAGE
    field.error_messages["invalid_choice"] = "Choose one of the options given."
    return field


EMPTY_MESSAGE = "Answer at least one question before sending."


class SurveyAnswerForm(forms.Form):
    """One field per question of a survey version, named q<question id>, and the version the
    form was built from in a hidden field, so an answer is checked against what the person saw.
    """

    # Read by the view (selectors.opened_version), never an error: a tampered value just means
    # "the live version".
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version.pk
        self.questions = list(version.questions.all())
        for question in self.questions:
            self.fields[f"q{question.pk}"] = answer_field(question)

    def clean(self):
        data = super().clean()
        if not self.errors and not any(v not in (None, "", []) for v in self.answers().values()):
            raise forms.ValidationError(EMPTY_MESSAGE)
        return data

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}


def carry_answers(data, *, opened, current) -> tuple[dict, list[tuple[str, str]]]:
    """What a person typed into the form of version ``opened``, moved onto version ``current``.

    Returns the initial values for the ``current`` form (matched by question key, which stays
    the same across versions; a choice that no longer exists is left out), and the answers that
    have nowhere to go (question removed, or choice gone) as (question, what they typed), shown
    to the person so nothing they wrote is lost.
    """
    now = {q.key: q for q in current.questions.all()}
    initial: dict[str, object] = {}
    dropped: list[tuple[str, str]] = []
    for old in opened.questions.all():
        name = f"q{old.pk}"
        values = [v for v in data.getlist(name) if str(v).strip()][:50]
        if not values:
            continue
        new = now.get(old.key)
        if new is None:
            dropped.append((old.text, ", ".join(str(v)[:5000] for v in values)))
            continue
        typed = ", ".join(str(v)[:5000] for v in values)
        if new.type == QuestionType.MULTIPLE_CHOICE:
            value = [v for v in values if v in new.choices]
            lost = len(value) < len(values)
        elif new.is_choice:
            value = values[0] if values[0] in new.choices else None
            lost = value is None
        elif new.number_range:
            low, high = new.number_range
            text = str(values[0])
            value = int(text) if text.isdigit() and low <= int(text) <= high else None
            lost = value is None
        else:
            value, lost = str(values[0])[:5000], False
        if lost:
            dropped.append((old.text, typed))
        if value not in (None, "", []):
            initial[f"q{new.pk}"] = value
    return initial, dropped
