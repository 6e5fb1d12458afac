"""URLs for bulk invitations, the talent pool and exports (included by programmes/urls.py)."""

urlpatterns: list = []
