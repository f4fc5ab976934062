"""The Review Security Classification over the API, read-only (issue 5):

* /api/v1/classification/instrument/: the active scoring instrument (items, options, points,
  thresholds); /api/v1/classification/instruments/ and /<version>/: every version. The instrument
  is policy, not anyone's record: every user with a role reads it (the data share too) and the
  reads are not audited. A user with no role reads nothing.
* /api/v1/classification/reviews/ and /<id>/: the reviews the user may read, with their answers,
  scores, categories, instrument version, corrections and transitions. Who may read them is
  classification.access.can_view_classification, applied to the whole list in the database
  (`reviews_visible_to`); never the data share. Lists are audited as searches with a view filed
  under each prisoner listed, a review read as a view.

Nothing is written here: reviews change only through the review pages (classification.services),
instrument versions only through the administrators' pages; every write method answers 405.
"""

import django_filters
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from classification.access import CLASSIFICATION_VIEWING_ROLES, access_review_by_id
from classification.models import (
    Instrument,
    InstrumentItem,
    InstrumentStatus,
    Review,
    ReviewAnswerCorrection,
    ReviewStatus,
    ReviewTransition,
)
from ioms.api_common import IomsViewSet, ListRetrieveViewSet
from offenders.models import visible_offenders_q
from sentences.models import Sentence
from staff.access import office_id_of
from staff.roles import Role, has_role, user_roles

# --- who reads what ---------------------------------------------------------------------------


class HasARole(permissions.BasePermission):
    """The instrument is policy, not personal data: any user with a role reads it."""

    message = "Only staff with a role may read the scoring instrument."

    def has_permission(self, request, view) -> bool:
        return bool(user_roles(request.user))


class MayReadClassification(permissions.BasePermission):
    """The roles that may read some prisoner's classification (which prisoners is narrowed by
    `reviews_visible_to`); never the data share (the form carries police information levels)."""

    message = "You may not read classification reviews."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.SYSTEM_ADMIN, *CLASSIFICATION_VIEWING_ROLES)


