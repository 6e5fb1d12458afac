"""Recruitment's pages: applying, the application page, line-manager sign-off, the coordinator's
review, bulk invitations, the talent pool, exports and the public invitation links.

Coordinator pages answer 404 to anyone who does not coordinate the programme (staff see all).
The register-interest page, the invitation link and the manager's sign-off link are public.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from lib import once, signing
from lib.audit import AuditContext
from lib.csvsafe import CSV_CONTENT_TYPE, iter_csv
from lib.forms import add_errors
from lib.pagination import paginate
from people.forms import skills_for
from people.services import audit_record, profile_get
from programmes import lifecycle
from programmes import selectors as programme_selectors
from programmes.models import Enrolment, EnrolmentStatus, Programme, Role
from programmes.selectors import cohort_for_coordinator, programme_for_coordinator, require

from . import invitations, selectors, services
from .forms import (
    ApplicationFilterForm,
    BusinessPriorityForm,
    DecisionForm,
    InviteUploadForm,
    MenteeApplicationForm,
    MentorApplicationForm,
    NotesForm,
    PoolInviteForm,
    RegisterInterestForm,
    RestoreForm,
    TalentPoolAddForm,
    TalentPoolFilterForm,
    WithdrawForm,
)
from .models import Project, TalentPoolEntry


def _csv_response(*, header, rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        iter_csv(header, rows, bom=True), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# -- bulk invite from a CSV file -----------------------------------------------------------------


def cohort_invite(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    form = InviteUploadForm(request.POST or None, request.FILES or None)
    errors, file_name = [], ""
    can_invite = cohort.status in invitations.INVITABLE_STATUSES
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        file_name = upload.name

        def invite() -> once.Done:
            result = invitations.cohort_invite_csv(
                ctx=AuditContext.from_request(request),
                cohort=cohort,
                upload=upload,
                file_name=file_name,
            )
            return once.Done(cohort.get_absolute_url(), f"“{file_name}”: {result.summary}")

        try:
            return once.run_once(request, token=once.token_from(request.POST), action=invite)
        except invitations.InviteFileInvalid as exc:
            errors = exc.errors
        except ValidationError as exc:
            errors = [(None, m) for m in exc.messages]
    return render(
        request,
        "recruitment/cohort_invite.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "form": form,
            "errors": errors,
            "file_name": file_name,
            "can_invite": can_invite,
            "max_bytes": invitations.invite_max_bytes(),
            "max_rows": invitations.invite_max_rows(),
        },
        status=400 if errors else 200,
    )


@require_GET
def cohort_export(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    # Streamed: the rows are read in chunks while the response is sent (memory flat at
    # 30,000 people); the audit record counts them first with one query.
    rows = selectors.cohort_export_rows(cohort=cohort)
    audit_record(
        action="export",
        obj=cohort,
        programme_id=cohort.programme_id,
        summary=(
            f"Exported the enrolments of {cohort.name}: "
            f"{selectors.cohort_export_count(cohort=cohort)} rows"
        ),
        context=AuditContext.from_request(request),
    )
    filename = f"{cohort.programme.slug}-{slugify(cohort.name)}-{timezone.localdate()}.csv"
    return _csv_response(header=selectors.COHORT_EXPORT_HEADER, rows=rows, filename=filename)


# -- talent pool ---------------------------------------------------------------------------------


def _pool_filters(query: QueryDict, programme):
    form = TalentPoolFilterForm(query or None, programme=programme)
    return form, {k: v for k, v in form.filters.items() if v}


@require_GET
def talent_pool(request, slug):
    programme = programme_for_coordinator(user=request.user, slug=slug)
    filters, active = _pool_filters(request.GET, programme)
    # One page at a time: a national programme's pool holds thousands of alumni. The database
    # filters, sorts and cuts it (selectors.talent_pool); only the page's rows are built. Each
    # page's ticked people are invited from that page.
    page = paginate(request, selectors.talent_pool(programme=programme, **active))
    rows = page.object_list
    invite_form = PoolInviteForm(programme=programme, emails=[r.email for r in rows])
    return render(
        request,
        "recruitment/talent_pool.html",
        {
            "programme": programme,
            "filters": filters,
            "filtered": bool(active),
            "rows": rows,
            "page": page,
            "invite_form": invite_form,
            "invite_limit": invitations.invite_max_rows(),
            "query": request.GET.urlencode(),
        },
    )


def _address(value: str) -> bool:
    try:
        validate_email(value.strip())
    except ValidationError:
        return False
    return True


@require_POST
def talent_pool_invite(request, slug):
    programme = programme_for_coordinator(user=request.user, slug=slug)
    # Back to the page and filters the people were ticked on; only ever a query string of the
    # pool's own page (parsed and encoded again), never an address of someone else's choosing.
    posted_query = QueryDict(request.POST.get("back_query", ""))
    query = posted_query.urlencode()
    back = reverse("recruitment:talent_pool", args=[programme.slug])
    back += f"?{query}" if query else ""
    if request.POST.get("everyone"):
        # Everyone the page's filters match, on every page: the filters come back with the
        # way back, read by the same form as the page's, so only this programme's pool.
        filters, active = _pool_filters(posted_query, programme)
        if filters.is_bound and not filters.is_valid():
            messages.error(request, "The filters are not valid: no one was invited.")
            return redirect(back)
        pool = selectors.talent_pool(programme=programme, **active)
        limit = invitations.invite_max_rows()
        if len(pool) > limit:
            messages.error(
                request,
                f"{len(pool)} people match; at most {limit} can be invited at once. "
                "Narrow the filters, or tick people on a page.",
            )
            return redirect(back)
    else:
        # Only the ticked addresses that are in the pool can be chosen: the rest are refused
        # (by the form: a value that is no address is not looked up at all).
        ticked = [e.strip().lower() for e in request.POST.getlist("emails") if _address(e)]
        pool = selectors.talent_pool(programme=programme, emails=ticked)
    rows = {r.email: r for r in pool}
    form = PoolInviteForm(request.POST, programme=programme, emails=list(rows))
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
        return redirect(back)
    cohort = form.cleaned_data["cohort"]
    chosen_role = form.cleaned_data["role"]
    invitees = [
        invitations.Invitee(
            email=row.email,
            name=row.name,
            role=chosen_role or row.invite_role,
            organisation=row.organisation,
        )
        for row in (
            rows.values()
            if form.cleaned_data["everyone"]
            else (rows[e] for e in form.cleaned_data["emails"])
        )
    ]

    def invite() -> once.Done:
        result = invitations.cohort_invite_people(
            ctx=AuditContext.from_request(request),
            cohort=cohort,
            invitees=invitees,
            source="the talent pool",
        )
        return once.Done(back, f"{cohort.name}: {result.summary}")

    try:
        return once.run_once(request, token=once.token_from(request.POST), action=invite)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)


def talent_pool_add(request, slug):
    programme = programme_for_coordinator(user=request.user, slug=slug)
    form = TalentPoolAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.talent_pool_add(
                ctx=AuditContext.from_request(request), programme=programme, **form.model_data()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{entry.email} added to the talent pool.")
            return redirect("recruitment:talent_pool", programme.slug)
    return render(
        request, "recruitment/talent_pool_add.html", {"programme": programme, "form": form}
    )


@require_GET
def talent_pool_export(request, slug):
    programme = programme_for_coordinator(user=request.user, slug=slug)
    _filters, active = _pool_filters(request.GET, programme)
    pool = selectors.talent_pool(programme=programme, **active)
    rows = selectors.talent_pool_export_rows(pool)  # read and written as the response is sent
    described = ", ".join(f"{k}={getattr(v, 'pk', v)}" for k, v in active.items())
    audit_record(
        action="export",
        obj=programme,
        programme_id=programme.pk,
        summary=f"Exported the talent pool{f' ({described})' if described else ''}: "
        f"{len(pool)} rows",
        context=AuditContext.from_request(request),
    )
    filename = f"{programme.slug}-talent-pool-{timezone.localdate()}.csv"
    return _csv_response(header=selectors.TALENT_POOL_EXPORT_HEADER, rows=rows, filename=filename)


# -- public pages --------------------------------------------------------------------------------


@login_not_required
def register_interest(request, slug):
    programme = get_object_or_404(Programme, slug=slug)
    form = RegisterInterestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if not form.is_spam:
                services.talent_pool_register_interest(programme=programme, **form.model_data())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            # The same answer whether the address was known, new or the form was spam.
            return redirect("recruitment:register_interest_thanks", programme.slug)
    return render(
        request, "recruitment/register_interest.html", {"programme": programme, "form": form}
    )


@login_not_required
def register_interest_confirm(request, slug, token):
    """The owner of an address in the pool confirms a change made on the public form."""
    programme = get_object_or_404(Programme, slug=slug)
    loaded = services.talent_pool_interest_load(programme=programme, token=token)
    if loaded is None:
        return render(
            request,
            "recruitment/register_interest_confirm.html",
            {"programme": programme, "invalid": True},
            status=404,
        )
    entry, change = loaded
    if request.method == "POST":
        services.talent_pool_interest_confirm(entry=entry, change=change)
        messages.success(request, "Your details are updated.")
        return redirect("recruitment:register_interest_thanks", programme.slug)
    return render(
        request,
        "recruitment/register_interest_confirm.html",
        {
            "programme": programme,
            "change": change,
            "role_label": dict(TalentPoolEntry.RoleInterest.choices).get(change["role"], ""),
        },
    )


@login_not_required
@require_GET
def register_interest_thanks(request, slug):
    programme = get_object_or_404(Programme, slug=slug)
    return render(request, "recruitment/register_interest_thanks.html", {"programme": programme})


@login_not_required
def invitation_accept(request, token):
    try:
        enrolment = invitations.invitation_from_token(token)
    except signing.SignatureExpired:
        return _invitation_invalid(request, expired=True)
    except (signing.BadSignature, Enrolment.DoesNotExist, KeyError, TypeError):
        return _invitation_invalid(request, expired=False)
    user = enrolment.user
    context = {"enrolment": enrolment, "cohort": enrolment.cohort}
    application_url = reverse("recruitment:application", args=[enrolment.pk])
    if request.user.is_authenticated and request.user.pk == user.pk:
        # The invitation's own page, with its accept button (not the home page).
        return redirect(application_url)
    if user.is_active or user.has_usable_password():
        # Their account already has a password: they sign in like on any other day, and land
        # on the invitation.
        context["signed_in_as_other"] = request.user.is_authenticated
        context["login_url"] = f"{resolve_url(settings.LOGIN_URL)}?next={application_url}"
        return render(request, "recruitment/invitation_signin.html", context)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.invitation_accept(
                enrolment=enrolment, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome, {user.display_name}. Your account is ready: here is your invitation "
                f"to {enrolment.cohort}.",
            )
            return redirect(application_url)
    context["form"] = form
    return render(request, "recruitment/invitation_accept.html", context)


def _invitation_invalid(request, *, expired: bool):
    return render(request, "recruitment/invitation_invalid.html", {"expired": expired}, status=404)


# -- applications ------------------------------------------------------------------------------


def _application_form(role, cohort, user, data=None, initial=None):
    form_class = MenteeApplicationForm if role == Role.MENTEE else MentorApplicationForm
    return form_class(
        data,
        initial=initial,
        programme=cohort.programme,
        skills=skills_for(user),
        needs_manager=cohort.programme.requires_manager_signoff,
    )


def _initial_from(enrolment, user):
    initial = {"manager_email": user.profile.line_manager_email}
    if enrolment is None:
        return initial
    initial.update(
        goals=enrolment.goals,
        capacity=enrolment.capacity,
        availability=enrolment.availability,
        topics=list(enrolment.topics.all()),
    )
    if enrolment.manager_email:
        initial["manager_email"] = enrolment.manager_email
    project = getattr(enrolment, "project", None)
    if project is not None:
        initial.update(
            title=project.title,
            description=project.description,
            expected_benefit=project.expected_benefit,
            priorities=list(project.priorities.all()),
        )
    return initial


def apply(request, pk, role):
    require(role in (Role.MENTEE, Role.MENTOR))
    cohort = selectors.cohort_open_for_applications(pk=pk)
    existing = Enrolment.objects.filter(user=request.user, cohort=cohort).first()
    if existing and existing.status not in (EnrolmentStatus.INVITED, EnrolmentStatus.APPLIED):
        messages.info(request, "Your application to this cohort has already been decided.")
        return redirect("recruitment:application", existing.pk)
    profile_get(user=request.user)
    form = _application_form(
        role, cohort, request.user, request.POST or None, _initial_from(existing, request.user)
    )
    similar = []
    if request.method == "POST":
        if form.is_valid():
            try:
                enrolment = services.application_submit(
                    user=request.user, cohort=cohort, role=role, data=form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your application is sent.")
                return redirect("recruitment:application", enrolment.pk)
        # Only text that passed the form's length limits feeds the similarity search: a 2 MB
        # description must not tie up a worker (docs/privacy.md, "inputs are bounded").
        cleaned = getattr(form, "cleaned_data", {})
        if role == Role.MENTEE and ("title" in cleaned or "description" in cleaned):
            similar = selectors.similar_projects(
                programme=cohort.programme,
                title=cleaned.get("title", ""),
                description=cleaned.get("description", ""),
                exclude_project_id=getattr(getattr(existing, "project", None), "pk", None),
            )
    return render(
        request,
        "recruitment/apply.html",
        {"cohort": cohort, "form": form, "role": role, "similar": similar, "existing": existing},
    )


@require_POST
def apply_similar(request, pk):
    """The htmx partial that warns a mentee about similar projects while they write."""
    cohort = selectors.cohort_open_for_applications(pk=pk)
    existing = Enrolment.objects.filter(user=request.user, cohort=cohort).first()
    # Cut to the form's limits before the search (the page is a preview while typing).
    similar = selectors.similar_projects(
        programme=cohort.programme,
        title=request.POST.get("title", "")[
            : MenteeApplicationForm.base_fields["title"].max_length
        ],
        description=request.POST.get("description", "")[
            : MenteeApplicationForm.base_fields["description"].max_length
        ],
        exclude_project_id=getattr(getattr(existing, "project", None), "pk", None),
    )
    return render(request, "recruitment/partials/similar_projects.html", {"similar": similar})


def application_detail(request, pk):
    enrolment = selectors.application_for_user(user=request.user, pk=pk)
    return render(
        request,
        "recruitment/application_detail.html",
        {
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "state": programme_selectors.enrolment_state(enrolment=enrolment),
            "history": programme_selectors.enrolment_history(enrolment=enrolment),
            "can_withdraw": lifecycle.can_move(enrolment.status, lifecycle.Move.WITHDRAW),
            "project": getattr(enrolment, "project", None),
            "can_edit": enrolment.cohort.is_open_for_applications
            and enrolment.status in (EnrolmentStatus.INVITED, EnrolmentStatus.APPLIED),
        },
    )


def application_withdraw(request, pk):
    """A confirmation page naming who will be emailed, then the withdrawal and all that follows
    (docs/lifecycle.md)."""
    enrolment = selectors.application_for_user(user=request.user, pk=pk)
    if not lifecycle.can_move(enrolment.status, lifecycle.Move.WITHDRAW):
        messages.info(request, f"You are {enrolment.get_status_display().lower()}: nothing to do.")
        return redirect("recruitment:application", enrolment.pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                enrolment=enrolment,
                ctx=AuditContext.from_request(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "You have withdrawn. We have emailed you a confirmation.")
        return redirect("recruitment:application", enrolment.pk)
    return render(
        request,
        "recruitment/application_withdraw.html",
        {
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "form": form,
            "recipients": programme_selectors.withdrawal_recipients(enrolment=enrolment),
        },
    )


@login_not_required
def manager_signoff(request, token):
    """A line manager approves or declines, once, through the signed link in their email.

    The link works while its request is the application's current one and undecided: once a
    decision is recorded, or the applicant names another address, it answers 404.
    """
    link = services.manager_signoff_load(token)
    if link is None:
        return render(request, "recruitment/manager_signoff_invalid.html", status=404)
    enrolment = link.enrolment
    recorded = None
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision in ("approve", "decline"):
            recorded = services.manager_signoff_record(
                ctx=AuditContext.from_request(request), link=link, approve=decision == "approve"
            )
            if not recorded:
                return render(request, "recruitment/manager_signoff_invalid.html", status=404)
            enrolment.refresh_from_db()
        else:
            messages.error(request, "Choose approve or decline.")
    project = Project.objects.filter(enrolment=enrolment).first()
    return render(
        request,
        "recruitment/manager_signoff.html",
        {"enrolment": enrolment, "project": project, "token": token, "recorded": recorded},
    )


@require_GET
def review(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    filters = ApplicationFilterForm(request.GET or None)
    # Each filter on its own: a value not among the choices (an old or edited link) is ignored
    # with a notice on the page, and the others still apply.
    filters.is_valid()  # fills cleaned_data with the filters understood (none when unbound)
    chosen = getattr(filters, "cleaned_data", {})
    role, status = chosen.get("role", ""), chosen.get("status", "")
    duplicates_only = chosen.get("duplicates", False)
    rows = selectors.review_rows(
        cohort=cohort, role=role, status=status, duplicates_only=duplicates_only
    )
    return render(
        request,
        "recruitment/review.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "filters": filters,
            "rows": rows,
            "decisions": DecisionForm.DECISIONS,
            "query": request.GET.urlencode(),
        },
    )


def _review_url(slug, pk, request) -> str:
    """The review page with the filters the coordinator had (they travel in the query string)."""
    url = reverse("recruitment:review", args=[slug, pk])
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


def _decision_form(request, cohort) -> DecisionForm:
    ids = list(cohort.enrolments.values_list("pk", flat=True))
    return DecisionForm(request.POST, enrolment_ids=ids)


@require_POST
def review_confirm(request, slug, pk):
    """Before anyone is emailed: name the people a bulk decision changes, and those it leaves."""
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    form = _decision_form(request, cohort)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(_review_url(slug, pk, request))
    decision = form.cleaned_data["decision"]
    changing, unchanged = selectors.decision_preview(
        cohort=cohort, enrolment_ids=form.cleaned_data["enrolments"], decision=decision
    )
    return render(
        request,
        "recruitment/review_confirm.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "decision": decision,
            "label": dict(DecisionForm.DECISIONS)[decision],
            "changing": changing,
            "unchanged": unchanged,
            "ending": programme_selectors.pairs_ending(
                enrolments=cohort.enrolments.filter(pk__in=form.cleaned_data["enrolments"]),
                decision=decision,
            ),
            "query": request.GET.urlencode(),
            "back": _review_url(slug, pk, request),
        },
    )


def _decision_messages(request, result, cohort) -> None:
    """What a decision did besides the count: the waiting list for places, refusals, and what
    followed for people who were paired (docs/lifecycle.md)."""
    if result.waitlisted_for_places:
        messages.warning(
            request,
            f"On the waiting list, not accepted: {', '.join(result.waitlisted_for_places)}. "
            f"All {cohort.capacity} mentee places are taken; raise the cohort's places to accept "
            "more.",
        )
    for line in result.refused:
        messages.error(request, line)
    for line in result.consequences:
        messages.info(request, line[:1].upper() + line[1:] + ".")


def enrolment_restore(request, slug, pk, enrolment_pk):
    """A coordinator undoes a withdrawal or a decline, with a reason; the person is emailed."""
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    enrolment = get_object_or_404(
        cohort.enrolments.select_related("user").filter(
            status__in=[EnrolmentStatus.WITHDRAWN, EnrolmentStatus.DECLINED]
        ),
        pk=enrolment_pk,
    )
    form = RestoreForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.enrolment_restore(
                enrolment=enrolment,
                ctx=AuditContext.from_request(request),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            status = result.enrolment.get_status_display().lower()
            messages.success(
                request, f"{enrolment.user.display_name} is {status} again and has been emailed."
            )
            for line in result.consequences:
                messages.warning(request, line[:1].upper() + line[1:] + ".")
            return redirect(f"{reverse('recruitment:review', args=[slug, pk])}#e{enrolment.pk}")
    return render(
        request,
        "recruitment/enrolment_restore.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "enrolment": enrolment,
            "form": form,
            "history": programme_selectors.enrolment_history(enrolment=enrolment),
        },
    )


@require_POST
def review_decide(request, slug, pk):
    """The confirmed bulk decision: once per confirmation page, whatever the back button does."""
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    form = _decision_form(request, cohort)
    back = _review_url(slug, pk, request)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)

    def decide() -> once.Done:
        result = services.applications_decide(
            ctx=AuditContext.from_request(request),
            cohort=cohort,
            enrolment_ids=form.cleaned_data["enrolments"],
            decision=form.cleaned_data["decision"],
        )
        _decision_messages(request, result, cohort)
        label = dict(DecisionForm.DECISIONS)[form.cleaned_data["decision"]].lower()
        changed = result.changed
        return once.Done(
            back, f"{changed} applicant{'s' if changed != 1 else ''} updated ({label})."
        )

    try:
        return once.run_once(request, token=once.token_from(request.POST), action=decide)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)


@require_GET
def review_application(request, slug, pk, enrolment_pk):
    """One application in full, for the cohort's coordinators (404 for anyone else)."""
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    row = selectors.review_application(cohort=cohort, pk=enrolment_pk)
    return render(
        request,
        "recruitment/review_application.html",
        {"cohort": cohort, "programme": cohort.programme, **row},
    )


