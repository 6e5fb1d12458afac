from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("people/profile/", views.profile_edit, name="profile"),
    path("people/my-data.json", views.my_data, name="my_data"),
    path("people/skills/suggest/", views.skill_suggest_view, name="skill_suggest"),
    path("people/skills/suggestions/", views.skill_suggestions, name="skill_suggestions"),
]
