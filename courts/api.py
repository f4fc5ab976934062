"""POST /api/v1/court-messages/: the machine endpoint of the courts' case management system (CMS).

Only a court API credential reaches it (`Authorization: Bearer <token>`, issued with
`manage.py issue_court_credential NAME`); a user's session or password does not, and the
credential reaches nothing else (every other endpoint authenticates users only).

The body is stored exactly as received before anything else happens, then checked:
- 202 Accepted: stored and queued for processing (`"duplicate": false`). The status of the
  message afterwards (processed, awaiting a person's match, exception) is on the court message
  pages.
- 200 OK with `"duplicate": true`: a message with this message ID and the same content was already
  received. Nothing is queued or changed; the answer gives the original's IOMS number, its status
  now and when it was received. Sending a message again (after a timeout, say) is always safe.
- 409 Conflict: the message ID was already used for a message whose content differs. This one is
  stored but not applied; it is on the exceptions report for a person, and `original_id` names
  the earlier message. Send a different message under a new message ID.
- 400 Bad Request: stored but rejected (broken JSON, an unknown message type, a missing or
  wrongly typed field). The body says why; the message is on the exceptions report. We answer 400
  rather than 202 so the CMS's own monitoring sees the failure at once; send a corrected message
  (it may reuse the message ID, since a rejected message is never applied).
- 413 Payload Too Large: bodies over 1 MB; the first 1 MB is stored and the message is rejected.
- 401: no or an unknown credential, or an expired one (nothing is stored: only the courts may fill
  the store). A credential expires a year after it is issued or rotated; after a rotation the token
  it replaced keeps working for a week, then gets 401 saying it was replaced.
- 429 Too Many Requests: over the credential's rate (600 messages a minute, 100,000 a day, by
  default); nothing is stored. Send it again after the number of seconds in the Retry-After header.
"""

from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from audit.credentials import BearerAuthentication, HoldsCredential, MachineUser
from courts.credentials import court_credential_authenticate, court_credential_refusal_record
from courts.examples import EXAMPLES, MORE_EXAMPLES
from courts.models import CourtApiCredential, CourtMessage, MessageStatus
from courts.schemas import (
    APPEAL_AGAINST,
    MAX_BODY_BYTES,
    SERIALIZERS,
    AppealDecidedSerializer,
    ApplicationDecidedSerializer,
    BreachDecidedSerializer,
    CourtEnvelopeSerializer,
    OffenderReleasedSerializer,
)
from courts.services import court_message_receive
from courts.throttling import RateVerdict, court_rate_check
from ioms.api_common import name_enum

name_enum("AppealAgainst", APPEAL_AGAINST)
name_enum("ApplicationOutcome", ApplicationDecidedSerializer().fields["outcome"].choices.items())
name_enum("AppealOutcome", AppealDecidedSerializer().fields["outcome"].choices.items())
name_enum("BreachOutcome", BreachDecidedSerializer().fields["outcome"].choices.items())
name_enum("ReleaseKind", OffenderReleasedSerializer().fields["release_kind"].choices.items())
name_enum("CourtMessageFormatVersion", CourtEnvelopeSerializer().fields["version"].choices.items())


class CourtInterface(MachineUser):
    """request.user for the courts' system: not a person, holds no role, passes no user check."""

    def __str__(self) -> str:
        return f"court interface ({self.credential.name})"


class CourtCredentialAuthentication(BearerAuthentication):
    realm = "court-messages"
    user_class = CourtInterface
    authenticate_token = staticmethod(court_credential_authenticate)
    unknown_message = "The token is not valid, or its credential was withdrawn."


class CourtCredentialScheme(OpenApiAuthenticationExtension):
    target_class = CourtCredentialAuthentication
    name = "courtCredential"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A court API credential (manage.py issue_court_credential).",
        }


class IsCourtCredential(HoldsCredential):
    model = CourtApiCredential
    message = "Only the courts' system (a court API credential) may post court messages."


