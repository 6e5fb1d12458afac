"""Coordinator pages of the pairing app, under /programmes/<slug>/cohorts/<pk>/."""

from django.urls import path

from . import views

app_name = "pairing_coord"
urlpatterns = [
    path("pairs/", views.cohort_pairs, name="cohort_pairs"),
    path("pairing/", views.cohort_pairing, name="cohort_pairing"),
    path("pairs/<int:pair_pk>/end/", views.pair_end, name="pair_end"),
    path("repair/<int:mentee_pk>/", views.repair, name="repair"),
]
