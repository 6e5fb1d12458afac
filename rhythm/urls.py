"""Rhythm pages: the programme's reminder settings (``programmes/<slug>/reminders/``), a cohort's
schedule of automated emails (``programmes/<slug>/cohorts/<pk>/emails/``) and the alumni's signed
link. Included at the root of the project; the old ``rhythm/<slug>/...`` addresses answer 301."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "rhythm"


def _moved(route: str, name: str):
    """The old address of page ``name``: a permanent redirect that keeps the query string."""
    view = RedirectView.as_view(
        pattern_name=f"{app_name}:{name}", permanent=True, query_string=True
    )
    return path(route, view, name=f"old_{name}")


urlpatterns = [
    path("rhythm/mentor-next-time/<str:token>/", views.mentor_next_time, name="mentor_next_time"),
    path("programmes/<slug:slug>/reminders/", views.programme_settings, name="programme_settings"),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/emails/",
        views.cohort_schedule,
        name="cohort_schedule",
    ),
    # Old addresses (before one URL tree per cohort).
    _moved("rhythm/<slug:slug>/settings/", "programme_settings"),
    _moved("rhythm/<slug:slug>/cohorts/<int:pk>/", "cohort_schedule"),
]
