"""/api/v1/share/: the data share for partner systems (seed 004: read-only access to core case
information), separate from the rest of the API.

- Only a data-share credential gets in (`Authorization: Bearer <token>`, issued on the data-share
  pages or with `manage.py issue_share_credential`); a user's session does not, and the credential
  reaches nothing else (every other endpoint authenticates users only).
- Every response carries only the fields the credential's share allows: a field the share does not
  list is absent, never null. The fields a share can list are fixed in datashare/catalogue.py.
- Read-only: every other method than GET (and HEAD) answers 405 and is audited as a refusal.
- Every read is audited like any other view of a record, under the share and credential's label:
  a record read files a view under its offender, a list one view under each offender on the page.
- 401, with the same answer whatever the reason, for a missing, unknown, expired or revoked token,
  or one whose share has ended or not yet begun.
"""

import re

from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from allocation.models import CaseRole
from audit.credentials import BearerAuthentication, HoldsCredential, MachineUser
from audit.models import AuditAction
from audit.refusals import note_refusal
from audit.services import audit_listed, audit_record, audit_search
from datashare.catalogue import ALLOCATIONS, CATALOGUE, OFFENDERS, SENTENCES, ShareScope
from datashare.models import ShareCredential
from datashare.selectors import shared_allocations, shared_events, shared_offenders, shared_sentences
from datashare.services import share_credential_authenticate
from events.models import OutboxEvent
from offenders.models import Gender, Offender
from sentences.models import CompletionReason, SentenceStatus, SentenceType
from staff.models import Office

PRN_PATTERN = re.compile(r"\d{8,9}")
INVALID_TOKEN = "The token is missing, not valid, or no longer in force."
# Every field of the catalogue: only for drawing the OpenAPI schema, never for a response.
SCHEMA_SCOPE = ShareScope.of("schema", {resource: list(fields) for resource, fields in CATALOGUE.items()})
TAGS = ["data share"]


class SharePartner(MachineUser):
    """request.user for a partner system: not a person, holds no role, passes no user check. Its
    name is what the audit trail records as the actor."""

    def __str__(self) -> str:
        credential = self.credential
        return f"data share {credential.share.name}: {credential.label} ({credential.token_prefix}…)"


class ShareCredentialAuthentication(BearerAuthentication):
    """One answer whatever the reason a token is refused (the module docstring)."""

    realm = "data-share"
    user_class = SharePartner
    authenticate_token = staticmethod(share_credential_authenticate)
    malformed_message = not_text_message = unknown_message = INVALID_TOKEN


class ShareCredentialScheme(OpenApiAuthenticationExtension):
    target_class = ShareCredentialAuthentication
    name = "shareCredential"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A data-share credential (the data-share pages, or manage.py "
            "issue_share_credential).",
        }


class IsShareCredential(HoldsCredential):
    model = ShareCredential
    message = "Only a data-share credential reads the data share."


# --- serializers ------------------------------------------------------------------------------------
# Fields are declared optional (not read-only), so the schema says what is true: each is present only
# when the share allows it.


class OfficeRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class SharedWarningSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The flag's kind; the reason given for it is never shared.")
    kind_label = serializers.CharField(source="get_kind_display")
    raised_on = serializers.DateField()


class SharedSerializer(serializers.Serializer):
    """Drops every field the share in the context does not allow. Without a share in the context it
    shows nothing at all, so a forgotten context cannot leak a field."""

    resource = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scope = self.context.get("scope")
        allowed = set(scope.fields_of(self.resource)) if isinstance(scope, ShareScope) else set()
        for name in list(self.fields):
            if name not in allowed:
                self.fields.pop(name)


