"""Programmes' pages. The programme page (``detail``) and the cohort hub (``cohort_detail``) join
this namespace from the project package, which composes them from several apps
(mentorship/urls.py)."""

from django.urls import path

from . import views

app_name = "programmes"
urlpatterns = [
    path("programmes/", views.programme_list, name="list"),
    path("programmes/new/", views.programme_create, name="create"),
    path("programmes/<slug:slug>/edit/", views.programme_edit, name="edit"),
    path("programmes/<slug:slug>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("programmes/<slug:slug>/cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/status/", views.cohort_status, name="cohort_status"
    ),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/mentors/<int:enrolment_pk>/capacity/",
        views.mentor_capacity,
        name="mentor_capacity",
    ),
]
