"""Appointments and their outcomes over the API (issue 15): /api/v1/appointments/ (list, read,
arrange), /<id>/outcome/ and /<id>/reschedule/, and /outcomes/ for a group's outcomes at once.

The rules are those of the diary (appointments.access): an appointment is read and changed by the
officer it is with, the service managers and administrative support of its office, and system
administrators; the list is that rule as a filter in the database, less restricted records the
caller may not open. Lists are audited as searches with a view under each offender listed, reads as
views; refusals are audited like every refusal (audit.refusals). Every write calls
appointments.services, as the pages do."""

import django_filters
from django.db.models import Q, QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from appointments.access import access_appointment_by_id, can_arrange_for
from appointments.models import DIARY_OUTCOMES, Appointment, AppointmentKind, AppointmentStatus
from appointments.services import (
    appointment_create,
    appointment_reschedule,
    outcome_record,
    outcomes_record_bulk,
)
from ioms.api_common import ListRetrieveViewSet, ServiceCreateMixin, refuse
from offenders.access import access_offender_by_id
from offenders.models import Offender, visible_offenders_q
from staff.access import is_read_only_user, staff_of
from staff.models import Office, StaffMember
from staff.roles import Role, has_role


def appointments_visible_to(user) -> QuerySet[Appointment]:
    """appointments.access.can_change_appointment as a filter."""
    if is_read_only_user(user):
        return Appointment.objects.none()
    if has_role(user, Role.SYSTEM_ADMIN):
        return Appointment.objects.all()
    member = staff_of(user)
    if member is None:
        return Appointment.objects.none()
    rule = Q(pk__in=[])
    if has_role(user, Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT):
        rule |= Q(office_id=member.office_id)
    if has_role(user, Role.PROBATION_OFFICER):
        rule |= Q(officer_id=member.pk)
    return Appointment.objects.filter(rule)


class AppointmentSerializer(serializers.ModelSerializer):
    offender_prn = serializers.CharField(source="offender.prn", read_only=True)
    officer_name = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "offender",
            "offender_prn",
            "officer",
            "officer_name",
            "office",
            "kind",
            "starts_at",
            "ends_at",
            "location",
            "notes",
            "series",
            "status",
            "outcome_note",
            "outcome_recorded_at",
            "rescheduled_to",
            "casenote",
        ]
        read_only_fields = fields

    def get_officer_name(self, appointment: Appointment) -> str:
        return appointment.officer.user.get_full_name()


class AppointmentCreateSerializer(serializers.Serializer):
    offender = serializers.PrimaryKeyRelatedField(queryset=Offender.objects.all())
    officer = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.filter(active=True))
    office = serializers.PrimaryKeyRelatedField(queryset=Office.objects.all())
    kind = serializers.ChoiceField(choices=AppointmentKind.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


OUTCOME_CHOICES = [(value, AppointmentStatus(value).label) for value in DIARY_OUTCOMES]


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=OUTCOME_CHOICES)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class BulkOutcomeItemSerializer(OutcomeSerializer):
    appointment = serializers.IntegerField()


class BulkOutcomesSerializer(serializers.Serializer):
    outcomes = BulkOutcomeItemSerializer(many=True, allow_empty=False)


class RescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=500)


class AppointmentFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    officer = django_filters.NumberFilter(field_name="officer_id")
    office = django_filters.NumberFilter(field_name="office_id")
    status = django_filters.ChoiceFilter(choices=AppointmentStatus.choices)
    starts_from = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Appointment
        fields = ["offender", "officer", "office", "status"]


@extend_schema_view(
    list=extend_schema(summary="Appointments you keep (filterable; audited as a search)"),
    retrieve=extend_schema(summary="An appointment and its outcome"),
    create=extend_schema(summary="Arrange an appointment", request=AppointmentCreateSerializer),
)
class AppointmentViewSet(ServiceCreateMixin, ListRetrieveViewSet):
    serializer_class = AppointmentSerializer
    serializer_classes = {"create": AppointmentCreateSerializer}
    output_serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter
    ordering_fields = ["starts_at"]
    ordering = ["starts_at", "id"]
    lookup_value_regex = r"\d+"
    audit_scope = "appointments"

    def get_queryset(self):
        if self.schema_only:
            return Appointment.objects.none()
        return (
            appointments_visible_to(self.request.user)
            .filter(visible_offenders_q(self.request.user, "offender"))
            .select_related("offender", "officer__user")
        )

    def get_object(self) -> Appointment:
        return access_appointment_by_id(self.request.user, self.kwargs["pk"], for_edit=True)

    def audit_read(self, obj, what: str = "") -> None:
        super().audit_read(obj, what or f"appointment {obj.pk} of PRN {obj.offender.prn}")

    def perform_create(self, serializer) -> Appointment:
        data = dict(serializer.validated_data)
        offender = access_offender_by_id(self.request.user, data.pop("offender").pk)
        if not can_arrange_for(self.request.user, offender):
            refuse("You may not arrange appointments for this offender.")
        return appointment_create(actor=self.request.user, offender=offender, **data)

    @extend_schema(
        summary="Record an appointment's outcome", request=OutcomeSerializer, responses=AppointmentSerializer
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def outcome(self, request: Request, pk=None) -> Response:
        appointment = outcome_record(
            actor=request.user, appointment=self.get_object(), **self.validated(OutcomeSerializer)
        )
        return self.ok(appointment, AppointmentSerializer)

    @extend_schema(
        summary="Reschedule an appointment (returns the new one)",
        request=RescheduleSerializer,
        responses=AppointmentSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reschedule(self, request: Request, pk=None) -> Response:
        new = appointment_reschedule(
            actor=request.user, appointment=self.get_object(), **self.validated(RescheduleSerializer)
        )
        return self.created(new, AppointmentSerializer)

    @extend_schema(
        summary="Record the outcomes of several appointments at once (all or none)",
        request=BulkOutcomesSerializer,
        responses=AppointmentSerializer(many=True),
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def outcomes(self, request: Request) -> Response:
        items = self.validated(BulkOutcomesSerializer)["outcomes"]
        outcomes = []
        for position, item in enumerate(items):
            try:
                appointment = access_appointment_by_id(request.user, item["appointment"], for_edit=True)
            except Http404:
                # The body names the appointments: an unknown one makes the request invalid (400, by
                # field) and records none of them, as an unknown id in any request body does.
                raise ValidationError(
                    {"outcomes": {position: {"appointment": ["No appointment has this id."]}}}
                ) from None
            outcomes.append((appointment, item["outcome"], item["note"]))
        recorded = outcomes_record_bulk(actor=request.user, outcomes=outcomes)
        return Response(
            AppointmentSerializer(recorded, many=True, context=self.get_serializer_context()).data
        )
