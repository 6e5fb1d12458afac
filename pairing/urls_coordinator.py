"""Coordinator pages of the pairing app, under /programmes/<slug>/cohorts/<pk>/."""

from django.urls import path

from . import views

app_name = "pairing_coord"
urlpatterns = [
    path("pairs/", views.cohort_pairs, name="cohort_pairs"),
]
