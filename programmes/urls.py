from django.urls import include, path

from . import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<slug:slug>/", views.programme_detail, name="detail"),
    path("<slug:slug>/edit/", views.programme_edit, name="edit"),
    path("<slug:slug>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("<slug:slug>/cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("<slug:slug>/cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path("<slug:slug>/cohorts/<int:pk>/status/", views.cohort_status, name="cohort_status"),
    path("", include("programmes.urls_pool")),
]