class CourtCredentialRateThrottle(BaseThrottle):
    """courts.throttling's per-credential limit; the first refusal of a window is audited."""

    verdict = RateVerdict(allowed=True)

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, CourtApiCredential):
            return True
        # Kept on the request as well, for the view's answer (DRF makes the throttles per request).
        self.verdict = request.court_rate_verdict = court_rate_check(request.auth)
        if self.verdict.first_refusal:
            court_credential_refusal_record(
                credential=request.auth, summary=f"over its rate limit of {self.verdict.limit}"
            )
        return self.verdict.allowed

    def wait(self) -> int:
        return self.verdict.retry_after


class CourtErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ReceiptSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text="The stored message's number in IOMS; for a duplicate, the original's."
    )
    message_id = serializers.CharField(help_text="The message ID as sent (blank if it had none).")
    status = serializers.ChoiceField(
        choices=MessageStatus.choices,
        help_text="received (queued for processing), rejected (400, 413) or exception (409); for a "
        "duplicate, the original's status now.",
    )
    reason = serializers.CharField(
        help_text="Why it was rejected or refused, or that it repeats an earlier message; blank when "
        "received."
    )
    errors = serializers.DictField(
        required=False, help_text="Rejected for its format: the fields at fault and what is wrong."
    )
    received_at = serializers.DateTimeField(help_text="When it was received; for a duplicate, the original.")
    duplicate = serializers.BooleanField(
        help_text="True when this message ID was already received with the same content: nothing "
        "was queued or changed."
    )
    original_id = serializers.IntegerField(
        required=False,
        help_text="409 only: the IOMS number of the earlier message with this message ID.",
    )


def _body(request: Request) -> tuple[bytes, int]:
    """The raw body read from the stream, at most one byte over the limit (so an oversized body is
    noticed without reading it all into memory), and the size the client declared."""
    raw = request._request.read(MAX_BODY_BYTES + 1)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    return raw, max(declared, len(raw))


def _when(message: CourtMessage) -> str:
    received = timezone.localtime(message.received_at)
    return f"{received:%Y-%m-%d} at {received:%H:%M:%S}"


MESSAGE_SCHEMA = PolymorphicProxySerializer(
    component_name="CourtMessage",
    serializers={str(key): serializer for key, serializer in SERIALIZERS.items()},
    resource_type_field_name="message_type",
)


