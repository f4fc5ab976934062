"""Who may see court messages, decide probable matches and handle data-correction requests.

Court messages hold offenders' personal details as the courts sent them, before they are matched
to a record; the interface is national (a message is matched before anyone knows its office), so
the administrative staff who maintain records read it, and the office's managers and system
administrators with them (seed 000: CPPS administrative support staff maintain the data).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from courts.models import CorrectionRequest, CorrectionStatus, CourtMessage, MatchCandidate
from offenders.access import can_view_offender
from staff.access import office_id_of
from staff.roles import Role, has_role

COURT_MESSAGE_ROLES = (Role.ADMIN_SUPPORT, Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN)
# All CPPS staff keep records accurate (seed 000) and may ask the courts for a correction.
CORRECTION_RAISING_ROLES = (
    Role.PROBATION_OFFICER,
    Role.ADMIN_SUPPORT,
    Role.SERVICE_MANAGER,
    Role.SYSTEM_ADMIN,
)
# The administrative staff who contact MoJ (Courts) follow requests up.
CORRECTION_HANDLING_ROLES = (Role.ADMIN_SUPPORT, Role.SERVICE_MANAGER)


def can_view_court_messages(user) -> bool:
    return has_role(user, *COURT_MESSAGE_ROLES)


def can_review_matches(user) -> bool:
    return has_role(user, *COURT_MESSAGE_ROLES)


def can_retry_court_messages(user) -> bool:
    return has_role(user, *COURT_MESSAGE_ROLES)


def access_court_message_by_id(user, message_id) -> CourtMessage:
    try:
        message = CourtMessage.objects.select_related(
            "offender", "sentence", "credential", "duplicate_of"
        ).get(pk=int(message_id))
    except (CourtMessage.DoesNotExist, TypeError, ValueError):
        raise Http404("No such court message.") from None
    if not can_view_court_messages(user):
        raise PermissionDenied("You may not see court messages.")
    return message


def access_match_candidate_by_id(user, candidate_id) -> MatchCandidate:
    try:
        candidate = MatchCandidate.objects.select_related("message", "offender").get(pk=int(candidate_id))
    except (MatchCandidate.DoesNotExist, TypeError, ValueError):
        raise Http404("No such match candidate.") from None
    if not can_review_matches(user):
        raise PermissionDenied("You may not decide court message matches.")
    return candidate


def can_raise_correction(user, offender) -> bool:
    return has_role(user, *CORRECTION_RAISING_ROLES) and can_view_offender(user, offender)


def can_view_corrections(user) -> bool:
    return has_role(user, *CORRECTION_RAISING_ROLES)


def can_handle_correction(user, request: CorrectionRequest) -> bool:
    """Record that it was sent to the courts, or withdraw it: the administrative staff and managers
    of the office that follows it up, or a system administrator."""
    if request.status not in (CorrectionStatus.OPEN, CorrectionStatus.SENT):
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, *CORRECTION_HANDLING_ROLES) and (
        request.office_id is None or request.office_id == office_id_of(user)
    )


def access_correction_by_id(user, request_id, *, for_handling: bool = False) -> CorrectionRequest:
    try:
        request = CorrectionRequest.objects.select_related(
            "offender", "sentence", "office", "raised_by", "corrected_by_message"
        ).get(pk=int(request_id))
    except (CorrectionRequest.DoesNotExist, TypeError, ValueError):
        raise Http404("No such correction request.") from None
    if not can_view_corrections(user):
        raise PermissionDenied("You may not see correction requests.")
    if for_handling and not can_handle_correction(user, request):
        raise PermissionDenied("You may not change this correction request.")
    return request
