import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lib.audit import AuditContext
from lib.forms import add_errors

from . import panels
from .forms import ProfileForm, SkillSuggestionForm, skill_formset
from .models import ProfileSkill, Skill
from .roles import is_coordinator
from .selectors import person_data_export, skill_suggestions_for
from .services import (
    audit_record,
    profile_get,
    profile_update,
    skill_suggest,
    skill_suggestions_decide,
)


def profile_edit(request):
    profile = profile_get(user=request.user)
    data = request.POST if request.method == "POST" else None
    form = ProfileForm.for_profile(data, profile, full_name=request.user.full_name)
    teach = skill_formset(
        ProfileSkill.Direction.TEACH, data=data, instance=profile, user=request.user
    )
    learn = skill_formset(
        ProfileSkill.Direction.LEARN, data=data, instance=profile, user=request.user
    )
    if data is not None:
        if form.is_valid() and teach.is_valid() and learn.is_valid():
            try:
                profile_update(
                    user=request.user,
                    data=form.profile_data(),
                    interests=form.cleaned_data["interests"],
                    full_name=form.cleaned_data["full_name"],
                    skill_formsets=[teach, learn],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("people:profile")
        messages.error(request, "Your profile is not saved yet: please correct the errors below.")
    percent, missing = profile.completeness()
    return render(
        request,
        "people/profile_form.html",
        {
            "form": form,
            "teach": teach,
            "learn": learn,
            "percent": percent,
            "missing": missing,
            "suggest_form": SkillSuggestionForm(),
            "pending_skills": Skill.objects.filter(suggested_by=request.user, approved=False),
            "panels": panels.render_all(request),
        },
    )


@require_POST
def skill_suggest_view(request):
    form = SkillSuggestionForm(request.POST)
    if form.is_valid():
        skill = skill_suggest(user=request.user, **form.cleaned_data)
        messages.success(
            request,
            f"Thank you: “{skill.name}” is suggested. You can use it now; others can once a "
            "coordinator approves it.",
        )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("people:profile")


def _ids(values: list[str]) -> list[int]:
    """The well-formed ids among posted values (a crafted "abc" or a 30-digit number was a 500)."""
    return [int(v) for v in values if v.isdecimal() and len(v) <= 18]


def _can_review_skills(user) -> bool:
    return is_coordinator(user)


def skill_suggestions(request):
    if not _can_review_skills(request.user):
        raise Http404
    if request.method == "POST":
        approve, reject = (
            _ids(request.POST.getlist("approve")),
            _ids(request.POST.getlist("reject")),
        )
        approved, rejected = skill_suggestions_decide(
            actor=request.user, approve=approve, reject=reject
        )
        messages.success(request, f"{approved} approved, {rejected} removed.")
        return redirect("people:skill_suggestions")
    suggestions = skill_suggestions_for(request.user)
    return render(request, "people/skill_suggestions.html", {"suggestions": suggestions})


def my_data(request):
    """Everything held about the signed-in person, as a JSON file to download."""
    audit_record(
        action="personal-data-exported",
        obj=request.user,
        context=AuditContext.from_request(request),
    )
    data = person_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response["Cache-Control"] = "no-store"
    return response
