from django import forms

from .models import Profile


class ProfileForm(forms.ModelForm):
    full_name = forms.CharField(max_length=150, label="Full name")

    class Meta:
        model = Profile
        fields = [
            "organisation",
            "team",
            "grade",
            "profession",
            "location",
            "time_zone",
            "line_manager_email",
            "bio",
            "interests",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            "interests": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "line_manager_email": "We never pair you with your own line manager.",
            "time_zone": "Used to suggest meeting times in your working hours.",
        }
