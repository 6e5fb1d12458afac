from django.urls import path

from . import views

app_name = "pairing"
urlpatterns = [
    path("<int:pk>/", views.pair_detail, name="detail"),
    path("<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("<int:pk>/goals/<int:goal_pk>/", views.goal_progress, name="goal_progress"),
    path("runs/<int:run_pk>/", views.run_detail, name="run"),
    path("runs/<int:run_pk>/action/", views.run_action, name="run_action"),
    path("settings/<slug:slug>/", views.pairing_settings, name="settings"),
    path("choose/<int:cohort_pk>/", views.choose, name="choose"),
]