class SharedOffenderSerializer(SharedSerializer):
    """An offender as the share shows it: each field is present only when the share allows it."""

    resource = OFFENDERS

    prn = serializers.CharField(required=False)
    family_name = serializers.CharField(required=False)
    given_names = serializers.CharField(required=False)
    preferred_name = serializers.CharField(required=False)
    date_of_birth = serializers.DateField(required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    ethnicity = serializers.CharField(required=False)
    date_of_death = serializers.DateField(required=False, allow_null=True)
    home_office = OfficeRefSerializer(required=False, allow_null=True)
    warnings = SharedWarningSerializer(source="shared_warnings", many=True, required=False)


class SharedSentenceSerializer(SharedSerializer):
    """A sentence or order as the share shows it: each field is present only when the share allows it."""

    resource = SENTENCES

    id = serializers.IntegerField(required=False, help_text="IOMS's number for the sentence.")
    offender_prn = serializers.CharField(source="offender.prn", required=False)
    sentence_type = serializers.ChoiceField(choices=SentenceType.choices, required=False)
    status = serializers.ChoiceField(choices=SentenceStatus.choices, required=False)
    court = serializers.CharField(source="court.name", required=False)
    order_date = serializers.DateField(required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)
    indeterminate = serializers.BooleanField(required=False)
    parole_eligibility_date = serializers.DateField(required=False, allow_null=True)
    statutory_release_date = serializers.DateField(required=False, allow_null=True)
    parole_hearing_date = serializers.DateField(required=False, allow_null=True)
    hours = serializers.IntegerField(required=False, allow_null=True)
    managing_office = OfficeRefSerializer(required=False, allow_null=True)
    completed_on = serializers.DateField(required=False, allow_null=True)
    completion_reason = serializers.ChoiceField(
        choices=CompletionReason.choices, required=False, allow_blank=True
    )


class SharedAllocationSerializer(SharedSerializer):
    """A staff member allocated to an offender, as the share shows it: each field is present only when
    the share allows it."""

    resource = ALLOCATIONS

    offender_prn = serializers.CharField(source="offender.prn", required=False)
    role = serializers.ChoiceField(choices=CaseRole.choices, required=False)
    staff_name = serializers.CharField(source="staff", required=False)
    staff_office = OfficeRefSerializer(source="staff.office", required=False)
    started_on = serializers.DateField(required=False)
    ended_on = serializers.DateField(required=False, allow_null=True)


SERIALIZERS = {
    OFFENDERS: SharedOffenderSerializer,
    SENTENCES: SharedSentenceSerializer,
    ALLOCATIONS: SharedAllocationSerializer,
}


class ShareAboutSerializer(serializers.Serializer):
    share = serializers.CharField(source="share.name")
    partner = serializers.CharField(source="share.partner")
    purpose = serializers.CharField(source="share.purpose")
    starts_on = serializers.DateField(source="share.starts_on")
    ends_on = serializers.DateField(source="share.ends_on", allow_null=True)
    fields = serializers.DictField(
        source="share.scope.fields",
        child=serializers.ListField(child=serializers.CharField()),
        help_text="{resource: [field, ...]}: what every response of this share carries.",
    )
    credential = serializers.CharField(source="label")
    expires_at = serializers.DateTimeField()


# --- views --------------------------------------------------------------------------------------------


class ShareEndpointMixin:
    """Credential only, GET only; every refusal of an authenticated partner is audited."""

    authentication_classes = [ShareCredentialAuthentication]
    permission_classes = [IsShareCredential]
    http_method_names = ["get", "head"]
    filter_backends: list = []

    def http_method_not_allowed(self, request: Request, *args, **kwargs):
        if isinstance(request.auth, ShareCredential):
            note_refusal(request._request, "the data share is read-only", actor=request.user)
        raise exceptions.MethodNotAllowed(request.method)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class ShareViewSet(ShareEndpointMixin, viewsets.GenericViewSet):
    resource = ""

    @property
    def scope(self) -> ShareScope:
        if getattr(self, "swagger_fake_view", False):
            return SCHEMA_SCOPE
        return self.request.auth.share.scope

    def get_serializer_class(self):
        return SERIALIZERS[self.resource]

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "scope": self.scope}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method.lower() in self.http_method_names and not self.scope.allows(self.resource):
            raise exceptions.PermissionDenied(f"This share does not carry {self.resource}.")

    def filter_terms(self, **allowed: str) -> dict[str, str]:
        """The query's filters, each allowed only if the share carries the field it filters on (a
        filter on a field the partner may not see would tell them its value)."""
        terms = {}
        for parameter, field in allowed.items():
            value = self.request.query_params.get(parameter, "")
            if not value:
                continue
            if field not in self.scope.fields_of(self.resource):
                raise exceptions.ValidationError({parameter: f"This share does not carry {field}."})
            terms[parameter] = value
        return terms

    @staticmethod
    def offender_id_of(item) -> int:
        return item.offender_id

    def listed(self, queryset, terms: dict[str, str]) -> Response:
        """One page, audited as a search with its filters and a view under each offender shown."""
        page = self.paginate_queryset(queryset)
        data = self.get_serializer(page, many=True).data
        scope_label = f"the data share {self.request.auth.share.name}: {self.resource} (API)"
        audit_search(actor=self.request.user, scope=scope_label, terms=terms)
        audit_listed(
            actor=self.request.user,
            offender_ids={self.offender_id_of(item) for item in page},
            summary=f"Listed in {scope_label}",
        )
        return self.get_paginated_response(data)


