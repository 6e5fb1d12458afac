from allauth.account.adapter import DefaultAccountAdapter

from .models import Profile


class AccountAdapter(DefaultAccountAdapter):
    """Every account gets a profile the moment it is created."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            Profile.objects.get_or_create(user=user)
        return user
