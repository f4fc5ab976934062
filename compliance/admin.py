from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.services import audit_created
from compliance.models import ComplianceRuleSet
from ioms.admin_site import ReferenceDataAdmin


@admin.register(ComplianceRuleSet)
class ComplianceRuleSetAdmin(ReferenceDataAdmin):
    """The rules are changed by adding a version that takes effect on a later day: a version in
    force is never edited, so what was decided under it can always be explained."""

    list_display = ("effective_from", "warning_after", "enforcement_after", "window_months")
    fields = (
        "effective_from",
        "warning_after",
        "enforcement_after",
        "window_months",
        "decide_within_days",
        "approve_within_days",
        "lay_within_days",
        "description",
    )

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if obj.effective_from <= timezone.localdate():
            raise ValidationError("A new version takes effect from tomorrow at the earliest.")
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        audit_created(
            actor=request.user,
            obj=obj,
            fields=self.fields,
            summary=f"Added the compliance rules in force from {obj.effective_from:%-d %b %Y}",
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class FutureOnly(form):
            def clean_effective_from(self):
                day = self.cleaned_data["effective_from"]
                if day <= timezone.localdate():
                    raise ValidationError("A new version takes effect from tomorrow at the earliest.")
                return day

        return FutureOnly
