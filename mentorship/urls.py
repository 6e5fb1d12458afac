from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

import programmes.urls

from . import views

admin.site.site_header = "Mentorship administration"
admin.site.site_title = "Mentorship admin"
# The admin signs in through allauth (rate limits, two-factor authentication), not its own form.
admin.site.login = secure_admin_login(admin.site.login)

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
    path("admin/", admin.site.urls),
]
