"""Sentences, the convictions behind them, their events, charges and the offence catalogue over the
API. Reads go through sentences.access and are audited; writes call sentences.services."""

import django_filters
from django.db.models import Prefetch, prefetch_related_objects
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ioms.api_common import (
    IomsViewSet,
    ListRetrieveViewSet,
    ServiceCreateMixin,
    ServiceUpdateMixin,
    name_enum,
    refuse,
)
from offenders.access import access_offender_by_id, can_search_offenders
from offenders.models import Offender, visible_offenders_q
from sentences.access import (
    access_charge_by_id,
    access_sentence_by_id,
    can_record_custody,
    can_record_sentence,
)
from sentences.custody import REFUSED as CUSTODY_REFUSED
from sentences.custody import custody_movements_of, custody_receive, custody_release, custody_status_of
from sentences.models import (
    NOT_THE_OFFENDERS_SENTENCE,
    Charge,
    CompletionReason,
    Conviction,
    CustodyMovement,
    CustodyMovementKind,
    Offence,
    OffenceCategory,
    ReleaseReason,
    Sentence,
    SentenceEvent,
    SentenceEventKind,
    SentenceStatus,
    SentenceType,
)
from sentences.services import (
    SENTENCE_FIELDS,
    charge_create,
    charge_dispose,
    sentence_commence,
    sentence_complete,
    sentence_create,
    sentence_event_record,
    sentence_update,
)
from staff.models import Office, OfficeKind

# --- offences -------------------------------------------------------------------------------------


class OffenceSerializer(serializers.ModelSerializer):
    categories = serializers.ListField(child=serializers.ChoiceField(choices=OffenceCategory.choices))

    class Meta:
        model = Offence
        fields = ["id", "code", "description", "act", "section", "seriousness", "categories", "active"]
        read_only_fields = fields


class OffenceFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="istartswith")
    description = django_filters.CharFilter(lookup_expr="icontains")
    category = django_filters.ChoiceFilter(
        choices=OffenceCategory.choices, method="filter_category", label="Offences in this category"
    )

    class Meta:
        model = Offence
        fields = ["code", "description", "active", "category"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(categories__contains=[value])


@extend_schema_view(
    list=extend_schema(summary="The offence catalogue"),
    retrieve=extend_schema(summary="One offence and its seriousness score"),
)
class OffenceViewSet(ListRetrieveViewSet):
    """Reference data: read-only for everyone with a role."""

    serializer_class = OffenceSerializer
    filterset_class = OffenceFilter
    ordering_fields = ["code", "seriousness", "description"]

    def get_queryset(self):
        if self.schema_only or not can_search_offenders(self.request.user):
            return Offence.objects.none()
        return Offence.objects.all()


# --- charges --------------------------------------------------------------------------------------


class ChargeSerializer(serializers.ModelSerializer):
    offence_code = serializers.CharField(source="offence.code", read_only=True)
    offence_description = serializers.CharField(source="offence.description", read_only=True)
    court_name = serializers.CharField(source="court.name", read_only=True, default="")

    class Meta:
        model = Charge
        fields = [
            "id",
            "offender",
            "offence",
            "offence_code",
            "offence_description",
            "charged_on",
            "offence_date",
            "court",
            "court_name",
            "outstanding",
            "disposed_on",
            "outcome",
            "created_at",
        ]
        read_only_fields = fields


class ChargeCreateSerializer(serializers.ModelSerializer):
    offence = serializers.PrimaryKeyRelatedField(queryset=Offence.objects.filter(active=True))

    class Meta:
        model = Charge
        fields = ["offender", "offence", "charged_on", "offence_date", "court"]


class ChargeDisposeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Charge.Outcome.choices)
    disposed_on = serializers.DateField()


class ChargeFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    offence = django_filters.NumberFilter(field_name="offence_id")

    class Meta:
        model = Charge
        fields = ["offender", "offence", "outstanding", "outcome"]


