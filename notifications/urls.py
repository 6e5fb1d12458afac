from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/attachment/<str:token>/", views.attachment, name="attachment"),
    path("notifications/notify/callback/", views.notify_callback, name="notify_callback"),
    path("notifications/address/confirm/", views.address_confirm, name="address_confirm"),
]