PRN_PARAMETER = OpenApiParameter("prn", str, description="Only the records of the offender with this PRN.")


@extend_schema_view(
    list=extend_schema(
        summary="List the offenders (data share)",
        description="Every offender, by PRN, with the fields the share allows. Each offender listed has a "
        "view filed in their audit history.",
        tags=TAGS,
    ),
    retrieve=extend_schema(
        summary="One offender by PRN (data share)",
        description="The fields the share allows. Audited as a view of the record.",
        tags=TAGS,
        responses={
            200: SharedOffenderSerializer,
            404: OpenApiResponse(description="No offender has this PRN."),
        },
    ),
)
class ShareOffenderViewSet(ShareViewSet):
    resource = OFFENDERS
    lookup_field = "prn"

    @staticmethod
    def offender_id_of(item) -> int:
        return item.pk

    def get_queryset(self):
        return shared_offenders(self.scope)

    def list(self, request: Request) -> Response:
        return self.listed(self.get_queryset(), terms={})

    def retrieve(self, request: Request, prn: str) -> Response:
        offender = self.get_queryset().filter(prn=prn).first() if PRN_PATTERN.fullmatch(prn) else None
        if offender is None:
            raise Http404("No offender has this PRN.")
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=offender,
            summary=f"Viewed {offender} in the data share {request.auth.share.name} (API)",
        )
        return Response(self.get_serializer(offender).data)


@extend_schema_view(
    list=extend_schema(
        summary="List the sentences (data share)",
        description="Sentences and orders, by offender PRN then newest first, with the fields the share "
        "allows. A filter on a field the share does not carry is refused (400).",
        tags=TAGS,
        parameters=[
            PRN_PARAMETER,
            OpenApiParameter(
                "status", str, enum=SentenceStatus.values, description="Only sentences in this status."
            ),
        ],
    ),
)
class ShareSentenceViewSet(ShareViewSet):
    resource = SENTENCES

    def get_queryset(self):
        return shared_sentences()

    def list(self, request: Request) -> Response:
        terms = self.filter_terms(prn="offender_prn", status="status")
        sentences = self.get_queryset()
        if "prn" in terms:
            sentences = sentences.filter(offender__prn=terms["prn"])
        if "status" in terms:
            if terms["status"] not in SentenceStatus.values:
                raise exceptions.ValidationError({"status": f"One of {', '.join(SentenceStatus.values)}."})
            sentences = sentences.filter(status=terms["status"])
        return self.listed(sentences, terms)


