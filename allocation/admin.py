from django.contrib import admin

from allocation.models import StaffUnavailability, WorkloadWeight
from ioms.admin_site import ReferenceDataAdmin


@admin.register(WorkloadWeight)
class WorkloadWeightAdmin(ReferenceDataAdmin):
    """Weights are tuned by adding a row with a later effective date, so history stays as it was."""

    list_display = ("sentence_type", "points", "effective_from")
    list_filter = ("sentence_type",)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)


@admin.register(StaffUnavailability)
class StaffUnavailabilityAdmin(ReferenceDataAdmin):
    """Read-only here: leave is recorded and ended on the portal's leave page, through the services
    that check the manager's office and write the audit trail."""

    list_display = ("staff", "kind", "starts_on", "ends_on", "note")
    list_select_related = ("staff__user",)
    list_filter = ("kind",)
    search_fields = ("staff__user__last_name", "staff__staff_number")
    autocomplete_fields = ("staff",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
