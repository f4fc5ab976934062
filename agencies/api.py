"""Agencies, programmes and referrals over the API (seed 001: agency accepted, changed, discontinued;
programme adopted, changed, discontinued). Writes call agencies.services."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.access import access_referral_by_id, can_manage_agencies, can_refer, can_view_agencies
from agencies.models import (
    Agency,
    AgencyStatus,
    Attendance,
    Programme,
    ProgrammeStatus,
    Referral,
    ReferralStatus,
)
from agencies.services import (
    AGENCY_FIELDS,
    PROGRAMME_FIELDS,
    agency_accept,
    agency_discontinue,
    agency_update,
    attendance_record,
    programme_adopt,
    programme_discontinue,
    programme_update,
    referral_create,
    referral_transition,
)
from ioms.api_common import ListRetrieveViewSet, ServiceCreateMixin, ServiceUpdateMixin, name_enum, refuse
from offenders.access import access_offender_by_id, can_search_offenders
from offenders.models import visible_offenders_q
from sentences.models import Sentence


class DiscontinueSerializer(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class ManagedReferenceDataViewSet(ServiceCreateMixin, ServiceUpdateMixin, ListRetrieveViewSet):
    """Agencies and programmes: every role reads them; managers accept, change and discontinue."""

    def check_manager(self) -> None:
        if not can_manage_agencies(self.request.user):
            refuse("You may not change agencies or programmes.")

    def get_object(self):
        obj = super().get_object()
        if self.action != "retrieve":
            self.check_manager()
        return obj


# --- agencies -------------------------------------------------------------------------------------


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = [
            "id",
            "name",
            "kind",
            "contact_name",
            "phone",
            "email",
            "address",
            "status",
            "accepted_on",
            "discontinued_on",
            "discontinued_reason",
            "updated_at",
        ]
        read_only_fields = fields


class AgencyWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = list(AGENCY_FIELDS)


class AgencyFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    status = django_filters.ChoiceFilter(choices=AgencyStatus.choices)

    class Meta:
        model = Agency
        fields = ["name", "status", "kind"]


@extend_schema_view(
    create=extend_schema(
        summary="Accept a new agency", request=AgencyWriteSerializer, responses={201: AgencySerializer}
    ),
    partial_update=extend_schema(
        summary="Change an agency's details", request=AgencyWriteSerializer, responses=AgencySerializer
    ),
)
class AgencyViewSet(ManagedReferenceDataViewSet):
    """Agencies that sponsor programmes or services. Every role reads them; service managers,
    administrative support and system administrators accept, change and discontinue them."""

    serializer_class = AgencySerializer
    serializer_classes = {"create": AgencyWriteSerializer, "partial_update": AgencyWriteSerializer}
    output_serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    ordering_fields = ["name", "accepted_on"]

    def get_queryset(self):
        if self.schema_only or not can_view_agencies(self.request.user):
            return Agency.objects.none()
        return Agency.objects.all()

    def perform_create(self, serializer) -> Agency:
        self.check_manager()
        return agency_accept(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, obj: Agency, serializer) -> None:
        agency_update(actor=self.request.user, agency=obj, **serializer.validated_data)

    @extend_schema(
        summary="Discontinue an agency (and its programmes)",
        request=DiscontinueSerializer,
        responses=AgencySerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def discontinue(self, request: Request, pk=None) -> Response:
        agency = agency_discontinue(
            actor=request.user, agency=self.get_object(), **self.validated(DiscontinueSerializer)
        )
        return self.ok(agency, AgencySerializer)


# --- programmes -----------------------------------------------------------------------------------


class ProgrammeSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True, default="")

    class Meta:
        model = Programme
        fields = [
            "id",
            "agency",
            "agency_name",
            "name",
            "kind",
            "description",
            "office",
            "office_name",
            "capacity",
            "status",
            "adopted_on",
            "discontinued_on",
            "discontinued_reason",
            "updated_at",
        ]
        read_only_fields = fields


class ProgrammeWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = list(PROGRAMME_FIELDS)


class ProgrammeFilter(django_filters.FilterSet):
    agency = django_filters.NumberFilter(field_name="agency_id")
    office = django_filters.NumberFilter(field_name="office_id")
    name = django_filters.CharFilter(lookup_expr="icontains")
    status = django_filters.ChoiceFilter(choices=ProgrammeStatus.choices)
    kind = django_filters.ChoiceFilter(choices=Programme.Kind.choices)

    class Meta:
        model = Programme
        fields = ["agency", "office", "name", "status", "kind"]


@extend_schema_view(
    create=extend_schema(
        summary="Adopt a new programme",
        request=ProgrammeWriteSerializer,
        responses={201: ProgrammeSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a programme's details",
        request=ProgrammeWriteSerializer,
        responses=ProgrammeSerializer,
    ),
)
class ProgrammeViewSet(ManagedReferenceDataViewSet):
    """Programmes and services offered by agencies. Every role reads them; service managers,
    administrative support and system administrators adopt, change and discontinue them."""

    serializer_class = ProgrammeSerializer
    serializer_classes = {"create": ProgrammeWriteSerializer, "partial_update": ProgrammeWriteSerializer}
    output_serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    ordering_fields = ["name", "adopted_on"]

    def get_queryset(self):
        queryset = Programme.objects.select_related("agency", "office")
        if self.schema_only or not can_view_agencies(self.request.user):
            return queryset.none()
        return queryset

    def perform_create(self, serializer) -> Programme:
        self.check_manager()
        data = dict(serializer.validated_data)
        return programme_adopt(actor=self.request.user, agency=data.pop("agency"), **data)

    def perform_update(self, obj: Programme, serializer) -> None:
        programme_update(actor=self.request.user, programme=obj, **serializer.validated_data)

    @extend_schema(
        summary="Discontinue a programme", request=DiscontinueSerializer, responses=ProgrammeSerializer
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def discontinue(self, request: Request, pk=None) -> Response:
        programme = programme_discontinue(
            actor=request.user, programme=self.get_object(), **self.validated(DiscontinueSerializer)
        )
        return self.ok(programme, ProgrammeSerializer)


# --- referrals ------------------------------------------------------------------------------------


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "session_on", "attended", "excused", "note", "recorded_by", "recorded_at"]
        read_only_fields = fields


class AttendanceCreateSerializer(serializers.Serializer):
    session_on = serializers.DateField()
    attended = serializers.BooleanField()
    excused = serializers.BooleanField(required=False, default=False, help_text="An absence that is excused.")
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="Required for an absence: why."
    )


REFERRAL_FIELDS = [
    "id",
    "offender",
    "programme",
    "programme_name",
    "agency_name",
    "sentence",
    "referred_on",
    "status",
    "status_changed_on",
    "waitlisted_on",
    "accepted_on",
    "starts_on",
    "outcome_note",
    "referred_by",
    "created_at",
]


class ReferralSerializer(serializers.ModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    agency_name = serializers.CharField(source="programme.agency.name", read_only=True)

    class Meta:
        model = Referral
        fields = REFERRAL_FIELDS
        read_only_fields = fields


class ReferralDetailSerializer(ReferralSerializer):
    attendances = AttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = Referral
        fields = [*REFERRAL_FIELDS, "attendances"]
        read_only_fields = fields


class ReferralCreateSerializer(serializers.ModelSerializer):
    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.select_related("agency"))
    sentence = serializers.PrimaryKeyRelatedField(
        queryset=Sentence.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Referral
        fields = ["offender", "programme", "referred_on", "sentence"]
        # One open referral per programme is checked by the service, with a clearer message.
        validators = []


REFERRAL_NEXT_STATUSES = [
    (value, label) for value, label in ReferralStatus.choices if value != ReferralStatus.REFERRED
]
name_enum("ReferralNextStatus", REFERRAL_NEXT_STATUSES)


class ReferralTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=REFERRAL_NEXT_STATUSES)
    on = serializers.DateField()
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="Required when not completed: why."
    )
    starts_on = serializers.DateField(
        required=False, allow_null=True, help_text="When accepting: the date the offender starts."
    )


class ReferralFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    programme = django_filters.NumberFilter(field_name="programme_id")
    sentence = django_filters.NumberFilter(field_name="sentence_id")
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    referred_on = django_filters.DateFromToRangeFilter()

    class Meta:
        model = Referral
        fields = ["offender", "programme", "sentence", "status", "referred_on"]


@extend_schema_view(
    list=extend_schema(summary="List referrals (audited as a search)"),
    retrieve=extend_schema(summary="A referral and its attendance (audited as a view)"),
    create=extend_schema(
        summary="Refer an offender to a programme",
        request=ReferralCreateSerializer,
        responses={201: ReferralDetailSerializer},
    ),
)
class ReferralViewSet(ServiceCreateMixin, ListRetrieveViewSet):
    """Offenders referred to programmes, and their attendance. Those who maintain the offender's
    record refer and record attendance. Reads are audited."""

    serializer_class = ReferralSerializer
    serializer_classes = {"retrieve": ReferralDetailSerializer, "create": ReferralCreateSerializer}
    output_serializer_class = ReferralDetailSerializer
    filterset_class = ReferralFilter
    ordering_fields = ["referred_on", "status_changed_on"]
    ordering = ["-referred_on", "-id"]  # served by the referral_recent index (keyset pages)
    audit_scope = "referrals"

    def get_queryset(self):
        queryset = Referral.objects.select_related("programme__agency")
        if self.schema_only or not can_search_offenders(self.request.user):
            return queryset.none()
        return queryset.filter(visible_offenders_q(self.request.user, "offender"))

    def get_object(self) -> Referral:
        for_edit = self.action == "transition" or (
            self.action == "attendance" and self.request.method == "POST"
        )
        return access_referral_by_id(self.request.user, self.kwargs["pk"], for_edit=for_edit)

    def perform_create(self, serializer) -> Referral:
        data = dict(serializer.validated_data)
        offender = access_offender_by_id(self.request.user, data.pop("offender").pk)
        if not can_refer(self.request.user, offender):
            refuse("You may not refer this offender.")
        return referral_create(actor=self.request.user, offender=offender, **data)

    @extend_schema(
        summary="Move a referral on: waiting list, accepted (takes a place), attending, completed, "
        "not completed, withdrawn or declined",
        request=ReferralTransitionSerializer,
        responses=ReferralDetailSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def transition(self, request: Request, pk=None) -> Response:
        referral = referral_transition(
            actor=request.user, referral=self.get_object(), **self.validated(ReferralTransitionSerializer)
        )
        return self.ok(referral, ReferralDetailSerializer)

    @extend_schema(
        methods=["GET"], summary="Attendance at the programme", responses=AttendanceSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="Record attendance at a session",
        request=AttendanceCreateSerializer,
        responses={201: AttendanceSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def attendance(self, request: Request, pk=None) -> Response:
        referral = self.get_object()
        if request.method == "POST":
            attendance = attendance_record(
                actor=request.user, referral=referral, **self.validated(AttendanceCreateSerializer)
            )
            return self.created(attendance, AttendanceSerializer)
        self.audit_read(referral, f"attendance on {referral}")
        return self.paginated(referral.attendances.all(), AttendanceSerializer)
