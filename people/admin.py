from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.response import TemplateResponse

from lib.admin import ReadOnlyAdmin
from lib.audit import AuditContext

from .models import AuditEvent, Interest, Profile, ProfileSkill, Skill, User
from .services import audit_record, is_erased, person_erase

ROLE_FIELDS = ("is_active", "is_staff", "is_superuser")


def _role_snapshot(user: User) -> dict:
    return {
        **{f: getattr(user, f) for f in ROLE_FIELDS},
        "groups": set(user.groups.values_list("name", flat=True)),
        "permissions": set(user.user_permissions.values_list("codename", flat=True)),
    }


def _role_changes(before: dict, after: dict) -> list[str]:
    changes = [f"{f}: {before[f]} → {after[f]}" for f in ROLE_FIELDS if before[f] != after[f]]
    for key in ("groups", "permissions"):
        added, removed = after[key] - before[key], before[key] - after[key]
        if added:
            changes.append(f"{key} +{', +'.join(sorted(added))}")
        if removed:
            changes.append(f"{key} -{', -'.join(sorted(removed))}")
    return changes


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["interests"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    inlines = [ProfileInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal", {"fields": ["full_name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]
    actions = ["erase_people"]

    # Role changes (staff, superuser, active, groups, permissions) go to the audit log. The
    # "before" is read in save_model and compared after save_related has set the groups.
    def save_model(self, request, obj, form, change):
        request._role_before = _role_snapshot(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        before = getattr(request, "_role_before", None)
        if before is None:
            before = dict.fromkeys(ROLE_FIELDS, False) | {"groups": set(), "permissions": set()}
            before["is_active"] = True
        changes = _role_changes(before, _role_snapshot(user))
        if changes:
            audit_record(
                actor=request.user,
                action="role-changed",
                obj=user,
                summary=f"account #{user.pk}: " + "; ".join(changes),
                context=AuditContext.from_request(request),
            )

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        audit_record(
            actor=request.user,
            action="user-deleted",
            summary=f"deleted account #{pk}",
            context=AuditContext.from_request(request),
        )

    def delete_queryset(self, request, queryset):
        pks = sorted(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        audit_record(
            actor=request.user,
            action="user-deleted",
            summary="deleted accounts " + ", ".join(f"#{pk}" for pk in pks),
            context=AuditContext.from_request(request),
        )

    @admin.action(description="Erase the selected people (personal data, irreversible)")
    def erase_people(self, request, queryset):
        people = [u for u in queryset if not is_erased(u)]
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(
                request,
                "admin/people/user/erase_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Erase personal data",
                    "people": people,
                    "queryset": queryset,
                    "opts": self.model._meta,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for user in people:
            if user.pk == request.user.pk:
                self.message_user(request, "You cannot erase your own account.", messages.ERROR)
                continue
            person_erase(user=user, ctx=AuditContext.from_request(request))
        self.message_user(request, f"{len(people)} people erased.", messages.SUCCESS)
        return None


class ProfileSkillInline(admin.TabularInline):
    model = ProfileSkill
    extra = 0
    autocomplete_fields = ["skill"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "team", "grade", "profession", "location"]
    list_filter = ["grade", "organisation"]
    search_fields = ["user__email", "user__full_name", "organisation", "team", "profession"]
    list_select_related = ["user"]
    filter_horizontal = ["interests"]
    inlines = [ProfileSkillInline]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "approved", "suggested_by"]
    list_filter = ["category", "approved"]
    search_fields = ["name", "description"]
    list_editable = ["approved"]


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(ProfileSkill)
class ProfileSkillAdmin(admin.ModelAdmin):
    list_display = ["profile", "skill", "direction", "level", "priority"]
    list_filter = ["direction", "level", "skill__category"]
    search_fields = ["profile__user__email", "skill__name"]
    list_select_related = ["profile__user", "skill"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    deletable = False  # the log is evidence: nobody deletes from it through the admin

    list_display = [
        "created_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "summary",
        "ip_address",
    ]
    list_filter = ["action", "object_type", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["actor__email", "summary", "object_id", "ip_address"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
