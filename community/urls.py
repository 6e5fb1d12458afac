"""Community pages. Participants (and the cohort's coordinators) under ``community/``; the
coordinators' pages under their programme and cohort (``programmes/<slug>/projects/``,
``programmes/<slug>/cohorts/<pk>/groups/`` and ``.../events/``). Included at the root of the
project; the old ``community/programmes/...`` addresses answer 301."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "community"

COHORT = "programmes/<slug:slug>/cohorts/<int:pk>/"


def _moved(route: str, name: str):
    """The old address of page ``name``: a permanent redirect that keeps the query string."""
    view = RedirectView.as_view(
        pattern_name=f"{app_name}:{name}", permanent=True, query_string=True
    )
    return path(route, view, name=f"old_{name}")


urlpatterns = [
    # Participants (and the cohort's coordinators).
    path("community/cohorts/<int:pk>/", views.cohort_home, name="cohort"),
    path("community/cohorts/<int:pk>/directory/", views.directory, name="directory"),
    path(
        "community/cohorts/<int:pk>/directory/me/",
        views.directory_listing,
        name="directory_listing",
    ),
    path(
        "community/cohorts/<int:pk>/directory/<int:enrolment_pk>/contact/",
        views.contact,
        name="contact",
    ),
    path("community/cohorts/<int:pk>/show-and-tell/", views.show_and_tell, name="show_and_tell"),
    path("community/events/<int:pk>/", views.event_detail, name="event"),
    path("community/events/<int:pk>/attended/", views.event_attended, name="event_attended"),
    path("community/events/<int:pk>/attendance/", views.event_attendance, name="event_attendance"),
    path("community/events/<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("programmes/<slug:slug>/projects/", views.past_projects, name="past_projects"),
    # Coordinators.
    path(COHORT + "groups/", views.groups, name="groups"),
    path(COHORT + "groups/generate/", views.groups_generate, name="groups_generate"),
    path(COHORT + "groups/move/", views.groups_move, name="groups_move"),
    path(COHORT + "groups/publish/", views.groups_publish, name="groups_publish"),
    path(COHORT + "events/", views.events, name="events"),
    path(COHORT + "events/standups/", views.standups_schedule, name="standups_schedule"),
    # Old addresses (before one URL tree per cohort).
    _moved("community/programmes/<slug:slug>/projects/", "past_projects"),
    _moved("community/" + COHORT + "groups/", "groups"),
    _moved("community/" + COHORT + "groups/generate/", "groups_generate"),
    _moved("community/" + COHORT + "groups/move/", "groups_move"),
    _moved("community/" + COHORT + "groups/publish/", "groups_publish"),
    _moved("community/" + COHORT + "events/", "events"),
    _moved("community/" + COHORT + "events/standups/", "standups_schedule"),
]
