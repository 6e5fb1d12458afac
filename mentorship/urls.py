from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from programmes import views as programme_views

admin.site.site_header = "Mentorship administration"
admin.site.site_title = "Mentorship admin"
# The admin signs in through allauth (rate limits, two-factor authentication), not its own form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", programme_views.landing, name="landing"),
    path("home/", programme_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("people/", include("people.urls")),
    path("programmes/", include("programmes.urls")),
    path("", include("pairing.urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("insights.urls")),
    path("surveys/", include("feedback.urls")),
    path("community/", include("community.urls")),
    path("rhythm/", include("rhythm.urls")),
    path("admin/", admin.site.urls),
]
