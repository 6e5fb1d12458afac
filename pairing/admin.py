from django.contrib import admin

from .models import Pair


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cohort", "status", "started_on", "ended_on", "end_reason"]
    list_filter = ["status", "end_reason", "cohort__programme", "cohort"]
    search_fields = ["mentor__user__email", "mentee__user__email", "cohort__name"]
    list_select_related = ["mentor__user", "mentee__user", "cohort__programme"]
    raw_id_fields = ["mentor", "mentee"]
    date_hierarchy = "started_on"
