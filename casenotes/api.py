"""Casenotes over the API: append-only. A note is created or amended (a correction appended to it),
never changed or deleted. Sensitive notes are visible only with their own permission, and the data
share sees no casenotes at all."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from casenotes.access import (
    access_casenote_by_id,
    can_add_casenote,
    can_amend_casenote,
    can_list_casenotes,
    can_read_sensitive,
)
from casenotes.models import Casenote, CasenoteType
from casenotes.services import casenote_amend, casenote_create
from ioms.api_common import ListRetrieveViewSet, ServiceCreateMixin, name_enum, refuse
from offenders.access import access_offender_by_id
from offenders.models import visible_offenders_q
from sentences.models import Sentence

# System notes are written by the services themselves (allocation, court interface), not by people.
WRITABLE_NOTE_TYPES = [
    (value, label) for value, label in CasenoteType.choices if value != CasenoteType.SYSTEM
]
name_enum("WritableCasenoteType", WRITABLE_NOTE_TYPES)


class CasenoteSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    amendments = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Corrections appended to this note."
    )

    class Meta:
        model = Casenote
        fields = [
            "id",
            "offender",
            "sentence",
            "note_type",
            "contact_on",
            "summary",
            "text",
            "sensitive",
            "author",
            "author_name",
            "amends",
            "amendment_reason",
            "amendments",
            "created_at",
        ]
        read_only_fields = fields

    def get_author_name(self, note: Casenote) -> str:
        if note.author is None:
            return "System"
        return note.author.get_full_name() or note.author.get_username()


class CasenoteCreateSerializer(serializers.ModelSerializer):
    note_type = serializers.ChoiceField(choices=WRITABLE_NOTE_TYPES, default=CasenoteType.CONTACT)
    contact_on = serializers.DateTimeField(required=False, help_text="When it happened; defaults to now.")
    sentence = serializers.PrimaryKeyRelatedField(
        queryset=Sentence.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Casenote
        fields = ["offender", "sentence", "note_type", "contact_on", "summary", "text", "sensitive"]


class CasenoteAmendSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The corrected text.")
    reason = serializers.CharField(max_length=300, help_text="Why the note is being corrected.")
    summary = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CasenoteFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    sentence = django_filters.NumberFilter(field_name="sentence_id")
    author = django_filters.NumberFilter(field_name="author_id")
    note_type = django_filters.ChoiceFilter(choices=CasenoteType.choices)
    contact_on = django_filters.DateFromToRangeFilter()

    class Meta:
        model = Casenote
        fields = ["offender", "sentence", "author", "note_type", "contact_on"]


@extend_schema_view(
    list=extend_schema(summary="List casenotes (audited as a search; not for the data share)"),
    retrieve=extend_schema(summary="One casenote (audited as a view)"),
    create=extend_schema(
        summary="Add a casenote", request=CasenoteCreateSerializer, responses={201: CasenoteSerializer}
    ),
)
class CasenoteViewSet(ServiceCreateMixin, ListRetrieveViewSet):
    """Casenotes: append-only. A note is never changed or deleted; a correction is a new note that
    amends it. Sensitive notes need their own permission; the data share reads no casenotes.
    Reads are audited."""

    serializer_class = CasenoteSerializer
    serializer_classes = {"create": CasenoteCreateSerializer}
    output_serializer_class = CasenoteSerializer
    filterset_class = CasenoteFilter
    ordering_fields = ["contact_on", "created_at"]
    ordering = ["-contact_on", "-id"]  # served by the casenote_time index (keyset pages)
    audit_scope = "casenotes"

    def get_queryset(self):
        queryset = Casenote.objects.with_list_relations().prefetch_related("amendments")
        if self.schema_only:
            return queryset.none()
        return queryset.visible_to_sensitive(can_read_sensitive(self.request.user)).filter(
            visible_offenders_q(self.request.user, "offender")
        )

    def list(self, request: Request, *args, **kwargs) -> Response:
        if not can_list_casenotes(request.user):
            refuse("You may not read casenotes.")
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Casenote:
        return access_casenote_by_id(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer) -> Casenote:
        data = dict(serializer.validated_data)
        offender = access_offender_by_id(self.request.user, data.pop("offender").pk)
        if not can_add_casenote(self.request.user, offender):
            refuse("You may not add casenotes to this offender's record.")
        return casenote_create(actor=self.request.user, offender=offender, **data)

    @extend_schema(
        summary="Append a correction to a casenote (the original is kept as written)",
        request=CasenoteAmendSerializer,
        responses={201: CasenoteSerializer},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def amend(self, request: Request, pk=None) -> Response:
        note = self.get_object()
        if not can_amend_casenote(request.user, note):
            refuse("You may not correct this casenote.")
        amendment = casenote_amend(actor=request.user, note=note, **self.validated(CasenoteAmendSerializer))
        return self.created(amendment, CasenoteSerializer)
