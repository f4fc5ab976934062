"""Staff, offices and teams over the API: read, and relocate a staff member (seed 001: the staff
member relocates to a new team or location), which calls staff.services.staff_relocate."""

import django_filters
from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ioms.api_common import ListRetrieveViewSet, refuse
from staff.access import (
    access_staff_member_by_id,
    can_manage_staff_in,
    can_view_offices,
    can_view_staff_directory,
)
from staff.models import Office, OfficeKind, StaffMember, StaffPlacement, Team
from staff.roles import Role
from staff.services import staff_relocate

# --- offices and teams ----------------------------------------------------------------------------


class OfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Office
        fields = ["id", "code", "name", "kind", "region", "address", "phone", "opened_on", "closed_on"]
        read_only_fields = fields


class TeamSerializer(serializers.ModelSerializer):
    office_name = serializers.CharField(source="office.name", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "office", "office_name"]
        read_only_fields = fields


class OfficeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OfficeKind.choices)
    open = django_filters.BooleanFilter(field_name="closed_on", lookup_expr="isnull", label="Still open")
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Office
        fields = ["kind", "region", "open", "name", "code"]


class TeamFilter(django_filters.FilterSet):
    office = django_filters.NumberFilter(field_name="office_id")

    class Meta:
        model = Team
        fields = ["office"]


@extend_schema_view(list=extend_schema(summary="Offices, prisons and courts"))
class OfficeViewSet(ListRetrieveViewSet):
    """Offices, prisons and courts: reference data every role reads."""

    serializer_class = OfficeSerializer
    filterset_class = OfficeFilter
    ordering_fields = ["name", "code", "region"]

    def get_queryset(self):
        if self.schema_only or not can_view_offices(self.request.user):
            return Office.objects.none()
        return Office.objects.all()


@extend_schema_view(list=extend_schema(summary="Teams within offices"))
class TeamViewSet(ListRetrieveViewSet):
    """Teams within offices: reference data every role reads."""

    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    ordering_fields = ["name"]

    def get_queryset(self):
        queryset = Team.objects.select_related("office")
        if self.schema_only or not can_view_offices(self.request.user):
            return queryset.none()
        return queryset


# --- staff ----------------------------------------------------------------------------------------


class PlacementSerializer(serializers.ModelSerializer):
    office_name = serializers.CharField(source="office.name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, default="")

    class Meta:
        model = StaffPlacement
        fields = ["id", "office", "office_name", "team", "team_name", "started_on", "ended_on", "reason"]
        read_only_fields = fields


STAFF_FIELDS = [
    "id",
    "username",
    "name",
    "staff_number",
    "position",
    "office",
    "office_name",
    "team",
    "team_name",
    "phone",
    "hours_per_week",
    "active",
    "roles",
]


class StaffMemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()
    office_name = serializers.CharField(source="office.name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True, default="")
    roles = serializers.SerializerMethodField()

    class Meta:
        model = StaffMember
        fields = STAFF_FIELDS
        read_only_fields = fields

    def get_name(self, member: StaffMember) -> str:
        return member.user.get_full_name() or member.user.get_username()

    def get_roles(self, member: StaffMember) -> list[str]:
        valid = set(Role.values)
        return sorted(group.name for group in member.user.groups.all() if group.name in valid)


class StaffMemberDetailSerializer(StaffMemberSerializer):
    placements = PlacementSerializer(many=True, read_only=True)

    class Meta:
        model = StaffMember
        fields = [*STAFF_FIELDS, "placements"]
        read_only_fields = fields


class RelocateSerializer(serializers.Serializer):
    office = serializers.PrimaryKeyRelatedField(queryset=Office.objects.active())
    # Said every time, null for none: an omitted team could mean "keep it" or "none" (issue 11: an
    # omitted team was a 500).
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, help_text="The new team, or null for none."
    )
    on = serializers.DateField(help_text="The first day in the new office or team.")
    reason = serializers.CharField(max_length=200)


class StaffMemberFilter(django_filters.FilterSet):
    office = django_filters.NumberFilter(field_name="office_id")
    team = django_filters.NumberFilter(field_name="team_id")
    name = django_filters.CharFilter(field_name="user__last_name", lookup_expr="istartswith")

    class Meta:
        model = StaffMember
        fields = ["office", "team", "active", "name"]


def _staff_relations(queryset):
    return queryset.select_related("user", "office", "team").prefetch_related("user__groups")


@extend_schema_view(
    list=extend_schema(summary="The staff directory (not for the data share)"),
    retrieve=extend_schema(summary="A staff member and their placements over time"),
)
class StaffMemberViewSet(ListRetrieveViewSet):
    """The staff directory (not for the data share). A service manager relocates staff of their
    office; a system administrator any staff member."""

    serializer_class = StaffMemberSerializer
    serializer_classes = {"retrieve": StaffMemberDetailSerializer}
    filterset_class = StaffMemberFilter
    ordering_fields = ["staff_number", "user__last_name"]

    def get_queryset(self):
        queryset = _staff_relations(StaffMember.objects.all())
        if self.schema_only:
            return queryset.none()
        return queryset

    def list(self, request: Request, *args, **kwargs) -> Response:
        if not can_view_staff_directory(request.user):
            refuse("You may not see the staff directory.")
        return super().list(request, *args, **kwargs)

    def get_object(self) -> StaffMember:
        member = access_staff_member_by_id(self.request.user, self.kwargs["pk"])
        prefetch_related_objects(
            [member],
            "user__groups",
            Prefetch("placements", queryset=StaffPlacement.objects.select_related("office", "team")),
        )
        return member

    @extend_schema(
        summary="Relocate a staff member to another office or team (keeps the placement history)",
        request=RelocateSerializer,
        responses=StaffMemberDetailSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def relocate(self, request: Request, pk=None) -> Response:
        member = access_staff_member_by_id(request.user, pk)
        if not can_manage_staff_in(request.user, member.office):
            refuse("You may not relocate staff of this office.")
        staff_relocate(actor=request.user, member=member, **self.validated(RelocateSerializer))
        return self.ok(self.get_object(), StaffMemberDetailSerializer)
