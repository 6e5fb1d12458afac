from django.urls import path

from . import views

app_name = "pairing"
urlpatterns = [
    path("<int:pk>/", views.pair_detail, name="detail"),
    path("<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("<int:pk>/goals/<int:goal_pk>/", views.goal_progress, name="goal_progress"),
]
