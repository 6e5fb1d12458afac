from django.contrib import admin
from django.urls import include, path

import programmes.urls

from . import views

# The programme page and the cohort hub compose several apps, so the roof serves them; they keep
# their names in programmes' namespace, so programmes can link to (and redirect to) its own
# programmes and cohorts without knowing who draws the page.
programmes_patterns = [
    *programmes.urls.urlpatterns,
    path("programmes/<slug:slug>/", views.programme_detail, name="detail"),
    path("programmes/<slug:slug>/cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
]

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/", include("allauth.urls")),
    path("", include("people.urls")),
    # Recruitment first: its participants' pages sit at words reserved among programme slugs.
    path("", include("recruitment.urls")),
    path("", include((programmes_patterns, programmes.urls.app_name))),
    path("", include("pairing.urls")),
    path("", include("notifications.urls")),
    path("", include("insights.urls")),
    path("", include("feedback.urls")),
    path("", include("community.urls")),
    path("", include("rhythm.urls")),
    path("", include("calendars.urls")),
    path("", include("api.urls")),
    # Staff only; 404 to anyone else signed in, allauth's sign-in page for a signed-out visitor
    # (mentorship/admin_site.py).
    path("admin/", admin.site.urls),
]
