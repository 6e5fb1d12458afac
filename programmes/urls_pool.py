"""URLs for bulk invitations, the talent pool and exports (included by programmes/urls.py)."""

from django.urls import path

from . import views_pool

urlpatterns = [
    path("invitations/<str:token>/", views_pool.invitation_accept, name="invitation_accept"),
    path("<slug:slug>/cohorts/<int:pk>/invite/", views_pool.cohort_invite, name="cohort_invite"),
    path("<slug:slug>/cohorts/<int:pk>/export.csv", views_pool.cohort_export, name="cohort_export"),
    path("<slug:slug>/talent-pool/", views_pool.talent_pool, name="talent_pool"),
    path("<slug:slug>/talent-pool/add/", views_pool.talent_pool_add, name="talent_pool_add"),
    path(
        "<slug:slug>/talent-pool/invite/", views_pool.talent_pool_invite, name="talent_pool_invite"
    ),
    path(
        "<slug:slug>/talent-pool/export.csv",
        views_pool.talent_pool_export,
        name="talent_pool_export",
    ),
    path("<slug:slug>/register-interest/", views_pool.register_interest, name="register_interest"),
    path(
        "<slug:slug>/register-interest/thanks/",
        views_pool.register_interest_thanks,
        name="register_interest_thanks",
    ),
]