@method_decorator(never_cache, name="dispatch")
class CourtMessageEndpoint(APIView):
    authentication_classes = [CourtCredentialAuthentication]
    permission_classes = [IsCourtCredential]
    throttle_classes = [CourtCredentialRateThrottle]
    # Declared for the schema only: the view reads the raw body itself, before any parsing.
    parser_classes = [JSONParser]
    http_method_names = ["post"]

    def throttled(self, request: Request, wait) -> None:
        verdict = getattr(request, "court_rate_verdict", None)
        raise exceptions.Throttled(
            wait,
            detail=f"Too many messages from the court credential {request.auth.name!r}"
            + (f": at most {verdict.limit}." if verdict and verdict.limit else "."),
        )

    @extend_schema(
        operation_id="court_messages_create",
        summary="Send a court message (courts' CMS only)",
        description=__doc__,
        tags=["court interface"],
        request=MESSAGE_SCHEMA,
        responses={
            200: OpenApiResponse(
                ReceiptSerializer,
                description="Already received with the same content (duplicate: true): nothing queued "
                "or changed; the original's number, status and time of receipt.",
            ),
            202: OpenApiResponse(ReceiptSerializer, description="Stored and queued for processing."),
            400: OpenApiResponse(ReceiptSerializer, description="Stored, but rejected: see reason."),
            401: OpenApiResponse(
                CourtErrorSerializer,
                description="No court credential, an unknown or revoked one, or an expired token "
                "(the detail says when it expired or was replaced).",
            ),
            403: OpenApiResponse(
                CourtErrorSerializer, description="Authenticated, but not as the courts' system."
            ),
            409: OpenApiResponse(
                ReceiptSerializer,
                description="The message ID was already used for different content: stored, not "
                "applied, on the exceptions report; original_id names the earlier message.",
            ),
            413: OpenApiResponse(
                ReceiptSerializer, description="Over 1 MB: the first 1 MB stored, rejected."
            ),
            429: OpenApiResponse(
                CourtErrorSerializer,
                description="Over the credential's rate limit: nothing stored. Send the message again "
                "after the seconds given in Retry-After.",
            ),
        },
        parameters=[
            OpenApiParameter(
                "Retry-After",
                int,
                location=OpenApiParameter.HEADER,
                response=[429],
                description="Seconds to wait before sending again.",
            )
        ],
        examples=[
            *[
                OpenApiExample(message_type, value=value, request_only=True, summary=message_type)
                for message_type, value in EXAMPLES.items()
            ],
            *[
                OpenApiExample(name, value=value, request_only=True, summary=name)
                for name, value in MORE_EXAMPLES.items()
            ],
            OpenApiExample(
                "Accepted",
                value={
                    "id": 1042,
                    "message_id": "CMS-2025-000001",
                    "status": "received",
                    "reason": "",
                    "received_at": "2025-03-04T10:15:01.123456+13:00",
                    "duplicate": False,
                },
                response_only=True,
                status_codes=["202"],
            ),
            OpenApiExample(
                "Duplicate",
                value={
                    "id": 1042,
                    "message_id": "CMS-2025-000001",
                    "status": "processed",
                    "reason": "Message CMS-2025-000001 was already received on 2025-03-04 at 10:15:01 "
                    "(IOMS #1042); this copy changes nothing.",
                    "received_at": "2025-03-04T10:15:01.123456+13:00",
                    "duplicate": True,
                },
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "Conflict",
                value={
                    "id": 1050,
                    "message_id": "CMS-2025-000001",
                    "status": "exception",
                    "reason": "Message ID CMS-2025-000001 was already used on 2025-03-04 at 10:15:01 "
                    "(IOMS #1042) for a message with different content. This one is stored but not "
                    "applied, and a person will look at it; send a new message under a new message ID.",
                    "received_at": "2025-03-04T11:02:40.654321+13:00",
                    "duplicate": False,
                    "original_id": 1042,
                },
                response_only=True,
                status_codes=["409"],
            ),
            OpenApiExample(
                "Rejected",
                value={
                    "id": 1043,
                    "message_id": "CMS-2025-000002",
                    "status": "rejected",
                    "reason": "The message does not follow the format: offender.date_of_birth: Must be a "
                    "date written YYYY-MM-DD.",
                    "errors": {"offender": {"date_of_birth": ["Must be a date written YYYY-MM-DD."]}},
                    "received_at": "2025-03-04T10:15:02.123456+13:00",
                    "duplicate": False,
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        raw, size = _body(request)
        receipt = court_message_receive(
            raw=raw,
            body_size=size,
            content_type=request.META.get("CONTENT_TYPE", ""),
            credential=request.auth,
            source="api",
        )
        message = receipt.message
        body = {
            "id": message.pk,
            "message_id": message.message_id,
            "status": message.status,
            "reason": "" if receipt.accepted else message.status_reason,
            "received_at": message.received_at,
            "duplicate": False,
        }
        if receipt.errors:
            body["errors"] = receipt.errors
        if receipt.duplicate:
            # The sender learns what became of the message it sent before, without its reason: an
            # exception's or a match's reason may name people on record.
            body |= {
                "id": receipt.original.pk,
                "status": receipt.original.status,
                "reason": f"Message {message.message_id} was already received on {_when(receipt.original)} "
                f"(IOMS #{receipt.original.pk}); this copy changes nothing.",
                "received_at": receipt.original.received_at,
                "duplicate": True,
            }
            code = status.HTTP_200_OK
        elif receipt.conflict:
            body.update(
                reason=f"Message ID {message.message_id} was already used on {_when(receipt.original)} "
                f"(IOMS #{receipt.original.pk}) for a message with different content. This one is stored "
                "but not applied, and a person will look at it; send a new message under a new message ID.",
                original_id=receipt.original.pk,
            )
            code = status.HTTP_409_CONFLICT
        elif receipt.accepted:
            code = status.HTTP_202_ACCEPTED
        elif receipt.too_large:
            code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        else:
            code = status.HTTP_400_BAD_REQUEST
        return Response(ReceiptSerializer(body).data, status=code)
