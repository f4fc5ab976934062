"""Case allocations over the API (seed 001: staff allocated, changed): allocate a staff member to an
offender's case and end an allocation, both through allocation.services, which also write the
allocation casenote."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from allocation.access import access_allocation_by_id, access_allocation_to_read_by_id, can_manage_team
from allocation.models import CaseAllocation, CaseRole
from allocation.team import team_member_add, team_member_end
from ioms.api_common import ListRetrieveViewSet, ServiceCreateMixin, refuse
from offenders.access import access_offender_by_id, can_search_offenders
from offenders.models import visible_offenders_q
from sentences.models import Sentence
from staff.models import StaffMember


class AllocationSerializer(serializers.ModelSerializer):
    staff_name = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()

    class Meta:
        model = CaseAllocation
        fields = [
            "id",
            "offender",
            "staff",
            "staff_name",
            "sentence",
            "role",
            "started_on",
            "ended_on",
            "current",
            "reason",
            "end_reason",
            "allocated_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_staff_name(self, allocation: CaseAllocation) -> str:
        return str(allocation.staff)

    def get_current(self, allocation: CaseAllocation) -> bool:
        return allocation.ended_on is None


class AllocationCreateSerializer(serializers.ModelSerializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.select_related("user"))
    sentence = serializers.PrimaryKeyRelatedField(
        queryset=Sentence.objects.all(), required=False, allow_null=True
    )
    started_on = serializers.DateField(required=False, help_text="Defaults to today.")

    class Meta:
        model = CaseAllocation
        fields = ["offender", "staff", "role", "started_on", "sentence", "reason"]
        # One open allocation per staff member and role is checked by the service.
        validators = []


class AllocationEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class AllocationFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    staff = django_filters.NumberFilter(field_name="staff_id")
    role = django_filters.ChoiceFilter(choices=CaseRole.choices)
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label="Still current")

    class Meta:
        model = CaseAllocation
        fields = ["offender", "staff", "role", "current"]


@extend_schema_view(
    list=extend_schema(summary="List case allocations (audited as a search)"),
    retrieve=extend_schema(summary="One case allocation (audited as a view)"),
    create=extend_schema(
        summary="Allocate a staff member to an offender's case",
        request=AllocationCreateSerializer,
        responses={201: AllocationSerializer},
    ),
)
class AllocationViewSet(ServiceCreateMixin, ListRetrieveViewSet):
    """Staff allocated to offenders' cases: the offender management team (seed 004). A service
    manager of one of the offender's offices (or a system administrator) allocates and ends
    allocations; a prison's recommending and approving officers the prison side of its prisoners'
    teams. Each change also writes a casenote. Reads are audited."""

    serializer_class = AllocationSerializer
    serializer_classes = {"create": AllocationCreateSerializer}
    output_serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    ordering_fields = ["started_on", "ended_on"]
    ordering = ["-started_on", "-id"]  # served by the allocation_started index (keyset pages)
    audit_scope = "case allocations"

    def get_queryset(self):
        queryset = CaseAllocation.objects.select_related("staff__user")
        if self.schema_only or not can_search_offenders(self.request.user):
            return queryset.none()
        return queryset.filter(visible_offenders_q(self.request.user, "offender"))

    def get_object(self) -> CaseAllocation:
        if self.action == "end":
            return access_allocation_by_id(self.request.user, self.kwargs["pk"])
        return access_allocation_to_read_by_id(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer) -> CaseAllocation:
        data = dict(serializer.validated_data)
        offender = access_offender_by_id(self.request.user, data.pop("offender").pk)
        if not can_manage_team(self.request.user, offender):
            refuse("You may not allocate this case.")
        return team_member_add(actor=self.request.user, offender=offender, **data)

    @extend_schema(
        summary="End an allocation", request=AllocationEndSerializer, responses=AllocationSerializer
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def end(self, request: Request, pk=None) -> Response:
        allocation = team_member_end(
            actor=request.user, allocation=self.get_object(), **self.validated(AllocationEndSerializer)
        )
        return self.ok(allocation, AllocationSerializer)
