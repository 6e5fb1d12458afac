"""Pages for bulk invitations, the talent pool, exports and the public invitation links.

Coordinator pages answer 404 to anyone who does not coordinate the programme (staff see all).
The register-interest page and the invitation link are public.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from lib.csvsafe import CSV_CONTENT_TYPE, iter_csv
from people.services import audit_record

from . import selectors, selectors_pool, services_invites
from .forms_pool import (
    InviteUploadForm,
    PoolInviteForm,
    RegisterInterestForm,
    TalentPoolAddForm,
    TalentPoolFilterForm,
)
from .models import Enrolment, Programme


def _csv_response(*, header, rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        iter_csv(header, rows, bom=True), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# -- bulk invite from a CSV file -----------------------------------------------------------------


def cohort_invite(request, slug, pk):
    cohort = selectors.cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    form = InviteUploadForm(request.POST or None, request.FILES or None)
    errors, file_name = [], ""
    can_invite = cohort.status in services_invites.INVITABLE_STATUSES
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        file_name = upload.name
        try:
            result = services_invites.cohort_invite_csv(
                cohort=cohort,
                upload=upload,
                invited_by=request.user,
                file_name=file_name,
                request=request,
            )
        except services_invites.InviteFileInvalid as exc:
            errors = exc.errors
        except ValidationError as exc:
            errors = [(None, m) for m in exc.messages]
        else:
            messages.success(request, f"“{file_name}”: {result.summary}")
            return redirect(cohort)
    return render(
        request,
        "programmes/pool/cohort_invite.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "form": form,
            "errors": errors,
            "file_name": file_name,
            "can_invite": can_invite,
            "max_bytes": services_invites.invite_max_bytes(),
            "max_rows": services_invites.invite_max_rows(),
        },
        status=400 if errors else 200,
    )


@require_GET
def cohort_export(request, slug, pk):
    cohort = selectors.cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    rows = selectors_pool.cohort_export_rows(cohort=cohort)
    audit_record(
        actor=request.user,
        action="export",
        obj=cohort,
        programme_id=cohort.programme_id,
        summary=f"Exported the enrolments of {cohort.name}: {len(rows)} rows",
        request=request,
    )
    filename = f"{cohort.programme.slug}-{slugify(cohort.name)}-{timezone.localdate()}.csv"
    return _csv_response(header=selectors_pool.COHORT_EXPORT_HEADER, rows=rows, filename=filename)


# -- talent pool ---------------------------------------------------------------------------------


def _pool_filters(request, programme):
    form = TalentPoolFilterForm(request.GET or None, programme=programme)
    return form, {k: v for k, v in form.filters.items() if v}


@require_GET
def talent_pool(request, slug):
    programme = selectors.programme_for_coordinator(user=request.user, slug=slug)
    filters, active = _pool_filters(request, programme)
    rows = selectors_pool.talent_pool_rows(programme=programme, **active)
    invite_form = PoolInviteForm(programme=programme, emails=[r.email for r in rows])
    return render(
        request,
        "programmes/pool/talent_pool.html",
        {
            "programme": programme,
            "filters": filters,
            "filtered": bool(active),
            "rows": rows,
            "invite_form": invite_form,
            "query": request.GET.urlencode(),
        },
    )


@require_POST
def talent_pool_invite(request, slug):
    programme = selectors.programme_for_coordinator(user=request.user, slug=slug)
    rows = {r.email: r for r in selectors_pool.talent_pool_rows(programme=programme)}
    form = PoolInviteForm(request.POST, programme=programme, emails=list(rows))
    back = reverse("programmes:talent_pool", args=[programme.slug])
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
        return redirect(back)
    cohort = form.cleaned_data["cohort"]
    chosen_role = form.cleaned_data["role"]
    invitees = [
        services_invites.Invitee(
            email=row.email,
            name=row.name,
            role=chosen_role or row.invite_role,
            organisation=row.organisation,
        )
        for row in (rows[e] for e in form.cleaned_data["emails"])
    ]
    try:
        result = services_invites.cohort_invite_people(
            cohort=cohort,
            invitees=invitees,
            invited_by=request.user,
            source="the talent pool",
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, f"{cohort.name}: {result.summary}")
    return redirect(back)


def talent_pool_add(request, slug):
    programme = selectors.programme_for_coordinator(user=request.user, slug=slug)
    form = TalentPoolAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services_invites.talent_pool_add(
                programme=programme, added_by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{entry.email} added to the talent pool.")
            return redirect("programmes:talent_pool", programme.slug)
    return render(
        request, "programmes/pool/talent_pool_add.html", {"programme": programme, "form": form}
    )


@require_GET
def talent_pool_export(request, slug):
    programme = selectors.programme_for_coordinator(user=request.user, slug=slug)
    _filters, active = _pool_filters(request, programme)
    rows = selectors_pool.talent_pool_export_rows(
        selectors_pool.talent_pool_rows(programme=programme, **active)
    )
    described = ", ".join(f"{k}={getattr(v, 'pk', v)}" for k, v in active.items())
    audit_record(
        actor=request.user,
        action="export",
        obj=programme,
        programme_id=programme.pk,
        summary=f"Exported the talent pool{f' ({described})' if described else ''}: "
        f"{len(rows)} rows",
        request=request,
    )
    filename = f"{programme.slug}-talent-pool-{timezone.localdate()}.csv"
    return _csv_response(
        header=selectors_pool.TALENT_POOL_EXPORT_HEADER, rows=rows, filename=filename
    )


# -- public pages --------------------------------------------------------------------------------


@login_not_required
def register_interest(request, slug):
    programme = get_object_or_404(Programme, slug=slug)
    form = RegisterInterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.is_spam:
            data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
            services_invites.talent_pool_register_interest(programme=programme, **data)
        # The same answer whether the address was known, new or the form was spam.
        return redirect("programmes:register_interest_thanks", programme.slug)
    return render(
        request, "programmes/pool/register_interest.html", {"programme": programme, "form": form}
    )


@login_not_required
@require_GET
def register_interest_thanks(request, slug):
    programme = get_object_or_404(Programme, slug=slug)
    return render(
        request, "programmes/pool/register_interest_thanks.html", {"programme": programme}
    )


@login_not_required
def invitation_accept(request, token):
    try:
        enrolment = services_invites.invitation_from_token(token)
    except signing.SignatureExpired:
        return _invitation_invalid(request, expired=True)
    except (signing.BadSignature, Enrolment.DoesNotExist, KeyError, TypeError):
        return _invitation_invalid(request, expired=False)
    user = enrolment.user
    context = {"enrolment": enrolment, "cohort": enrolment.cohort}
    if request.user.is_authenticated and request.user.pk == user.pk:
        messages.info(request, f"You are invited to {enrolment.cohort}.")
        return redirect("home")
    if user.is_active or user.has_usable_password():
        # Their account already has a password: they sign in like on any other day.
        context["signed_in_as_other"] = request.user.is_authenticated
        context["login_url"] = f"{reverse('account_login')}?next={reverse('home')}"
        return render(request, "programmes/pool/invitation_signin.html", context)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services_invites.invitation_accept(
                enrolment=enrolment, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome, {user.display_name}. Your account is ready and your invitation to "
                f"{enrolment.cohort} is below.",
            )
            return redirect("home")
    context["form"] = form
    return render(request, "programmes/pool/invitation_accept.html", context)


def _invitation_invalid(request, *, expired: bool):
    return render(
        request, "programmes/pool/invitation_invalid.html", {"expired": expired}, status=404
    )
