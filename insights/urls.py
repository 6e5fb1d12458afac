from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("<slug:slug>/", views.programme_dashboard, name="programme"),
    path("<slug:slug>/export.csv", views.programme_export, name="programme_export"),
    path("<slug:slug>/cohorts/<int:pk>/", views.cohort_dashboard, name="cohort"),
    path("<slug:slug>/cohorts/<int:pk>/summary/", views.cohort_summary, name="cohort_summary"),
    path("<slug:slug>/cohorts/<int:pk>/export.csv", views.cohort_export, name="cohort_export"),
]
