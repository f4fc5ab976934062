"""Enforcement actions over the API, read-only: /api/v1/enforcement/ (filter by offender and
status) and /api/v1/enforcement/<id>/.

The rules are those of the pages (compliance.access): whoever may see the offender's record reads
its enforcement actions, never the read-only data share; the list is that rule as a filter in the
database. Lists are audited as searches with a view under each offender listed, reads as views;
refusals are audited like every refusal (audit.refusals). The workflow's steps are taken on the
pages, through compliance.services."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from compliance.access import access_action_by_id, actions_visible_to
from compliance.models import EnforcementAction, EnforcementStatus
from ioms.api_common import ListRetrieveViewSet


class EnforcementActionSerializer(serializers.ModelSerializer):
    offender_prn = serializers.CharField(source="offender.prn", read_only=True)
    officer_name = serializers.SerializerMethodField()

    class Meta:
        model = EnforcementAction
        fields = [
            "id",
            "offender",
            "offender_prn",
            "sentence",
            "appointment",
            "failed_on",
            "officer",
            "officer_name",
            "office",
            "failures_in_window",
            "recommendation",
            "status",
            "due_on",
            "decision_note",
            "prepared_at",
            "approved_at",
            "warning_issued_on",
            "breach_laid_on",
            "sentence_event",
            "created_at",
        ]
        read_only_fields = fields

    def get_officer_name(self, action: EnforcementAction) -> str:
        return action.officer.user.get_full_name()


class EnforcementActionFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    status = django_filters.ChoiceFilter(choices=EnforcementStatus.choices)

    class Meta:
        model = EnforcementAction
        fields = ["offender", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="Enforcement actions of the records you may see (filterable; audited as a search)"
    ),
    retrieve=extend_schema(summary="An enforcement action: the failure, the recommendation and its status"),
)
class EnforcementActionViewSet(ListRetrieveViewSet):
    serializer_class = EnforcementActionSerializer
    filterset_class = EnforcementActionFilter
    ordering_fields = ["failed_on", "due_on"]
    ordering = ["-failed_on", "-id"]
    lookup_value_regex = r"\d+"
    audit_scope = "enforcement actions"

    def get_queryset(self):
        if self.schema_only:
            return EnforcementAction.objects.none()
        return actions_visible_to(self.request.user).select_related("offender", "officer__user")

    def get_object(self) -> EnforcementAction:
        return access_action_by_id(self.request.user, self.kwargs["pk"])

    def audit_read(self, obj, what: str = "") -> None:
        super().audit_read(obj, what or f"enforcement action {obj.pk} of PRN {obj.offender.prn}")
