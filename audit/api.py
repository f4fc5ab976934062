"""The audit trail over the API: read-only, for system administrators only. Nothing here writes:
the rows are appended by the services and the views that read records."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers

from audit.models import AuditAction, AuditEvent
from ioms.api_common import IsSystemAdmin, ListRetrieveViewSet


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "offender",
            "summary",
            "changes",
            "query",
            "ip_address",
            "user_agent",
            "channel",
        ]
        read_only_fields = fields


class AuditEventFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    actor = django_filters.NumberFilter(field_name="actor_id")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    object_type = django_filters.CharFilter(help_text="e.g. offenders.Offender")
    object_id = django_filters.CharFilter()
    date_from = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="On or after")
    date_to = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="On or before")

    class Meta:
        model = AuditEvent
        fields = [
            "offender",
            "actor",
            "action",
            "object_type",
            "object_id",
            "channel",
            "date_from",
            "date_to",
        ]


@extend_schema_view(
    list=extend_schema(summary="The audit trail, newest first (system administrators only)"),
    retrieve=extend_schema(summary="One audit event (system administrators only)"),
)
class AuditEventViewSet(ListRetrieveViewSet):
    """The audit trail: every view, search and change. Read-only, for system administrators."""

    permission_classes = [permissions.IsAuthenticated, IsSystemAdmin]
    http_method_names = ["get", "head", "options"]
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["at"]
    ordering = ["-at", "-id"]  # served by the audit_at index (keyset pages)

    def get_queryset(self):
        return AuditEvent.objects.all()
