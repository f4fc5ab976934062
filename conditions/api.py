"""Conditions over the API (issue 15): /api/v1/conditions/?offender=<id> lists an offender's
conditions (without it, every condition the user may see, paged by cursor); POST adds one, PATCH
varies one (the reason is required: a new version), POST /<id>/end/ ends or cancels it and POST
/<id>/hours/ records community work hours. The same rules as the pages: reading is
conditions.access.can_view_conditions, every change conditions.services (which checks
can_change_conditions). Reads are audited; refusals are audited where they become responses
(audit.refusals)."""

from decimal import Decimal

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from conditions import services
from conditions.access import (
    access_condition_by_id,
    access_sentence_for_conditions_by_id,
    can_view_conditions,
)
from conditions.models import (
    DETAIL_FIELDS,
    MAX_COMMUNITY_WORK_HOURS,
    MAX_HOURS_PER_DAY,
    Condition,
    ConditionKind,
    ConditionStatus,
    Substance,
)
from conditions.selectors import remaining_hours, with_hours
from ioms.api_common import ListRetrieveViewSet, refuse
from offenders.access import VIEWING_ROLES, access_offender_by_id
from offenders.models import visible_offenders_q
from staff.roles import has_role


class ConditionSerializer(serializers.ModelSerializer):
    summary = serializers.CharField(read_only=True)
    hours_worked = serializers.DecimalField(
        source="worked", max_digits=7, decimal_places=2, read_only=True, allow_null=True
    )
    hours_remaining = serializers.SerializerMethodField()

    class Meta:
        model = Condition
        fields = [
            "id",
            "offender",
            "sentence",
            "kind",
            "summary",
            *DETAIL_FIELDS,
            "start_on",
            "end_on",
            "source",
            "status",
            "version",
            "ended_on",
            "end_reason",
            "hours_worked",
            "hours_remaining",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_hours_remaining(self, condition: Condition) -> float | None:
        if not hasattr(condition, "worked"):
            return None
        remaining = remaining_hours(condition)
        return None if remaining is None else float(remaining)


class DetailFieldsSerializer(serializers.Serializer):
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    curfew_from = serializers.TimeField(required=False, allow_null=True)
    curfew_until = serializers.TimeField(required=False, allow_null=True)
    programme_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    hours_ordered = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_COMMUNITY_WORK_HOURS
    )
    associates = serializers.CharField(max_length=500, required=False, allow_blank=True)
    substance = serializers.ChoiceField(choices=Substance.choices, required=False, allow_blank=True)
    details = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    start_on = serializers.DateField(required=False)
    end_on = serializers.DateField(required=False, allow_null=True)


class ConditionCreateSerializer(DetailFieldsSerializer):
    sentence = serializers.IntegerField(help_text="The sentence or order the condition belongs to.")
    kind = serializers.ChoiceField(choices=ConditionKind.choices)


class ConditionVarySerializer(DetailFieldsSerializer):
    reason = serializers.CharField(max_length=300, help_text="Why it is varied: a new version, the old kept.")


class ConditionEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.CharField(max_length=300)
    cancel = serializers.BooleanField(
        default=False, help_text="True: cancelled (entered in error, withdrawn) rather than ended."
    )


class HoursSerializer(serializers.Serializer):
    worked_on = serializers.DateField()
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=2, min_value=Decimal("0.25"), max_value=MAX_HOURS_PER_DAY
    )


class ConditionFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    sentence = django_filters.NumberFilter(field_name="sentence_id")
    status = django_filters.ChoiceFilter(choices=ConditionStatus.choices)

    class Meta:
        model = Condition
        fields = ["offender", "sentence", "status"]


@extend_schema_view(
    list=extend_schema(summary="Conditions, usually an offender's (?offender=; audited as a search)"),
    retrieve=extend_schema(summary="One condition (audited as a view)"),
    create=extend_schema(
        summary="Add a condition to a sentence",
        request=ConditionCreateSerializer,
        responses={201: ConditionSerializer},
    ),
    partial_update=extend_schema(
        summary="Vary a condition (a new version, with the reason)",
        request=ConditionVarySerializer,
        responses={200: ConditionSerializer},
    ),
)
class ConditionViewSet(ListRetrieveViewSet):
    serializer_class = ConditionSerializer
    serializer_classes = {"create": ConditionCreateSerializer, "partial_update": ConditionVarySerializer}
    filterset_class = ConditionFilter
    ordering_fields = ["start_on"]
    ordering = ["start_on", "id"]  # served by the condition_offender index
    audit_scope = "conditions"

    def get_queryset(self) -> QuerySet[Condition]:
        queryset = with_hours(Condition.objects.all())
        if self.schema_only:
            return queryset.none()
        return queryset.filter(visible_offenders_q(self.request.user, "offender"))

    def list(self, request: Request, *args, **kwargs) -> Response:
        """Every condition the user may see (paged by cursor, no count), usually narrowed to one
        offender with ?offender=, whose record is then opened as the pages open it."""
        if not has_role(request.user, *VIEWING_ROLES):
            refuse("You may not read conditions.")
        offender_id = request.query_params.get("offender", "")
        if offender_id.isdigit() and len(offender_id) <= 18:
            offender = access_offender_by_id(request.user, offender_id)
            if not can_view_conditions(request.user, offender):
                refuse("You may not see this offender's conditions.")
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Condition:
        condition = access_condition_by_id(self.request.user, self.kwargs["pk"])
        return with_hours(Condition.objects.filter(pk=condition.pk)).get()

    def _edited(self) -> Condition:
        return access_condition_by_id(self.request.user, self.kwargs["pk"], for_edit=True)

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = dict(self.validated(ConditionCreateSerializer))
        try:
            sentence = access_sentence_for_conditions_by_id(request.user, data.pop("sentence"), for_edit=True)
        except Http404:
            # The body names the sentence: one that does not exist makes the request invalid (400,
            # by field), as an unknown id in any request body does; 404 is for the path.
            raise ValidationError({"sentence": ["No sentence has this id."]}) from None
        condition = services.condition_create(actor=request.user, sentence=sentence, **data)
        return self.created(with_hours(Condition.objects.filter(pk=condition.pk)).get(), ConditionSerializer)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        condition = self._edited()
        data = dict(self.validated(ConditionVarySerializer))
        reason = data.pop("reason")
        services.condition_vary(actor=request.user, condition=condition, reason=reason, **data)
        return self.ok(self.get_object(), ConditionSerializer)

    @extend_schema(
        summary="End or cancel a condition",
        request=ConditionEndSerializer,
        responses={200: ConditionSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def end(self, request: Request, pk=None) -> Response:
        condition = self._edited()
        services.condition_end(
            actor=request.user, condition=condition, **self.validated(ConditionEndSerializer)
        )
        return self.ok(self.get_object(), ConditionSerializer)

    @extend_schema(
        summary="Record community work hours worked on a day",
        request=HoursSerializer,
        responses={200: ConditionSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def hours(self, request: Request, pk=None) -> Response:
        condition = self._edited()
        data = self.validated(HoursSerializer)
        services.community_work_hours_record(
            actor=request.user, condition=condition, on=data["worked_on"], hours=data["hours"]
        )
        return self.ok(self.get_object(), ConditionSerializer)
