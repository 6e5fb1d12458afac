from django import forms

from .models import QuestionType, SurveySchedule, SurveyTemplate, Trigger


class SurveyTemplateForm(forms.ModelForm):
    class Meta:
        model = SurveyTemplate
        fields = ["name", "description", "anonymous", "audience"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


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


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = SurveySchedule
        fields = [
            "template",
            "audience",
            "trigger",
            "offset_days",
            "every_n_checkins",
            "close_after_days",
            "active",
        ]
        labels = {"template": "Survey"}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = programme.survey_templates.order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("trigger") == Trigger.CHECKINS and not data.get("every_n_checkins"):
            self.add_error("every_n_checkins", "Say after how many check-ins (1 or more).")
        return data


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


class SurveyAnswerForm(forms.Form):
    """One field per question of a survey version, named q<question id>."""

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(version.questions.all())
        for question in self.questions:
            self.fields[f"q{question.pk}"] = answer_field(question)

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
