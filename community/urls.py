from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    # Participants (and the cohort's coordinators).
    path("cohorts/<int:pk>/", views.cohort_home, name="cohort"),
    path("cohorts/<int:pk>/directory/", views.directory, name="directory"),
    path("cohorts/<int:pk>/directory/me/", views.directory_listing, name="directory_listing"),
    path(
        "cohorts/<int:pk>/directory/<int:enrolment_pk>/contact/",
        views.contact,
        name="contact",
    ),
    path("cohorts/<int:pk>/show-and-tell/", views.show_and_tell, name="show_and_tell"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/attended/", views.event_attended, name="event_attended"),
    path("events/<int:pk>/attendance/", views.event_attendance, name="event_attendance"),
    path("events/<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("programmes/<slug:slug>/projects/", views.past_projects, name="past_projects"),
    # Coordinators.
    path("programmes/<slug:slug>/cohorts/<int:pk>/groups/", views.groups, name="groups"),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/groups/generate/",
        views.groups_generate,
        name="groups_generate",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/groups/move/",
        views.groups_move,
        name="groups_move",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/groups/publish/",
        views.groups_publish,
        name="groups_publish",
    ),
    path("programmes/<slug:slug>/cohorts/<int:pk>/events/", views.events, name="events"),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/events/standups/",
        views.standups_schedule,
        name="standups_schedule",
    ),
]
