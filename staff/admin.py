from django.contrib import admin

from ioms.admin_site import ReferenceDataAdmin
from staff.models import Office, StaffMember, StaffPlacement, Team


@admin.register(Office)
class OfficeAdmin(ReferenceDataAdmin):
    list_display = ("code", "name", "kind", "region", "closed_on")
    list_filter = ("kind", "region")
    search_fields = ("code", "name")


@admin.register(Team)
class TeamAdmin(ReferenceDataAdmin):
    list_display = ("name", "office")
    list_select_related = ("office",)
    search_fields = ("name", "office__name")


class PlacementInline(admin.TabularInline):
    model = StaffPlacement
    extra = 0
    readonly_fields = ("office", "team", "started_on", "ended_on", "reason", "recorded_by", "recorded_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # moves go through staff.services.staff_relocate, which keeps history


@admin.register(StaffMember)
class StaffMemberAdmin(ReferenceDataAdmin):
    list_display = ("staff_number", "__str__", "office", "team", "active")
    list_select_related = ("user", "office", "team")
    list_filter = ("active", "office__kind")
    search_fields = ("staff_number", "user__username", "user__last_name")
    readonly_fields = ("office", "team")
    inlines = [PlacementInline]
