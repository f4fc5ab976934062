"""The prison records the Review Security Classification reads, over the API (seed 003; the pages
are classification/views/prison_records.py). Under /api/v1/classification/prisoners/<offender id>/:

* `<kind>/` (incidents, escapes, at-risk-alerts, stability-assessments, removal-orders,
  police-information): GET lists the prisoner's records of that kind (audited as a view of the
  record); POST records one through its service in classification.records;
* `<kind>/<record id>/`: PATCH corrects the named fields, with a `correction_reason` (not `reason`:
  an At Risk alert has a reason of its own);
* `at-risk-alerts/<id>/end/`, `removal-orders/<id>/end/`: POST ends the alert, revokes the order;
* `initial-classification/`: POST records the classification at reception.

Who may: as on the pages. Those who may read the prisoner's classification read; staff of the
prisoner's prison and system administrators write; anyone else is refused 403, audited; bad input
is a 400 naming the fields. The source of information from Police is shown only to those who may
record it (seed 003, B.4.3: the form never says where information came from)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit.refusals import Refused
from audit.services import audit_view
from classification import records
from classification.access import can_view_classification
from classification.api import MayReadClassification
from classification.models import Category, SecurityClassification
from classification.records import (
    END_SERVICES,
    RECORD_KINDS,
    RECORD_SERVICES,
    RecordKind,
    can_record_prison_records,
)
from ioms.api_common import IomsViewSet, ReadOnlyForDataShare
from offenders.access import access_offender_by_id
from offenders.models import Offender

# --- serializers, one set per kind, from the kind's fields ---------------------------------------


def _record_serializer(kind: RecordKind) -> type[serializers.ModelSerializer]:
    """Reads a record; on POST, takes its fields (the end date is set by ending it)."""
    read_only = ["id", "recorded_at", *([kind.end_field] if kind.end_field else [])]
    extra = ["prison"] if kind.slug == "incidents" else []
    meta = type(
        "Meta",
        (),
        {
            "model": kind.model,
            "fields": ["id", *kind.fields, *extra, "recorded_at"],
            "read_only_fields": [*read_only, *extra],
        },
    )
    return type(f"{kind.model.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})


def _correction_serializer(kind: RecordKind) -> type[serializers.ModelSerializer]:
    meta = type("Meta", (), {"model": kind.model, "fields": [*kind.fields, "correction_reason"]})
    reason = serializers.CharField(
        max_length=500,
        help_text="Why the record is corrected: what was wrong and where the right details come from.",
    )
    return type(
        f"{kind.model.__name__}CorrectionSerializer",
        (serializers.ModelSerializer,),
        {"Meta": meta, "correction_reason": reason},
    )


def _end_serializer(kind: RecordKind) -> type[serializers.Serializer]:
    return type(
        f"{kind.model.__name__}EndSerializer",
        (serializers.Serializer,),
        {kind.end_field: serializers.DateField()},
    )


RECORD_SERIALIZERS = {slug: _record_serializer(kind) for slug, kind in RECORD_KINDS.items()}
CORRECTION_SERIALIZERS = {slug: _correction_serializer(kind) for slug, kind in RECORD_KINDS.items()}
END_SERIALIZERS = {slug: _end_serializer(kind) for slug, kind in RECORD_KINDS.items() if kind.end_field}


class InitialClassificationSerializer(serializers.ModelSerializer):
    internal_category = serializers.ChoiceField(choices=Category.choices)
    external_category = serializers.ChoiceField(choices=Category.choices)

    class Meta:
        model = SecurityClassification
        fields = [
            "id",
            "kind",
            "internal_category",
            "external_category",
            "effective_on",
            "reason",
            "recorded_at",
        ]
        read_only_fields = ["id", "kind", "recorded_at"]


RECORD_ID = OpenApiParameter("record_id", int, OpenApiParameter.PATH)


# --- the endpoints ---------------------------------------------------------------------------------


class PrisonRecordViewSet(IomsViewSet):
    """A prisoner's prison records (seed 003's sources), recorded and corrected by prison staff."""

    permission_classes = [permissions.IsAuthenticated, ReadOnlyForDataShare, MayReadClassification]
    filter_backends: list = []
    lookup_value_regex = r"[^/.]+"
    audit_scope = "prison records"
    serializer_class = InitialClassificationSerializer  # each action names its own
    # Only for the schema (the `id` in the path is an offender's); objects come from `_offender`.
    queryset = Offender.objects.none()

    def _offender(self, *, recording: bool):
        offender = access_offender_by_id(self.request.user, self.kwargs["pk"])
        if not can_view_classification(self.request.user, offender):
            raise Refused("You may not see this prisoner's prison records.", obj=offender)
        if recording and not can_record_prison_records(self.request.user, offender):
            raise Refused(
                "Only staff of the prisoner's prison may record or correct prison records.", obj=offender
            )
        return offender

    def _record(self, kind: RecordKind, offender, record_id):
        try:
            record = (
                kind.model.objects.select_related("offender")
                .filter(offender=offender, pk=int(record_id))
                .first()
            )
        except (TypeError, ValueError):
            record = None
        if record is None:
            raise Http404(f"No such {kind.noun} on this prisoner's record.")
        return record

    def _listing(self, request: Request, kind: RecordKind) -> Response:
        if request.method == "POST":
            offender = self._offender(recording=True)
            data = self.validated(RECORD_SERIALIZERS[kind.slug])
            record = RECORD_SERVICES[kind.slug](actor=request.user, offender=offender, **data)
            return self.created(record, RECORD_SERIALIZERS[kind.slug])
        offender = self._offender(recording=False)
        audit_view(
            actor=request.user, obj=offender, summary=f"Viewed the {kind.title.lower()} of {offender} (API)"
        )
        response = self.paginated(kind.model.objects.filter(offender=offender), RECORD_SERIALIZERS[kind.slug])
        if kind.private_fields and not can_record_prison_records(request.user, offender):
            for row in response.data["results"] if isinstance(response.data, dict) else response.data:
                for name in kind.private_fields:
                    row.pop(name, None)
        return response

    def _correct(self, request: Request, kind: RecordKind, record_id) -> Response:
        offender = self._offender(recording=True)
        record = self._record(kind, offender, record_id)
        data = dict(self.validated(CORRECTION_SERIALIZERS[kind.slug], partial=True))
        reason = data.pop("correction_reason", "")
        if not reason.strip():  # required even in a PATCH, which names only the fields it changes
            raise serializers.ValidationError(
                {"correction_reason": ["Say why the record is being corrected."]}
            )
        records.prison_record_correct(actor=request.user, record=record, changes=data, reason=reason)
        record.refresh_from_db()
        return self.ok(record, RECORD_SERIALIZERS[kind.slug])

    def _end(self, request: Request, kind: RecordKind, record_id) -> Response:
        offender = self._offender(recording=True)
        record = self._record(kind, offender, record_id)
        data = self.validated(END_SERIALIZERS[kind.slug])
        service, keyword = END_SERVICES[kind.slug]
        record = service(actor=request.user, **{keyword: record}, **data)
        return self.ok(record, RECORD_SERIALIZERS[kind.slug])

    @extend_schema(
        summary="Record the initial classification at reception",
        request=InitialClassificationSerializer,
        responses={201: InitialClassificationSerializer},
    )
    @action(
        detail=True, methods=["post"], url_path="initial-classification", url_name="initial-classification"
    )
    def initial_classification(self, request: Request, pk=None) -> Response:
        offender = self._offender(recording=True)
        data = self.validated(InitialClassificationSerializer)
        classification = records.initial_classification_record(actor=request.user, offender=offender, **data)
        return self.created(classification, InitialClassificationSerializer)


def _add_actions(kind: RecordKind) -> None:
    """The list/record, correct and (for alerts and orders) end actions of one kind."""
    name = kind.slug.replace("-", "_")
    serializer = RECORD_SERIALIZERS[kind.slug]

    def listing(self, request: Request, pk=None) -> Response:
        return self._listing(request, kind)

    listing.__name__ = name
    listing = action(detail=True, methods=["get", "post"], url_path=kind.slug, url_name=kind.slug)(listing)
    listing = extend_schema(
        methods=["GET"],
        summary=f"The prisoner's {kind.title.lower()} (audited)",
        responses=serializer(many=True),
    )(listing)
    listing = extend_schema(
        methods=["POST"],
        summary=kind.record_verb,
        description=f"Sources (seed 003): {kind.sources}.",
        request=serializer,
        responses={201: serializer},
    )(listing)
    setattr(PrisonRecordViewSet, name, listing)

    def correct(self, request: Request, pk=None, record_id=None) -> Response:
        return self._correct(request, kind, record_id)

    correct.__name__ = f"{name}_correct"
    correct = action(
        detail=True,
        methods=["patch"],
        url_path=rf"{kind.slug}/(?P<record_id>[^/.]+)",
        url_name=f"{kind.slug}-correct",
    )(correct)
    correct = extend_schema(
        summary=f"Correct one of the prisoner's {kind.title.lower()}, with the reason",
        parameters=[RECORD_ID],
        request=CORRECTION_SERIALIZERS[kind.slug],
        responses=serializer,
    )(correct)
    setattr(PrisonRecordViewSet, correct.__name__, correct)

    if kind.slug in END_SERVICES:

        def end(self, request: Request, pk=None, record_id=None) -> Response:
            return self._end(request, kind, record_id)

        end.__name__ = f"{name}_end"
        end = action(
            detail=True,
            methods=["post"],
            url_path=rf"{kind.slug}/(?P<record_id>[^/.]+)/end",
            url_name=f"{kind.slug}-end",
        )(end)
        end = extend_schema(
            summary=kind.end_verb,
            parameters=[RECORD_ID],
            request=END_SERIALIZERS[kind.slug],
            responses=serializer,
        )(end)
        setattr(PrisonRecordViewSet, end.__name__, end)


for _kind in RECORD_KINDS.values():
    _add_actions(_kind)
