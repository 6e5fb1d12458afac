"""Admin pages of rows the application writes itself: staff read them here, never add or edit
them (the change page shows the row read-only)."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """No add page and no edits. ``deletable = False`` for a record that is evidence (the audit
    log) or derived data the application keeps (check-in summaries): no deletes either."""

    deletable = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)
