from django.contrib import admin

from ioms.admin_site import ReferenceDataAdmin
from reconciliation.models import DataException, ExceptionTransition


class TransitionInline(admin.TabularInline):
    model = ExceptionTransition
    extra = 0
    can_delete = False
    fields = ("at", "step", "from_status", "to_status", "actor", "assignee", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DataException)
class DataExceptionAdmin(ReferenceDataAdmin):
    """Read-only, for the help desk: exceptions are reconciled on the report's pages, through the
    lifecycle services, never edited here."""

    list_display = ("id", "reason_code", "status", "office", "opened_at", "assignee", "no_longer_detected_at")
    list_filter = ("status", "reason_code")
    search_fields = ("=id", "fingerprint", "detail", "offender__prn")
    list_select_related = ("office", "assignee")
    raw_id_fields = ("offender", "sentence", "court_message", "recurrence_of", "assignee", "resolved_by")
    inlines = [TransitionInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