@extend_schema_view(
    list=extend_schema(
        summary="List the staff allocated to offenders (data share)",
        description="The offender management team: who is allocated to each offender, in what role, from "
        "when. Current allocations first.",
        tags=TAGS,
        parameters=[
            PRN_PARAMETER,
            OpenApiParameter("current", bool, description="true: only allocations that have not ended."),
        ],
    ),
)
class ShareAllocationViewSet(ShareViewSet):
    resource = ALLOCATIONS

    def get_queryset(self):
        return shared_allocations()

    def list(self, request: Request) -> Response:
        terms = self.filter_terms(prn="offender_prn", current="ended_on")
        allocations = self.get_queryset()
        if "prn" in terms:
            allocations = allocations.filter(offender__prn=terms["prn"])
        if "current" in terms:
            if terms["current"] not in ("true", "false"):
                raise exceptions.ValidationError({"current": "true or false."})
            allocations = allocations.filter(ended_on__isnull=terms["current"] == "true")
        return self.listed(allocations, terms)


# --- the event feed ---------------------------------------------------------------------------------

FEED_PAGE_SIZE = 100
FEED_MAX_PAGE_SIZE = 500
CURSOR_PATTERN = re.compile(r"(\d{1,19})\.(\d{1,19})")
# The facts of each event type, by the names of the catalogue's sentence fields (a field the share
# does not carry is left out), and the payload field giving the day it took effect.
SENTENCE_FACTS = {
    "SentenceRecorded": {},
    "SentenceChanged": {},
    "SentenceCommenced": {"sentence_type": "sentence_type"},
    "SentenceCompleted": {
        "sentence_type": "sentence_type",
        "completed_on": "completed_on",
        "completion_reason": "completion_reason",
    },
    "OffenderReleased": {"sentence_type": "sentence_type"},
    "OffenderRecalled": {},
}
EFFECTIVE_ON = {
    "SentenceCommenced": "commenced_on",
    "SentenceCompleted": "completed_on",
    "OffenderReleased": "released_on",
    "OffenderRecalled": "recalled_on",
}
STATUS_AFTER = {"SentenceCommenced": SentenceStatus.ACTIVE, "SentenceCompleted": SentenceStatus.COMPLETED}


def _cursor(row: OutboxEvent) -> str:
    return f"{row.txid}.{row.pk}"


def _parse_cursor(value: str) -> tuple[int, int] | None:
    if not value:
        return None
    match = CURSOR_PATTERN.fullmatch(value)
    if match is None:
        raise exceptions.ValidationError({"after": "Not a cursor given by this feed."})
    return int(match[1]), int(match[2])


def _office_ref(office: Office | None) -> dict | None:
    return {"code": office.code, "name": office.name} if office is not None else None


def _recorded_sentence(payload: dict, allowed: set[str], offices: dict[int, Office]) -> dict:
    recorded = payload.get("sentence", {})
    facts = {name: value for name, value in recorded.items() if name in allowed}
    if "managing_office" in allowed:
        facts["managing_office"] = _office_ref(offices.get(recorded.get("managing_office_id")))
    if "court" in allowed and recorded.get("court_id") in offices:
        facts["court"] = offices[recorded["court_id"]].name
    return facts


def feed_item(
    row: OutboxEvent, *, scope: ShareScope, prns: dict[int, str], offices: dict[int, Office]
) -> dict:
    """One outbox row as the share shows it: the envelope (cursor, type, when) and the sentence's
    facts the share carries. Nothing of the payload passes unless the catalogue names it."""
    allowed = set(scope.fields_of(SENTENCES))
    payload = row.payload
    sentence_id = payload.get("release_sentence_id", payload.get("sentence_id"))
    if row.event_type == "SentenceRecorded":
        facts = _recorded_sentence(payload, allowed, offices)
    else:
        facts = {
            name: payload[key] for name, key in SENTENCE_FACTS[row.event_type].items() if name in allowed
        }
    if row.event_type in STATUS_AFTER and "status" in allowed:
        facts["status"] = STATUS_AFTER[row.event_type]
    if "id" in allowed:
        facts["id"] = sentence_id
    item = {"cursor": _cursor(row), "type": row.event_type, "occurred_at": row.occurred_at}
    if row.event_type in EFFECTIVE_ON:
        item["on"] = payload[EFFECTIVE_ON[row.event_type]]
    if "offender_prn" in allowed:
        item["offender_prn"] = prns.get(row.offender_id)
    item["sentence"] = facts
    if row.event_type == "SentenceChanged":
        item["changes"] = {name: change for name, change in payload["changes"].items() if name in allowed}
    return item


class FeedItemSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Give it as `after` to read on from this event.")
    type = serializers.ChoiceField(choices=list(SENTENCE_FACTS))
    occurred_at = serializers.DateTimeField(help_text="When IOMS recorded it.")
    on = serializers.DateField(required=False, help_text="The day it took effect, where it has one.")
    offender_prn = serializers.CharField(required=False)
    sentence = serializers.DictField(help_text="The sentence's fields the share carries.")
    changes = serializers.DictField(
        required=False,
        child=serializers.ListField(),
        help_text="SentenceChanged: {field: [old, new]}, for the fields the share carries.",
    )


class FeedPageSerializer(serializers.Serializer):
    events = FeedItemSerializer(many=True)
    next = serializers.CharField(help_text="The cursor to read on from (the same one when nothing came).")
    more = serializers.BooleanField(help_text="true: more events are ready now; read on at once.")


class ShareEventFeedView(ShareEndpointMixin, APIView):
    """/api/v1/share/events/?after=<cursor>: what has happened to the shared sentences, in the order it
    was committed, a page at a time (docs/data-share.md: The event feed)."""

    @extend_schema(
        operation_id="share_events",
        summary="The event feed (data share)",
        description="Events on sentences (recorded, changed, commenced, completed; releases and "
        "recalls) in commit order, from the outbox. Read on with `after` set to `next`: no event is "
        "ever skipped, and none appears behind a cursor already given. Needs a share that carries "
        "sentences; carries only its fields; never a restricted record. Audited like every read.",
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "after", str, description="The `next` of the previous page; none for the start."
            ),
            OpenApiParameter(
                "page_size",
                int,
                description=f"Events per page: {FEED_PAGE_SIZE} unless given, at most {FEED_MAX_PAGE_SIZE}.",
            ),
        ],
        responses={
            200: FeedPageSerializer,
            403: OpenApiResponse(description="The share does not carry sentences."),
        },
    )
    def get(self, request: Request) -> Response:
        scope = request.auth.share.scope
        if not scope.allows(SENTENCES):
            raise exceptions.PermissionDenied("This share does not carry sentences, nor their events.")
        after_text = request.query_params.get("after", "")
        after = _parse_cursor(after_text)
        try:
            size = int(request.query_params.get("page_size") or FEED_PAGE_SIZE)
        except ValueError:
            raise exceptions.ValidationError({"page_size": "A whole number."}) from None
        size = max(1, min(size, FEED_MAX_PAGE_SIZE))
        rows = shared_events(after=after, limit=size + 1)
        more, rows = len(rows) > size, rows[:size]
        offender_ids = {row.offender_id for row in rows}
        prns = dict(Offender.objects.filter(pk__in=offender_ids).values_list("pk", "prn")) if rows else {}
        office_ids = {
            row.payload["sentence"].get(key)
            for row in rows
            if row.event_type == "SentenceRecorded"
            for key in ("managing_office_id", "court_id")
        } - {None}
        offices = Office.objects.in_bulk(office_ids) if office_ids else {}
        events = [feed_item(row, scope=scope, prns=prns, offices=offices) for row in rows]
        scope_label = f"the data share {request.auth.share.name}: events (API)"
        audit_search(actor=request.user, scope=scope_label, terms={"after": after_text})
        audit_listed(actor=request.user, offender_ids=offender_ids, summary=f"Listed in {scope_label}")
        next_cursor = _cursor(rows[-1]) if rows else after_text
        return Response(FeedPageSerializer({"events": events, "next": next_cursor, "more": more}).data)


class ShareAboutView(ShareEndpointMixin, APIView):
    @extend_schema(
        operation_id="share_about",
        summary="What this credential's share carries (data share)",
        description=__doc__,
        tags=TAGS,
        responses={
            200: ShareAboutSerializer,
            401: OpenApiResponse(description="No data-share credential, or one not in force."),
        },
    )
    def get(self, request: Request) -> Response:
        return Response(ShareAboutSerializer(request.auth).data)
