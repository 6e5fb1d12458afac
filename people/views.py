from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render

from .forms import ProfileForm
from .services import profile_get, profile_update


def profile_edit(request):
    profile = profile_get(user=request.user)
    form = ProfileForm(
        request.POST or None, instance=profile, initial={"full_name": request.user.full_name}
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            data = {
                k: v for k, v in form.cleaned_data.items() if k not in {"full_name", "interests"}
            }
            profile_update(user=request.user, data=data, interests=form.cleaned_data["interests"])
            request.user.full_name = form.cleaned_data["full_name"]
            request.user.save(update_fields=["full_name"])
        messages.success(request, "Your profile is saved.")
        return redirect("people:profile")
    return render(request, "people/profile_form.html", {"form": form})