def reviews_visible_to(user) -> QuerySet[Review]:
    """classification.access.can_view_classification as a filter: system administrators read
    every review; the viewing roles read the reviews of offenders whose offices
    (offenders.access.offender_office_ids: the home office and the managing office of each
    current sentence) include the user's office; nobody else reads any."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return Review.objects.all()
    office_id = office_id_of(user)
    if office_id is None or not has_role(user, *CLASSIFICATION_VIEWING_ROLES):
        return Review.objects.none()
    managed_here = Sentence.objects.current().filter(
        offender_id=OuterRef("offender_id"), managing_office_id=office_id
    )
    return Review.objects.filter(Q(offender__home_office_id=office_id) | Exists(managed_here))


# --- the instrument ---------------------------------------------------------------------------


class InstrumentOptionSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    points = serializers.IntegerField(read_only=True)


class InstrumentItemSerializer(serializers.ModelSerializer):
    section = serializers.CharField(read_only=True, help_text="A (internal risk) or B (external risk).")
    options = InstrumentOptionSerializer(many=True, read_only=True)

    class Meta:
        model = InstrumentItem
        fields = ["code", "section", "text", "kind", "prepopulated", "options"]
        read_only_fields = fields


class ThresholdsSerializer(serializers.Serializer):
    internal_b_from = serializers.IntegerField(
        read_only=True, help_text="Seed 003, C.2.1: an internal total at or above this is category B."
    )
    external_b_from = serializers.IntegerField(
        read_only=True, help_text="Seed 003, C.2.1: an external total at or above this is category B."
    )


class InstrumentSummarySerializer(serializers.ModelSerializer):
    thresholds = ThresholdsSerializer(source="*", read_only=True)
    reviews_scored = serializers.IntegerField(read_only=True, help_text="Reviews scored with this version.")

    class Meta:
        model = Instrument
        fields = ["version", "name", "status", "effective_from", "thresholds", "reviews_scored"]
        read_only_fields = fields


class InstrumentSerializer(InstrumentSummarySerializer):
    items = InstrumentItemSerializer(many=True, read_only=True)

    class Meta(InstrumentSummarySerializer.Meta):
        fields = [*InstrumentSummarySerializer.Meta.fields, "items"]
        read_only_fields = fields


def _instruments() -> QuerySet[Instrument]:
    return Instrument.objects.annotate(reviews_scored=Count("reviews")).order_by("-version")


def _with_items(queryset: QuerySet[Instrument]) -> QuerySet[Instrument]:
    return queryset.prefetch_related(
        Prefetch("items", queryset=InstrumentItem.objects.order_by("position").prefetch_related("options"))
    )


class InstrumentReadMixin:
    permission_classes = [permissions.IsAuthenticated, HasARole]
    filter_backends: list = []


@extend_schema_view(
    list=extend_schema(summary="Every version of the scoring instrument, newest first"),
    retrieve=extend_schema(summary="One version of the scoring instrument with its items and points"),
)
class InstrumentViewSet(InstrumentReadMixin, ListRetrieveViewSet):
    """The versions of the Review Security Classification instrument (seed 003): read-only."""

    serializer_class = InstrumentSummarySerializer
    serializer_classes = {"retrieve": InstrumentSerializer}
    lookup_field = "version"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return _instruments()

    def get_object(self) -> Instrument:
        instrument = _with_items(_instruments()).filter(version=int(self.kwargs["version"])).first()
        if instrument is None:
            raise Http404("No such instrument version.")
        return instrument


class ActiveInstrumentView(InstrumentReadMixin, IomsViewSet):
    """The active version of the scoring instrument: what scores every review started now."""

    serializer_class = InstrumentSerializer
    pagination_class = None

    @extend_schema(summary="The active scoring instrument: items, options, points and thresholds")
    def retrieve(self, request: Request) -> Response:
        instrument = _with_items(_instruments()).filter(status=InstrumentStatus.ACTIVE).first()
        if instrument is None:
            raise Http404("No instrument version is active.")
        return Response(self.get_serializer(instrument).data)


# --- reviews ----------------------------------------------------------------------------------


class ReviewSourceSerializer(serializers.Serializer):
    label = serializers.CharField(
        read_only=True, help_text='The kind of record, e.g. "sentences.Conviction".'
    )
    pk = serializers.IntegerField(read_only=True, allow_null=True)
    description = serializers.CharField(read_only=True)


class ReviewAnswerSerializer(serializers.Serializer):
    option = serializers.CharField(read_only=True, help_text="The answer in use (an option code).")
    prepopulated = serializers.CharField(read_only=True, help_text="The answer the records suggested.")
    sources = ReviewSourceSerializer(many=True, read_only=True, help_text="The records that produced it.")
    changes_on = serializers.DateField(
        read_only=True, allow_null=True, help_text="When time alone moves the answer to another band."
    )
    changes_to = serializers.CharField(read_only=True, allow_null=True)


class ReviewCorrectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewAnswerCorrection
        fields = ["item", "from_option", "to_option", "reason", "corrected_by", "corrected_at"]
        read_only_fields = fields


class ReviewTransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewTransition
        fields = ["from_status", "to_status", "actor", "at", "comment"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    offender_prn = serializers.CharField(source="offender.prn", read_only=True)
    offender_name = serializers.CharField(source="offender.full_name", read_only=True)
    instrument_version = serializers.IntegerField(source="instrument.version", read_only=True)
    answers = serializers.DictField(
        child=ReviewAnswerSerializer(), read_only=True, help_text="Per item code (seed 003 numbering)."
    )
    scoring_overrides = serializers.ListField(child=serializers.CharField(), read_only=True)
    corrections = ReviewCorrectionSerializer(many=True, read_only=True)
    transitions = ReviewTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "offender",
            "offender_prn",
            "offender_name",
            "instrument_version",
            "status",
            "reason",
            "prepopulated_on",
            "answers",
            "internal_score",
            "external_score",
            "internal_category",
            "external_category",
            "scoring_overrides",
            "override_internal_category",
            "override_external_category",
            "override_reason",
            "initiated_by",
            "initiated_at",
            "initiator_comments",
            "submitted_at",
            "recommended_by",
            "recommended_at",
            "recommender_comments",
            "approved_by",
            "approved_at",
            "approver_comments",
            "approved_internal_category",
            "approved_external_category",
            "approval_change_reason",
            "classification",
            "advised_by",
            "advised_at",
            "prisoner_advised_on",
            "prisoner_signed",
            "refusal_note",
            "advising_comments",
            "referral_note",
            "cancel_reason",
            "updated_at",
            "corrections",
            "transitions",
        ]
        read_only_fields = fields


class ReviewFilter(django_filters.FilterSet):
    offender = django_filters.NumberFilter(field_name="offender_id")
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)
    instrument_version = django_filters.NumberFilter(field_name="instrument__version")

    class Meta:
        model = Review
        fields = ["offender", "status", "instrument_version"]


REVIEW_PREFETCHES = (
    Prefetch("corrections", queryset=ReviewAnswerCorrection.objects.order_by("corrected_at", "id")),
    Prefetch("transitions", queryset=ReviewTransition.objects.order_by("at", "id")),
)


@extend_schema_view(
    list=extend_schema(summary="Classification reviews you may read (audited as a search)"),
    retrieve=extend_schema(summary="A classification review with its answers and steps (audited)"),
)
class ReviewViewSet(ListRetrieveViewSet):
    """Review Security Classification forms (seed 003), read-only."""

    permission_classes = [permissions.IsAuthenticated, MayReadClassification]
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    ordering_fields = ["initiated_at", "updated_at"]
    lookup_value_regex = r"\d+"
    audit_scope = "classification reviews"

    def get_queryset(self):
        if self.schema_only:
            return Review.objects.none()
        return (
            reviews_visible_to(self.request.user)
            .filter(visible_offenders_q(self.request.user, "offender"))
            .select_related("offender", "instrument")
            .prefetch_related(*REVIEW_PREFETCHES)
            .order_by("-initiated_at", "-id")
        )

    def get_object(self) -> Review:
        review = access_review_by_id(self.request.user, self.kwargs["pk"])
        prefetch_related_objects([review], *REVIEW_PREFETCHES)
        return review

    def audit_read(self, obj, what: str = "") -> None:
        super().audit_read(obj, what or f"classification review {obj.pk} of PRN {obj.offender.prn}")
