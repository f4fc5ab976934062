"""Reads for the court message pages and the correction requests. Each list is one query for its
rows (plus prefetches), whatever its length, and leaves out the large columns it does not show."""

from django.db.models import Count, Prefetch, Q, QuerySet

from courts.models import (
    CorrectionRequest,
    CorrectionStatus,
    CourtMessage,
    MatchCandidate,
    MatchDecision,
    MessageStatus,
)

OUTSTANDING_CORRECTIONS = (CorrectionStatus.OPEN, CorrectionStatus.SENT)


def court_message_list(*, status: str = "", message_type: str = "", text: str = "") -> QuerySet[CourtMessage]:
    messages = (
        CourtMessage.objects.select_related("offender", "credential")
        .defer("raw_body", "raw_bytes", "payload")
        .order_by("-received_at", "-id")
    )
    if status:
        messages = messages.filter(status=status)
    if message_type:
        messages = messages.filter(message_type=message_type)
    text = text.strip()
    if text:
        condition = Q(message_id__istartswith=text)
        if text.isascii() and text.isdigit():  # '²' is a digit to isdigit(), not to int()
            condition |= Q(pk=int(text)) | Q(offender__prn=text)
        messages = messages.filter(condition)
    return messages


def court_message_counts() -> dict[str, int]:
    counts = dict(CourtMessage.objects.values_list("status").annotate(total=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in MessageStatus.values}


def match_queue() -> QuerySet[CourtMessage]:
    """Messages waiting for a person to confirm or reject the offender, oldest first."""
    candidates = MatchCandidate.objects.select_related("offender", "offender__home_office").order_by(
        "-score", "id"
    )
    return (
        CourtMessage.objects.filter(status=MessageStatus.AWAITING_MATCH)
        .defer("raw_body", "raw_bytes")
        .prefetch_related(Prefetch("candidates", queryset=candidates))
        .order_by("received_at", "id")
    )


def message_candidates(message: CourtMessage) -> list[MatchCandidate]:
    return list(
        MatchCandidate.objects.filter(message=message)
        .select_related("offender", "offender__home_office", "decided_by")
        .order_by("-score", "id")
    )


def pending_candidate_count(message: CourtMessage) -> int:
    return MatchCandidate.objects.filter(message=message, decision=MatchDecision.PENDING).count()


def correction_request_list(*, office_id: int | None = None, status: str = "") -> QuerySet[CorrectionRequest]:
    """`status` is a CorrectionStatus value, 'outstanding' (open or sent) or '' for all."""
    requests = CorrectionRequest.objects.select_related(
        "offender", "sentence", "office", "raised_by", "corrected_by_message"
    ).order_by("raised_at", "id")
    if office_id is not None:
        requests = requests.filter(office_id=office_id)
    if status == "outstanding":
        requests = requests.filter(status__in=OUTSTANDING_CORRECTIONS)
    elif status:
        requests = requests.filter(status=status)
    return requests


def offender_correction_requests(offender_id: int) -> QuerySet[CorrectionRequest]:
    return correction_request_list(status="").filter(offender_id=offender_id).order_by("-raised_at", "-id")
