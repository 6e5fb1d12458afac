from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .forms import PreferencesForm
from .kinds import KINDS


@require_http_methods(["GET", "POST"])
def preferences(request):
    data = request.POST if request.method == "POST" else None  # all boxes unticked = empty POST
    form = PreferencesForm(data, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your email settings are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks for confirmation (mail scanners follow links); POST opts out. Mail clients send
    the RFC 8058 one-click POST (body ``List-Unsubscribe=One-Click``) with no cookies, so this
    view needs neither a login nor a CSRF token: the signed token is the authority."""
    read = services.unsubscribe_token_read(token)
    if read is None:
        raise Http404("This unsubscribe link is not valid.")
    user_id, kind = read
    kind_def = KINDS.get(kind)
    user = get_user_model().objects.filter(pk=user_id).first()
    if kind_def is None or kind_def.essential or user is None:
        raise Http404("This unsubscribe link is not valid.")
    if request.method == "POST":
        services.email_preference_set(user=user, kind=kind, enabled=False)
        return render(
            request, "notifications/unsubscribe_done.html", {"kind": kind_def, "email": user.email}
        )
    return render(
        request, "notifications/unsubscribe.html", {"kind": kind_def, "email": user.email}
    )
