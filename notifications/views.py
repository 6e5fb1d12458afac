import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .forms import PreferencesForm
from .kinds import KINDS
from .models import DeliveryStatus, Email
from .notify import attachment_read


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


@login_not_required
def attachment(request, token: str):
    """The file an email carried (an .ics invitation), for GOV.UK Notify emails, which carry no
    attachments: the email links here instead. The signed token names the row and the file; a
    forged one is 404 whatever the method."""
    found = attachment_read(token)
    if found is None:
        raise Http404("This link is not valid.")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    email = Email.objects.filter(pk=found[0]).only("attachments").first()
    items = email.attachments if email is not None else []
    if not 0 <= found[1] < len(items):
        raise Http404("This file is no longer available.")
    item = items[found[1]]
    response = HttpResponse(
        item["content"], content_type=item.get("mimetype") or "application/octet-stream"
    )
    filename = "".join(c for c in item.get("filename", "file") if c.isalnum() or c in "._-")
    response["Content-Disposition"] = f'attachment; filename="{filename or "file"}"'
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
@csrf_exempt
@require_http_methods(["POST"])
def notify_callback(request):
    """GOV.UK Notify's delivery-receipt callback. Notify sends ``Authorization: Bearer <token>``
    with the token set in its callback settings (NOTIFY_CALLBACK_TOKEN here), compared in
    constant time; no token configured means no endpoint (404)."""
    expected = settings.NOTIFY_CALLBACK_TOKEN
    if not expected:
        raise Http404()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        return JsonResponse({"error": "Unauthorised"}, status=401)
    try:
        payload = json.loads(request.body)
        status = payload["status"]
        reference = payload.get("reference") or ""
        provider_id = payload.get("id") or ""
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest("Not a delivery receipt.")
    if status not in DeliveryStatus.values or not isinstance(reference, str):
        return HttpResponseBadRequest("Unknown status.")
    services.email_delivery_record(reference=reference, provider_id=str(provider_id), status=status)
    # An unknown row (deleted by retention, erased) is still answered 2xx: Notify would retry.
    return HttpResponse(status=204)


@require_http_methods(["POST"])
def address_confirm(request):
    """The person confirms the address Notify could not deliver to: optional emails resume."""
    services.address_confirm(user=request.user)
    messages.success(request, "Thank you: we will email you at this address again.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "notifications:preferences"
    return redirect(target)
