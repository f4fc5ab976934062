from django.contrib import admin

from audit.models import AuditEvent
from ioms.admin_site import ReferenceDataAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReferenceDataAdmin):
    """Read-only: the database refuses changes to audit rows anyway."""

    list_display = ("at", "actor_label", "action", "object_type", "object_id", "summary", "channel")
    list_filter = ("action", "channel")
    search_fields = ("actor_label", "object_id", "summary", "query")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
