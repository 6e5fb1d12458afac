"""Dashboards for a programme's coordinators (and staff). Anyone else gets 404.

Views stay thin: the access helper, the date filter, one selector call, presentation.
"""

from pathlib import Path

from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from lib import markdown
from lib.audit import AuditContext
from lib.csvsafe import CSV_CONTENT_TYPE, iter_csv
from lib.pagination import paginate
from people.roles import is_coordinator
from people.services import audit_record
from programmes.selectors import cohort_for_coordinator, programme_for_coordinator, require

from . import figures, presenters
from .forms import DateFilterForm


def _filter(request) -> tuple[DateFilterForm, tuple]:
    form = DateFilterForm(request.GET if request.GET else None)
    return form, form.dates


def _cohort_context(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    form, (start, end) = _filter(request)
    dashboard = figures.cohort_figures(cohort, start, end)
    return {
        "cohort": cohort,
        "programme": cohort.programme,
        "form": form,
        "d": dashboard,
        "funnel_steps": presenters.funnel_steps(dashboard),
        "at_risk_count": len(dashboard.pairs.at_risk),
        "community": presenters.community_rows(dashboard.standups, dashboard.directory),
        "end_reason_labels": presenters.END_REASON_LABELS,
    }


@require_GET
def cohort_dashboard(request, slug, pk):
    context = _cohort_context(request, slug, pk)
    d = context["d"]
    context["charts"] = presenters.with_tables(presenters.cohort_charts(d))
    # Thousands of pairs can be at risk in a national cohort: a page of them at a time.
    page = paginate(request, d.pairs.at_risk, param="at_risk_page")
    context["at_risk_page"] = page
    context["at_risk"] = _at_risk(d, page.object_list)
    context["comments"] = figures.comments(d)
    return render(request, "insights/cohort_dashboard.html", context)


def _at_risk(d, rows) -> list[dict]:
    rows = list(rows)
    return presenters.at_risk_rows(d, rows, figures.pair_names(rows))


@require_GET
def cohort_summary(request, slug, pk):
    context = _cohort_context(request, slug, pk)
    d = context["d"]
    context["at_risk"] = _at_risk(d, d.pairs.at_risk[:8])
    context["comments"] = figures.comments(d)[:3]
    return render(request, "insights/cohort_summary.html", context)


@require_GET
def programme_dashboard(request, slug):
    programme = programme_for_coordinator(user=request.user, slug=slug)
    form, (start, end) = _filter(request)
    dashboard = figures.programme_figures(programme, start, end)
    return render(
        request,
        "insights/programme_dashboard.html",
        {
            "programme": programme,
            "form": form,
            "d": dashboard,
            "charts": presenters.with_tables(presenters.programme_charts(dashboard)),
            "matrix": presenters.headline_matrix(dashboard),
        },
    )


def _csv(request, *, obj, programme_id, rows, count, filename, what):
    audit_record(
        action="export",
        obj=obj,
        programme_id=programme_id,
        summary=f"Exported the dashboard figures of {what}: {count} rows",
        context=AuditContext.from_request(request),
    )
    response = StreamingHttpResponse(
        iter_csv(presenters.EXPORT_HEADER, rows, bom=True), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def cohort_export(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    _form, (start, end) = _filter(request)
    dashboard = figures.cohort_figures(cohort, start, end)
    name = f"{cohort.programme.slug}-{slugify(cohort.name)}-insights-{timezone.localdate()}.csv"
    count, rows = presenters.cohort_export_rows(dashboard, figures.pair_names)
    return _csv(
        request,
        obj=cohort,
        programme_id=cohort.programme_id,
        rows=rows,
        count=count,
        filename=name,
        what=cohort.name,
    )


@require_GET
def programme_export(request, slug):
    programme = programme_for_coordinator(user=request.user, slug=slug)
    _form, (start, end) = _filter(request)
    dashboard = figures.programme_figures(programme, start, end)
    rows = presenters.programme_export_rows(dashboard)
    return _csv(
        request,
        obj=programme,
        programme_id=programme.pk,
        rows=rows,
        count=len(rows),
        filename=f"{programme.slug}-insights-{timezone.localdate()}.csv",
        what=programme.name,
    )


@require_GET
def metrics(request):
    """How each figure is defined: docs/metrics.md (the same file the repository carries), as a
    page linked from both dashboards. For anyone who coordinates a programme, like them."""
    require(is_coordinator(request.user))
    text = (Path(settings.BASE_DIR) / "docs" / "metrics.md").read_text(encoding="utf-8")
    title, _, body = text.partition("\n")
    return render(
        request,
        "insights/metrics.html",
        {"title": title.lstrip("# ").strip(), "body": markdown.render(body, shift_headings=0)},
    )
