from django.contrib import admin

from appointments.models import ContactLevelRule
from ioms.admin_site import ReferenceDataAdmin


@admin.register(ContactLevelRule)
class ContactLevelRuleAdmin(ReferenceDataAdmin):
    """Contact levels are changed by adding a rule with a later effective date, so the levels of the
    past stay as they were (appointments.selectors reads the rule in force on each day)."""

    list_display = ("sentence_type", "every_days", "effective_from", "source")
    list_filter = ("sentence_type",)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)
