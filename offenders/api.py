"""The offender record over the API: /api/v1/offenders/ with its aliases, addresses, identifiers and
flags, and a misspelling-tolerant search. Reads go through offenders.access and are audited; writes
call offenders.services."""

import django_filters
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ioms.api_common import ListRetrieveViewSet, ServiceCreateMixin, ServiceUpdateMixin, refuse
from offenders.access import access_offender_by_id, can_create_offender, can_search_offenders
from offenders.models import Address, Flag, FlagKind, Identifier, Offender, OffenderAlias
from offenders.selectors import SearchTerms, offender_search
from offenders.services import (
    OFFENDER_FIELDS,
    address_add,
    alias_add,
    flag_end,
    flag_raise,
    identifier_add,
    offender_create,
    offender_update,
)

# --- serializers ----------------------------------------------------------------------------------


class AliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = OffenderAlias
        fields = ["id", "family_name", "given_names", "date_of_birth", "created_at"]
        read_only_fields = fields


class AliasCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = OffenderAlias
        fields = ["family_name", "given_names", "date_of_birth"]


class AddressSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = Address
        fields = [
            "id",
            "kind",
            "line1",
            "line2",
            "suburb",
            "city",
            "postcode",
            "started_on",
            "ended_on",
            "current",
            "created_at",
        ]
        read_only_fields = fields

    def get_current(self, address: Address) -> bool:
        return address.ended_on is None


class AddressCreateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["kind", "line1", "line2", "suburb", "city", "postcode", "started_on", "ended_on"]


class IdentifierSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Identifier
        fields = ["id", "kind", "kind_label", "value", "created_at"]
        read_only_fields = fields


class IdentifierCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Identifier.Kind.choices)
    value = serializers.CharField(max_length=40)


class FlagSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Flag
        fields = [
            "id",
            "kind",
            "kind_label",
            "reason",
            "raised_on",
            "raised_by",
            "active",
            "ended_on",
            "ended_reason",
        ]
        read_only_fields = fields


class FlagRaiseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FlagKind.choices)
    reason = serializers.CharField(max_length=300)
    raised_on = serializers.DateField(required=False)


class FlagEndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    ended_on = serializers.DateField(required=False)


class ActiveFlagSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Flag
        fields = ["kind", "kind_label", "raised_on"]
        read_only_fields = fields


class OffenderListSerializer(serializers.ModelSerializer):
    home_office_name = serializers.CharField(source="home_office.name", read_only=True, default="")
    active_flags = ActiveFlagSerializer(many=True, read_only=True)

    class Meta:
        model = Offender
        fields = [
            "id",
            "prn",
            "family_name",
            "given_names",
            "preferred_name",
            "date_of_birth",
            "gender",
            "home_office",
            "home_office_name",
            "date_of_death",
            "active_flags",
        ]
        read_only_fields = fields


class OffenderDetailSerializer(serializers.ModelSerializer):
    home_office_name = serializers.CharField(source="home_office.name", read_only=True, default="")
    aliases = AliasSerializer(many=True, read_only=True)
    addresses = AddressSerializer(many=True, read_only=True)
    identifiers = IdentifierSerializer(many=True, read_only=True)
    flags = FlagSerializer(many=True, read_only=True)

    class Meta:
        model = Offender
        fields = [
            "id",
            "prn",
            "family_name",
            "given_names",
            "preferred_name",
            "date_of_birth",
            "gender",
            "ethnicity",
            "home_office",
            "home_office_name",
            "phone",
            "email",
            "date_of_death",
            "created_at",
            "updated_at",
            "aliases",
            "addresses",
            "identifiers",
            "flags",
        ]
        read_only_fields = fields


class OffenderWriteSerializer(serializers.ModelSerializer):
    """The fields offender_create / offender_update accept; the service runs the model's rules."""

    class Meta:
        model = Offender
        fields = list(OFFENDER_FIELDS)


class OffenderSearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, help_text="A PRN, or a name ('Smith, John' or 'John Smith')."
    )
    date_of_birth = serializers.DateField(required=False)
    office = serializers.IntegerField(required=False, help_text="Only offenders of this home office.")

    def validate(self, attrs):
        if not attrs.get("q", "").strip() and attrs.get("date_of_birth") is None:
            raise serializers.ValidationError({"q": "Enter a name or PRN, or a date of birth."})
        return attrs


class OffenderSearchHitSerializer(serializers.Serializer):
    offender = OffenderListSerializer(
        allow_null=True, help_text="Null for a restricted record you may not open (see `restricted`)."
    )
    score = serializers.FloatField()
    matched_on = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    prn = serializers.CharField()
    restricted = serializers.BooleanField(
        source="masked",
        help_text="A restricted record exists with this PRN; only named staff may open it "
        "(break the glass in the portal, with a reason).",
    )
    restricted_record_id = serializers.IntegerField(source="masked_id", allow_null=True)


class OffenderSearchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = OffenderSearchHitSerializer(many=True)


# --- filters --------------------------------------------------------------------------------------


class OffenderFilter(django_filters.FilterSet):
    prn = django_filters.CharFilter()
    family_name = django_filters.CharFilter(lookup_expr="istartswith")
    date_of_birth = django_filters.DateFilter()
    home_office = django_filters.NumberFilter(field_name="home_office_id")
    flag = django_filters.ChoiceFilter(
        choices=FlagKind.choices, method="filter_flag", label="Has an active flag of this kind"
    )

    class Meta:
        model = Offender
        fields = ["prn", "family_name", "date_of_birth", "home_office", "flag"]

    def filter_flag(self, queryset, name, value):
        active = Flag.objects.filter(offender=OuterRef("pk"), kind=value, ended_on__isnull=True)
        return queryset.filter(Exists(active))


# --- the viewset ----------------------------------------------------------------------------------


def _with_active_flags():
    return Prefetch("flags", queryset=Flag.objects.filter(ended_on__isnull=True), to_attr="active_flags")


SUB_RESOURCE_READ = {
    "aliases": AliasSerializer,
    "addresses": AddressSerializer,
    "identifiers": IdentifierSerializer,
    "flags": FlagSerializer,
}


def _sub_resource_schema(name: str, write_serializer):
    read_serializer = SUB_RESOURCE_READ[name]

    def decorate(func):
        func = extend_schema(
            methods=["GET"],
            summary=f"List the offender's {name}",
            responses=read_serializer(many=True),
        )(func)
        return extend_schema(
            methods=["POST"],
            summary=f"Add to the offender's {name}",
            request=write_serializer,
            responses={201: read_serializer},
        )(func)

    return decorate