@extend_schema_view(
    list=extend_schema(summary="List charges (audited as a search)"),
    retrieve=extend_schema(summary="One charge (audited as a view)"),
    create=extend_schema(request=ChargeCreateSerializer, responses={201: ChargeSerializer}),
)
class ChargeViewSet(ServiceCreateMixin, ListRetrieveViewSet):
    """Charges laid against offenders and the court's outcome. Reads are audited."""

    serializer_class = ChargeSerializer
    serializer_classes = {"create": ChargeCreateSerializer}
    output_serializer_class = ChargeSerializer
    filterset_class = ChargeFilter
    ordering_fields = ["charged_on", "disposed_on"]
    ordering = ["-charged_on", "-id"]  # served by the charge_recent index (keyset pages)
    audit_scope = "charges"

    def get_queryset(self):
        queryset = Charge.objects.select_related("offence", "court")
        if self.schema_only or not can_search_offenders(self.request.user):
            return queryset.none()
        return queryset.filter(visible_offenders_q(self.request.user, "offender"))

    def get_object(self) -> Charge:
        return access_charge_by_id(self.request.user, self.kwargs["pk"], for_edit=self.action == "dispose")

    def perform_create(self, serializer) -> Charge:
        data = dict(serializer.validated_data)
        offender = access_offender_by_id(self.request.user, data.pop("offender").pk)
        if not can_record_sentence(self.request.user, offender):
            refuse("You may not record charges against this offender.")
        return charge_create(actor=self.request.user, offender=offender, **data)

    @extend_schema(
        summary="Record the court's outcome of a charge",
        request=ChargeDisposeSerializer,
        responses=ChargeSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def dispose(self, request: Request, pk=None) -> Response:
        charge = self.get_object()
        charge_dispose(actor=request.user, charge=charge, **self.validated(ChargeDisposeSerializer))
        return self.ok(access_charge_by_id(request.user, charge.pk), ChargeSerializer)


# --- sentences ------------------------------------------------------------------------------------


class ConvictionSerializer(serializers.ModelSerializer):
    offence_code = serializers.CharField(source="offence.code", read_only=True)
    offence_description = serializers.CharField(source="offence.description", read_only=True)
    seriousness = serializers.DecimalField(
        source="offence.seriousness", max_digits=8, decimal_places=2, read_only=True
    )

    class Meta:
        model = Conviction
        fields = [
            "id",
            "offence",
            "offence_code",
            "offence_description",
            "seriousness",
            "offence_date",
            "convicted_on",
            "charge",
        ]
        read_only_fields = fields


class ConvictionInputSerializer(serializers.Serializer):
    offence = serializers.PrimaryKeyRelatedField(queryset=Offence.objects.filter(active=True))
    convicted_on = serializers.DateField()
    offence_date = serializers.DateField(required=False, allow_null=True)
    charge = serializers.PrimaryKeyRelatedField(
        queryset=Charge.objects.all(),
        required=False,
        allow_null=True,
        help_text="An outstanding charge it disposes of.",
    )


class SentenceEventSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = SentenceEvent
        fields = [
            "id",
            "kind",
            "kind_label",
            "occurred_on",
            "detail",
            "from_status",
            "to_status",
            "completion_reason",
            "source",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


RECORDABLE_EVENT_KINDS = [
    (kind.value, kind.label)
    for kind in (
        SentenceEventKind.APPLICATION,
        SentenceEventKind.APPEAL_SENTENCE,
        SentenceEventKind.APPEAL_CONVICTION,
        SentenceEventKind.BREACH,
        SentenceEventKind.DETAILS_CHANGED,
    )
]
name_enum("RecordableSentenceEventKind", RECORDABLE_EVENT_KINDS)


class SentenceEventCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RECORDABLE_EVENT_KINDS)
    occurred_on = serializers.DateField()
    detail = serializers.CharField(max_length=500)


SENTENCE_LIST_FIELDS = [
    "id",
    "offender",
    "offender_prn",
    "offender_name",
    "sentence_type",
    "court",
    "court_name",
    "court_case_number",
    "order_date",
    "start_date",
    "end_date",
    "parole_eligibility_date",
    "statutory_release_date",
    "parole_hearing_date",
    "hours",
    "indeterminate",
    "managing_office",
    "managing_office_name",
    "status",
    "completion_reason",
    "completed_on",
    # Read by the sentence calculation (docs/sentence-calculation.md); imprisonment only.
    "consecutive_to",
    "remand_days",
    "minimum_period_months",
]


class SentenceListSerializer(serializers.ModelSerializer):
    offender_prn = serializers.CharField(source="offender.prn", read_only=True)
    offender_name = serializers.CharField(source="offender.full_name", read_only=True)
    court_name = serializers.CharField(source="court.name", read_only=True)
    managing_office_name = serializers.CharField(source="managing_office.name", read_only=True, default="")

    class Meta:
        model = Sentence
        fields = SENTENCE_LIST_FIELDS
        read_only_fields = fields


class SentenceDetailSerializer(SentenceListSerializer):
    convictions = ConvictionSerializer(many=True, read_only=True)

    class Meta:
        model = Sentence
        fields = [*SENTENCE_LIST_FIELDS, "conditions", "created_at", "updated_at", "convictions"]
        read_only_fields = fields


def cumulative_on_field() -> serializers.PrimaryKeyRelatedField:
    """'Cumulative on' by the sentence's id. An id that does not exist gets the words the model gives
    another offender's sentence (Sentence.clean), so the answer does not say which ids exist."""
    return serializers.PrimaryKeyRelatedField(
        queryset=Sentence.objects.all(),
        required=False,
        allow_null=True,
        help_text="The sentence of imprisonment (of the same offender) this one is served after; "
        "null when it is concurrent.",
        error_messages={"does_not_exist": NOT_THE_OFFENDERS_SENTENCE},
    )


class SentenceCreateSerializer(serializers.ModelSerializer):
    """A sentence entered by hand with the conviction(s) behind it; sentence_create runs the rules
    for each sentence type (hours, conditions, parole dates, the fields of the calculation)."""

    convictions = ConvictionInputSerializer(many=True)
    consecutive_to = cumulative_on_field()

    class Meta:
        model = Sentence
        fields = ["offender", *SENTENCE_FIELDS, "convictions"]


class SentenceUpdateSerializer(serializers.ModelSerializer):
    consecutive_to = cumulative_on_field()
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Recorded on the sentence event."
    )

    class Meta:
        model = Sentence
        fields = [*SENTENCE_FIELDS, "reason"]


class SentenceCompleteSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CompletionReason.choices)
    completed_on = serializers.DateField()
    detail = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Required unless completed normally."
    )


class SentenceCommenceSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="Defaults to today.")


class SentenceFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    sentence_type = django_filters.ChoiceFilter(choices=SentenceType.choices)
    status = django_filters.ChoiceFilter(choices=SentenceStatus.choices)
    managing_office = django_filters.NumberFilter(field_name="managing_office_id")
    court = django_filters.NumberFilter(field_name="court_id")
    start_date = django_filters.DateFromToRangeFilter()
    end_date = django_filters.DateFromToRangeFilter()

    class Meta:
        model = Sentence
        fields = ["offender", "sentence_type", "status", "managing_office", "court", "start_date", "end_date"]


@extend_schema_view(
    list=extend_schema(summary="List sentences (filterable; audited as a search)"),
    retrieve=extend_schema(summary="A sentence with its convictions (audited as a view)"),
    create=extend_schema(request=SentenceCreateSerializer, responses={201: SentenceDetailSerializer}),
    partial_update=extend_schema(request=SentenceUpdateSerializer, responses=SentenceDetailSerializer),
)
class SentenceViewSet(ServiceCreateMixin, ServiceUpdateMixin, ListRetrieveViewSet):
    """Sentences and orders with the convictions behind them and their events (seed 001). Most
    arrive from the court interface; staff who maintain the record enter, change, commence and
    complete them. Reads are audited."""

    serializer_class = SentenceListSerializer
    serializer_classes = {
        "retrieve": SentenceDetailSerializer,
        "create": SentenceCreateSerializer,
        "partial_update": SentenceUpdateSerializer,
    }
    output_serializer_class = SentenceDetailSerializer
    filterset_class = SentenceFilter
    ordering_fields = ["start_date", "end_date", "order_date", "statutory_release_date"]
    ordering = ["-start_date", "-id"]  # served by the sentence_start index (keyset pages)
    audit_scope = "sentences"
    edit_actions = frozenset({"partial_update", "complete", "commence"})

    def get_queryset(self):
        queryset = Sentence.objects.with_list_relations()
        if self.schema_only or not can_search_offenders(self.request.user):
            return queryset.none()
        return queryset.filter(visible_offenders_q(self.request.user, "offender"))

    def get_object(self) -> Sentence:
        return self.get_sentence(for_edit=self.action in self.edit_actions)

    def get_sentence(self, *, for_edit: bool = False) -> Sentence:
        sentence = access_sentence_by_id(self.request.user, self.kwargs["pk"], for_edit=for_edit)
        prefetch_related_objects(
            [sentence], Prefetch("convictions", queryset=Conviction.objects.select_related("offence"))
        )
        return sentence

    def read_back(self, obj: Sentence) -> Sentence:
        return self.get_sentence()

    def perform_create(self, serializer) -> Sentence:
        data = dict(serializer.validated_data)
        offender: Offender = access_offender_by_id(self.request.user, data.pop("offender").pk)
        if not can_record_sentence(self.request.user, offender):
            refuse("You may not record sentences for this offender.")
        convictions = [dict(item) for item in data.pop("convictions")]
        return sentence_create(actor=self.request.user, offender=offender, convictions=convictions, **data)

    def perform_update(self, obj: Sentence, serializer) -> None:
        sentence_update(actor=self.request.user, sentence=obj, **serializer.validated_data)

    @extend_schema(
        summary="Complete a sentence (seed 001: normally, cancelled, quashed, discharged early, terminated)",
        request=SentenceCompleteSerializer,
        responses=SentenceDetailSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def complete(self, request: Request, pk=None) -> Response:
        sentence = self.get_object()
        sentence_complete(actor=request.user, sentence=sentence, **self.validated(SentenceCompleteSerializer))
        return self.ok(self.read_back(sentence), SentenceDetailSerializer)

    @extend_schema(
        summary="Record that a pending sentence has commenced",
        request=SentenceCommenceSerializer,
        responses=SentenceDetailSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def commence(self, request: Request, pk=None) -> Response:
        sentence = self.get_object()
        sentence_commence(actor=request.user, sentence=sentence, **self.validated(SentenceCommenceSerializer))
        return self.ok(self.read_back(sentence), SentenceDetailSerializer)

    @extend_schema(
        methods=["GET"], summary="The sentence's events", responses=SentenceEventSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="Record an application, appeal, breach or other change of details",
        request=SentenceEventCreateSerializer,
        responses={201: SentenceEventSerializer},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def events(self, request: Request, pk=None) -> Response:
        sentence = access_sentence_by_id(request.user, pk, for_edit=request.method == "POST")
        if request.method == "POST":
            data = self.validated(SentenceEventCreateSerializer)
            return self.created(
                sentence_event_record(actor=request.user, sentence=sentence, **data), SentenceEventSerializer
            )
        self.audit_read(sentence, f"events of {sentence}")
        return self.paginated(sentence.events.all(), SentenceEventSerializer)


# --- custody (sentences.custody) ----------------------------------------------------------------------


class CustodyMovementSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=CustodyMovementKind.choices)
    release_reason = serializers.ChoiceField(choices=ReleaseReason.choices, allow_blank=True)
    prison_name = serializers.CharField(source="prison.name")

    class Meta:
        model = CustodyMovement
        fields = ["id", "kind", "prison", "prison_name", "occurred_on", "release_reason", "detail", "source"]
        read_only_fields = fields


class CustodySerializer(serializers.Serializer):
    """A person's custody: whether held now, where and since when, and every movement, latest first."""

    offender = serializers.IntegerField()
    in_custody = serializers.BooleanField()
    prison = serializers.IntegerField(allow_null=True)
    since = serializers.DateField(allow_null=True)
    movements = CustodyMovementSerializer(many=True)


class CustodyReleaseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReleaseReason.choices)
    occurred_on = serializers.DateField()
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class CustodyReceiveSerializer(serializers.Serializer):
    prison = serializers.PrimaryKeyRelatedField(queryset=Office.objects.filter(kind=OfficeKind.PRISON))
    occurred_on = serializers.DateField()
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


@extend_schema_view(retrieve=extend_schema(summary="A person's custody and their movements"))
class CustodyViewSet(IomsViewSet):
    """/custody/<offender id>/: reception into prison and release with its reason. A release does not
    complete the sentence. Recorded by prison staff of the managing prison or system administrators."""

    serializer_class = CustodySerializer
    audit_scope = "custody"

    def get_queryset(self):
        return Offender.objects.none()

    def _offender(self, pk, *, for_change: bool) -> Offender:
        offender = access_offender_by_id(self.request.user, pk)
        if for_change and not can_record_custody(self.request.user, offender):
            refuse(CUSTODY_REFUSED)
        return offender

    def _custody(self, offender: Offender) -> Response:
        status = custody_status_of(offender.pk)
        data = {
            "offender": offender.pk,
            "in_custody": bool(status and status.in_custody),
            "prison": status.prison_id if status else None,
            "since": status.since if status else None,
            "movements": custody_movements_of(offender.pk),
        }
        return Response(CustodySerializer(data).data)

    def retrieve(self, request: Request, pk=None) -> Response:
        offender = self._offender(pk, for_change=False)
        self.audit_read(offender, f"the custody of {offender}")
        return self._custody(offender)

    @extend_schema(
        summary="Record a release from prison", request=CustodyReleaseSerializer, responses=CustodySerializer
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def release(self, request: Request, pk=None) -> Response:
        offender = self._offender(pk, for_change=True)
        custody_release(actor=request.user, offender=offender, **self.validated(CustodyReleaseSerializer))
        return self._custody(offender)

    @extend_schema(
        summary="Record a reception into prison",
        request=CustodyReceiveSerializer,
        responses=CustodySerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reception(self, request: Request, pk=None) -> Response:
        offender = self._offender(pk, for_change=True)
        custody_receive(actor=request.user, offender=offender, **self.validated(CustodyReceiveSerializer))
        return self._custody(offender)
