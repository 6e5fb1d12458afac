"""Recruitment's pages. Participants' pages sit under ``programmes/`` at reserved words (apply,
applications, manager-signoff, invitations: ProgrammeForm refuses them as slugs); coordinators'
pages under ``programmes/<slug>/`` and ``programmes/<slug>/cohorts/<pk>/``."""

from django.urls import path

from . import views

app_name = "recruitment"
urlpatterns = [
    # Participants and the public.
    path("programmes/apply/<int:pk>/similar/", views.apply_similar, name="apply_similar"),
    path("programmes/apply/<int:pk>/<str:role>/", views.apply, name="apply"),
    path("programmes/applications/<int:pk>/", views.application_detail, name="application"),
    path(
        "programmes/applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path("programmes/manager-signoff/<str:token>/", views.manager_signoff, name="manager_signoff"),
    path("programmes/invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path(
        "programmes/<slug:slug>/register-interest/",
        views.register_interest,
        name="register_interest",
    ),
    path(
        "programmes/<slug:slug>/register-interest/confirm/<str:token>/",
        views.register_interest_confirm,
        name="register_interest_confirm",
    ),
    path(
        "programmes/<slug:slug>/register-interest/thanks/",
        views.register_interest_thanks,
        name="register_interest_thanks",
    ),
    # Coordinators: the business priorities proposals are tagged with.
    path("programmes/<slug:slug>/priorities/", views.priorities, name="priorities"),
    path(
        "programmes/<slug:slug>/priorities/<int:priority_pk>/remove/",
        views.priority_remove,
        name="priority_remove",
    ),
    # Coordinators: the programme's talent pool.
    path("programmes/<slug:slug>/talent-pool/", views.talent_pool, name="talent_pool"),
    path("programmes/<slug:slug>/talent-pool/add/", views.talent_pool_add, name="talent_pool_add"),
    path(
        "programmes/<slug:slug>/talent-pool/invite/",
        views.talent_pool_invite,
        name="talent_pool_invite",
    ),
    path(
        "programmes/<slug:slug>/talent-pool/export.csv",
        views.talent_pool_export,
        name="talent_pool_export",
    ),
    # Coordinators: one cohort's applications, invitations and export.
    path("programmes/<slug:slug>/cohorts/<int:pk>/applications/", views.review, name="review"),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/applications/confirm/",
        views.review_confirm,
        name="review_confirm",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/applications/decide/",
        views.review_decide,
        name="review_decide",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/applications/<int:enrolment_pk>/",
        views.review_application,
        name="review_application",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/applications/<int:enrolment_pk>/notes/",
        views.review_notes,
        name="review_notes",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/applications/<int:enrolment_pk>/undo/",
        views.enrolment_restore,
        name="enrolment_restore",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/invite/",
        views.cohort_invite,
        name="cohort_invite",
    ),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/export.csv",
        views.cohort_export,
        name="cohort_export",
    ),
]
