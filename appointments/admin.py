from django.contrib import admin

from appointments.models import ContactLevelRule, ReminderSent
from ioms.admin_site import ReferenceDataAdmin


@admin.register(ContactLevelRule)
class ContactLevelRuleAdmin(ReferenceDataAdmin):
    """Contact levels are changed by adding a rule with a later effective date, so the levels of the
    past stay as they were (appointments.selectors reads the rule in force on each day)."""

    list_display = ("sentence_type", "every_days", "effective_from", "source")
    list_filter = ("sentence_type",)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


@admin.register(ReminderSent)
class ReminderSentAdmin(ReferenceDataAdmin):
    """Read-only, for the help desk: which reminders went, which failed and why, and which were left
    "sending" by a worker that stopped mid-send (never sent again: the person may have had it)."""

    list_display = ("appointment_id", "channel", "status", "attempts", "attempted_at", "sent_at", "backend")
    list_filter = ("status", "channel")
    search_fields = ("=appointment__id",)
    fields = ("appointment", "channel", "status", "attempts", "attempted_at", "sent_at", "backend", "error")
    readonly_fields = fields
    list_select_related = ()
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
