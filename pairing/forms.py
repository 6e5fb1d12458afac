from django import forms

from .models import CheckIn, PairGoal


class CheckInForm(forms.ModelForm):
    class Meta:
        model = CheckIn
        fields = [
            "met_on",
            "duration_minutes",
            "format",
            "worked_on",
            "next_step",
            "rating",
            "wellbeing",
            "protected_time_kept",
            "shared_with_coordinator",
        ]
        widgets = {
            "met_on": forms.DateInput(attrs={"type": "date"}),
            "worked_on": forms.Textarea(attrs={"rows": 3}),
            "next_step": forms.Textarea(attrs={"rows": 2}),
            "rating": forms.RadioSelect(choices=[(i, str(i)) for i in range(1, 6)]),
            "wellbeing": forms.RadioSelect(choices=[(i, str(i)) for i in range(1, 6)]),
        }
        help_texts = {
            "rating": "1 = not useful, 5 = very useful.",
            "wellbeing": "1 = struggling, 5 = doing well. Coordinators see this score, "
            "never your notes unless you share them.",
            "shared_with_coordinator": "Otherwise only your pair sees what you worked on.",
        }


class GoalForm(forms.Form):
    text = forms.CharField(label="New goal", max_length=300)


class GoalProgressForm(forms.Form):
    progress = forms.ChoiceField(choices=PairGoal.Progress.choices)
