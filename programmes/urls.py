from django.urls import include, path

from . import views

app_name = "programmes"
urlpatterns = [
    # Participants' pages come first: their words are reserved, never programme slugs.
    path("apply/<int:pk>/similar/", views.apply_similar, name="apply_similar"),
    path("apply/<int:pk>/<str:role>/", views.apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path(
        "applications/<int:pk>/withdraw/", views.application_withdraw, name="application_withdraw"
    ),
    path("manager-signoff/<str:token>/", views.manager_signoff, name="manager_signoff"),
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create, name="create"),
    path("<slug:slug>/", views.programme_detail, name="detail"),
    path("<slug:slug>/edit/", views.programme_edit, name="edit"),
    path("<slug:slug>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("<slug:slug>/cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("<slug:slug>/cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path("<slug:slug>/cohorts/<int:pk>/status/", views.cohort_status, name="cohort_status"),
    path("<slug:slug>/cohorts/<int:pk>/applications/", views.review, name="review"),
    path(
        "<slug:slug>/cohorts/<int:pk>/applications/<int:enrolment_pk>/notes/",
        views.review_notes,
        name="review_notes",
    ),
    path("", include("programmes.urls_pool")),
]