@require_POST
def review_notes(request, slug, pk, enrolment_pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    enrolment = get_object_or_404(cohort.enrolments, pk=enrolment_pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        services.enrolment_notes_update(
            enrolment=enrolment, notes=form.cleaned_data["coordinator_notes"]
        )
        messages.success(request, f"Notes on {enrolment.user.display_name} saved.")
    else:
        messages.error(request, "Notes are limited to 5,000 characters.")
    return redirect(f"{reverse('recruitment:review', args=[slug, pk])}#e{enrolment.pk}")


# --- Business priorities (coordinators) -----------------------------------------------------------


def priorities(request, slug):
    """The tags a programme's project proposals can say they serve: list, add, remove."""
    programme = programme_for_coordinator(user=request.user, slug=slug)
    form = BusinessPriorityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            priority = services.business_priority_add(
                ctx=AuditContext.from_request(request),
                programme=programme,
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Added “{priority.name}”.")
            return redirect("recruitment:priorities", slug=slug)
    return render(
        request,
        "recruitment/priorities.html",
        {
            "programme": programme,
            "priorities": selectors.programme_priorities(programme=programme),
            "form": form,
        },
    )


@require_POST
def priority_remove(request, slug, priority_pk):
    programme = programme_for_coordinator(user=request.user, slug=slug)
    priority = selectors.programme_priority(programme=programme, pk=priority_pk)
    tagged = services.business_priority_remove(
        ctx=AuditContext.from_request(request), priority=priority
    )
    messages.success(
        request,
        f"Removed “{priority.name}”"
        + (f" from {tagged} proposal{'s' if tagged != 1 else ''}." if tagged else "."),
    )
    return redirect("recruitment:priorities", slug=slug)
