from django.contrib import admin

from .models import PausedKind, RhythmSettings


@admin.register(RhythmSettings)
class RhythmSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "programme",
        "survey_reminder_first_days",
        "survey_reminder_second_days",
        "bank_holidays",
    ]
    list_select_related = ["programme"]


@admin.register(PausedKind)
class PausedKindAdmin(admin.ModelAdmin):
    list_display = ["cohort", "kind", "paused_by", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["cohort__programme", "paused_by"]
    raw_id_fields = ["cohort", "paused_by"]
