from django.urls import path

from . import views

app_name = "rhythm"
urlpatterns = [
    path("mentor-next-time/<str:token>/", views.mentor_next_time, name="mentor_next_time"),
    path("<slug:slug>/settings/", views.programme_settings, name="programme_settings"),
    path("<slug:slug>/cohorts/<int:pk>/", views.cohort_schedule, name="cohort_schedule"),
]
