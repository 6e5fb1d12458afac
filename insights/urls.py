"""The dashboards, with their full addresses (included at the root): a programme's under
/programmes/<slug>/dashboard/, a cohort's under /programmes/<slug>/cohorts/<pk>/dashboard/.
The old /insights/ addresses answer a permanent redirect."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

PROGRAMME = "programmes/<slug:slug>/dashboard/"
COHORT = "programmes/<slug:slug>/cohorts/<int:pk>/dashboard/"


def moved(name: str):
    return RedirectView.as_view(pattern_name=f"insights:{name}", permanent=True, query_string=True)


app_name = "insights"
urlpatterns = [
    path(PROGRAMME, views.programme_dashboard, name="programme"),
    path(PROGRAMME + "export.csv", views.programme_export, name="programme_export"),
    path(COHORT, views.cohort_dashboard, name="cohort"),
    path(COHORT + "summary/", views.cohort_summary, name="cohort_summary"),
    path(COHORT + "export.csv", views.cohort_export, name="cohort_export"),
    path("help/figures/", views.metrics, name="metrics"),
    # Old addresses
    path("insights/<slug:slug>/", moved("programme"), name="old_programme"),
    path("insights/<slug:slug>/export.csv", moved("programme_export"), name="old_programme_export"),
    path("insights/<slug:slug>/cohorts/<int:pk>/", moved("cohort"), name="old_cohort"),
    path(
        "insights/<slug:slug>/cohorts/<int:pk>/summary/",
        moved("cohort_summary"),
        name="old_cohort_summary",
    ),
    path(
        "insights/<slug:slug>/cohorts/<int:pk>/export.csv",
        moved("cohort_export"),
        name="old_cohort_export",
    ),
]
