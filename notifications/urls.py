from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("attachment/<str:token>/", views.attachment, name="attachment"),
    path("notify/callback/", views.notify_callback, name="notify_callback"),
    path("address/confirm/", views.address_confirm, name="address_confirm"),
]
