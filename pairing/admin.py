from django.contrib import admin

from lib.admin import ReadOnlyAdmin

from .engagement import summaries_rebuild
from .models import (
    CheckIn,
    CheckInChange,
    CheckInSummary,
    ExcludedPair,
    MatchRun,
    MenteeRanking,
    Pair,
    PairGoal,
    PairingSettings,
    ProposedPair,
    RunEvent,
)


class PairGoalInline(admin.TabularInline):
    model = PairGoal
    extra = 0


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ["__str__", "cohort", "status", "started_on", "ended_on", "end_reason"]
    list_filter = ["status", "end_reason", "cohort__programme", "cohort"]
    search_fields = ["mentor__user__email", "mentee__user__email", "cohort__name"]
    list_select_related = ["mentor__user", "mentee__user", "cohort__programme"]
    raw_id_fields = ["mentor", "mentee"]
    date_hierarchy = "started_on"
    inlines = [PairGoalInline]
    # Pairs are made by publishing a run or pairing the waiting mentees, ended and reassigned on
    # the coordinator's pages (pairing.services): those check capacity, email both people and
    # keep the history. The admin shows who, when and why; it changes none of it.
    readonly_fields = ["cohort", "mentor", "mentee", "status", "ended_on", "end_reason"]

    def has_add_permission(self, request):
        return False


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = [
        "pair",
        "met_on",
        "author",
        "format",
        "rating",
        "wellbeing",
        "shared_with_coordinator",
    ]
    list_filter = ["format", "rating", "wellbeing", "protected_time_kept", "pair__cohort"]
    search_fields = ["pair__mentor__user__email", "pair__mentee__user__email"]
    list_select_related = ["pair__mentor__user", "pair__mentee__user", "author"]
    raw_id_fields = ["pair", "author"]
    date_hierarchy = "met_on"

    # Staff may put a check-in right here; the pair's summary, which the dashboards read
    # (pairing/engagement.py), follows in the same transaction, as it does after the services.
    def save_model(self, request, obj, form, change):
        before = CheckIn.objects.filter(pk=obj.pk).values_list("pair_id", flat=True).first()
        super().save_model(request, obj, form, change)
        summaries_rebuild({obj.pair_id, before} - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        summaries_rebuild([obj.pair_id])

    def delete_queryset(self, request, queryset):
        pair_ids = set(queryset.values_list("pair_id", flat=True))
        super().delete_queryset(request, queryset)
        summaries_rebuild(pair_ids)


@admin.register(CheckInSummary)
class CheckInSummaryAdmin(ReadOnlyAdmin):
    """What each pair's check-ins add up to, kept by pairing/engagement.py: read it here."""

    deletable = False  # kept by pairing/engagement.py

    list_display = [
        "pair",
        "checkins",
        "wellbeing_total",
        "first_met",
        "last_met",
        "scores",
        "updated_at",
    ]
    list_select_related = ["pair__mentor__user", "pair__mentee__user", "pair__cohort"]
    list_filter = ["pair__cohort__programme"]


@admin.register(CheckInChange)
class CheckInChangeAdmin(ReadOnlyAdmin):
    """The change log is a record: read it here, never edit it."""

    list_display = ["created_at", "pair", "action", "actor"]
    list_filter = ["action"]
    list_select_related = ["pair__mentor__user", "pair__mentee__user", "actor"]
    raw_id_fields = ["pair", "checkin", "actor"]


@admin.register(PairingSettings)
class PairingSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "programme",
        "min_grade_gap",
        "max_grade_gap",
        "forbid_same_team",
        "choice_mode",
    ]


class ProposedPairInline(admin.TabularInline):
    model = ProposedPair
    extra = 0
    fields = ["mentee", "mentor", "score", "locked", "manual", "warnings"]
    raw_id_fields = ["mentee", "mentor"]


class RunEventInline(admin.TabularInline):
    model = RunEvent
    extra = 0
    readonly_fields = ["created_at", "actor", "action", "detail"]
    can_delete = False


@admin.register(MatchRun)
class MatchRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "cohort", "status", "created_by", "created_at", "published_at", "message"]
    list_filter = ["status", "cohort__programme"]
    search_fields = ["cohort__name", "message"]
    list_select_related = ["cohort__programme", "created_by"]
    # A run is published on the coordinator's page, which pairs only people still accepted.
    readonly_fields = ["status", "published_at", "stats", "unmatched", "settings_snapshot"]
    inlines = [ProposedPairInline, RunEventInline]


@admin.register(ExcludedPair)
class ExcludedPairAdmin(admin.ModelAdmin):
    list_display = ["cohort", "mentee", "mentor", "created_by", "created_at"]
    list_filter = ["cohort__programme"]
    raw_id_fields = ["mentee", "mentor"]


@admin.register(MenteeRanking)
class MenteeRankingAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "rank"]
    raw_id_fields = ["mentee", "mentor"]