@extend_schema_view(
    list=extend_schema(summary="List offenders (filterable; audited as a search)"),
    retrieve=extend_schema(summary="An offender's record (audited as a view)"),
    create=extend_schema(request=OffenderWriteSerializer, responses={201: OffenderDetailSerializer}),
    partial_update=extend_schema(request=OffenderWriteSerializer, responses=OffenderDetailSerializer),
)
class OffenderViewSet(ServiceCreateMixin, ServiceUpdateMixin, ListRetrieveViewSet):
    """Offender records: personal details, aliases, addresses, identifiers and flags. Every role
    reads them (every read is audited); administrative support, service managers and system
    administrators create them; the record's office staff and allocated officers change them."""

    serializer_class = OffenderListSerializer
    serializer_classes = {
        "retrieve": OffenderDetailSerializer,
        "create": OffenderWriteSerializer,
        "partial_update": OffenderWriteSerializer,
    }
    output_serializer_class = OffenderDetailSerializer
    filterset_class = OffenderFilter
    ordering_fields = ["family_name", "given_names", "date_of_birth", "prn", "updated_at"]
    ordering = ["family_name", "given_names", "id"]  # served by the offender_name_order index (keyset pages)
    audit_scope = "offenders"

    def listed_offender_id(self, item: Offender) -> int:
        return item.pk

    def get_queryset(self):
        queryset = Offender.objects.with_list_relations().prefetch_related(_with_active_flags())
        if self.schema_only or not can_search_offenders(self.request.user):
            return queryset.none()
        # Need-to-know: restricted records only for their access list (the detail refuses through the gate).
        return queryset.visible_to(self.request.user)

    def get_object(self) -> Offender:
        return self.get_offender(for_edit=self.action == "partial_update")

    def get_offender(self, *, for_edit: bool = False) -> Offender:
        offender = access_offender_by_id(self.request.user, self.kwargs["pk"], for_edit=for_edit)
        prefetch_related_objects(
            [offender],
            "aliases",
            "addresses",
            "identifiers",
            Prefetch("flags", queryset=Flag.objects.order_by("ended_on", "-raised_on", "-id")),
        )
        return offender

    def perform_create(self, serializer) -> Offender:
        if not can_create_offender(self.request.user):
            refuse("You may not create offender records.")
        return offender_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, obj: Offender, serializer) -> None:
        offender_update(actor=self.request.user, offender=obj, **serializer.validated_data)

    def read_back(self, obj: Offender) -> Offender:
        return self.get_offender()

    @extend_schema(
        summary="Search offenders by PRN or name, tolerant of misspellings (audited)",
        parameters=[OffenderSearchQuerySerializer],
        responses=OffenderSearchResultSerializer,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def search(self, request: Request) -> Response:
        if not can_search_offenders(request.user):
            refuse("You may not search offender records.")
        query = self.validated(OffenderSearchQuerySerializer, data=request.query_params)
        terms = SearchTerms(
            text=query.get("q", ""), date_of_birth=query.get("date_of_birth"), office_id=query.get("office")
        )
        hits = offender_search(terms, viewer=request.user)
        prefetch_related_objects(
            [hit.offender for hit in hits if hit.offender is not None], _with_active_flags()
        )
        self.audit_list(
            {
                "q": terms.text,
                "date_of_birth": str(terms.date_of_birth or ""),
                "office": str(terms.office_id or ""),
            }
        )
        result = OffenderSearchResultSerializer({"count": len(hits), "results": hits})
        return Response(result.data)

    def _sub_resource(self, request: Request, name: str, write_serializer, add) -> Response:
        read_serializer = SUB_RESOURCE_READ[name]
        if request.method == "POST":
            offender = self.get_offender(for_edit=True)
            data = self.validated(write_serializer)
            return self.created(add(actor=request.user, offender=offender, **data), read_serializer)
        offender = self.get_offender()
        self.audit_read(offender, f"{name} of {offender}")
        return self.paginated(getattr(offender, name).all(), read_serializer)

    @_sub_resource_schema("aliases", AliasCreateSerializer)
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def aliases(self, request: Request, pk=None) -> Response:
        return self._sub_resource(request, "aliases", AliasCreateSerializer, alias_add)

    @_sub_resource_schema("addresses", AddressCreateSerializer)
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def addresses(self, request: Request, pk=None) -> Response:
        return self._sub_resource(request, "addresses", AddressCreateSerializer, address_add)

    @_sub_resource_schema("identifiers", IdentifierCreateSerializer)
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def identifiers(self, request: Request, pk=None) -> Response:
        return self._sub_resource(request, "identifiers", IdentifierCreateSerializer, identifier_add)

    @_sub_resource_schema("flags", FlagRaiseSerializer)
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def flags(self, request: Request, pk=None) -> Response:
        return self._sub_resource(request, "flags", FlagRaiseSerializer, flag_raise)

    @extend_schema(
        summary="End one of the offender's flags",
        parameters=[OpenApiParameter("flag_id", int, OpenApiParameter.PATH)],
        request=FlagEndSerializer,
        responses=FlagSerializer,
    )
    @action(detail=True, methods=["post"], url_path=r"flags/(?P<flag_id>[0-9]+)/end", filter_backends=[])
    def end_flag(self, request: Request, pk=None, flag_id=None) -> Response:
        offender = self.get_offender(for_edit=True)
        flag = next((flag for flag in offender.flags.all() if flag.pk == int(flag_id)), None)
        if flag is None:
            raise Http404("No such flag on this record.")
        data = self.validated(FlagEndSerializer)
        return self.ok(flag_end(actor=request.user, flag=flag, **data), FlagSerializer)
