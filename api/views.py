"""The "API tokens" page of a person's account: create (shown once), list, revoke."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lib.audit import AuditContext

from .forms import TokenForm
from .models import ApiToken
from .services import api_token_create, api_token_revoke


def _tokens(user):
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


@never_cache
def tokens(request):
    form = TokenForm(request.POST if request.method == "POST" else None)
    secret = None
    if request.method == "POST" and form.is_valid():
        token, secret = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scopes=form.scopes,
            days=form.cleaned_data["days"],
            ctx=AuditContext.from_request(request),
        )
        messages.success(request, f"Token “{token.name}” created. Copy it now: it is shown once.")
        form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": _tokens(request.user), "secret": secret},
    )


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, ctx=AuditContext.from_request(request))
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("api:tokens")
