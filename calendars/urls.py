from django.urls import path

from . import views

app_name = "calendars"

urlpatterns = [
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("calendar/reset/", views.feed_reset, name="reset"),
    path("programmes/<slug:slug>/cohorts/<int:pk>/calendar/", views.cohort_calendar, name="cohort"),
    path(
        "programmes/<slug:slug>/cohorts/<int:pk>/calendar/reset/",
        views.cohort_calendar_reset,
        name="cohort_reset",
    ),
]
