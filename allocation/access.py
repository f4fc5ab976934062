"""Who may allocate staff to an offender's case."""

from offenders.access import offender_office_ids
from staff.access import office_id_of
from staff.roles import Role, has_role


def can_allocate_case(user, offender) -> bool:
    """A service manager of one of the offender's offices, or a system administrator."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) in offender_office_ids(offender)


def access_allocation_by_id(user, allocation_id):
    """An allocation to change (end): 404 if unknown, 403 unless the user may allocate the case."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from allocation.models import CaseAllocation

    try:
        allocation = CaseAllocation.objects.select_related(
            "offender", "staff__user", "staff__office", "sentence"
        ).get(pk=int(allocation_id))
    except (CaseAllocation.DoesNotExist, TypeError, ValueError):
        raise Http404("No such allocation.") from None
    if not can_allocate_case(user, allocation.offender):
        raise PermissionDenied("You may not change the allocations of this case.")
    return allocation


def access_allocation_to_read_by_id(user, allocation_id):
    """An allocation to read: 404 if unknown, 403 unless the user may see the offender's record
    (who supervises a case is part of its core information)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from allocation.models import CaseAllocation
    from offenders.access import can_view_offender

    try:
        allocation = CaseAllocation.objects.select_related(
            "offender", "staff__user", "staff__office", "sentence"
        ).get(pk=int(allocation_id))
    except (CaseAllocation.DoesNotExist, TypeError, ValueError):
        raise Http404("No such allocation.") from None
    if not can_view_offender(user, allocation.offender):
        raise PermissionDenied("You may not see the allocations of this case.")
    return allocation


def can_allocate_request(user, request) -> bool:
    """Only a service manager of the request's office (or a system administrator) allocates it."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) == request.office_id


def can_work_queue(user, office) -> bool:
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and office is not None and office_id_of(user) == office.pk


def access_allocate_request_by_id(user, request_id):
    """An allocate request to work: 404 if unknown, 403 unless the user manages its office."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from allocation.models import AllocateRequest

    try:
        request = AllocateRequest.objects.select_related(
            "offender",
            "sentence__court",
            "office",
            "from_office",
            "continuity_staff__user",
            "allocated_to__user",
            "allocated_by",
        ).get(pk=int(request_id))
    except (AllocateRequest.DoesNotExist, TypeError, ValueError):
        raise Http404("No such allocate request.") from None
    if not can_allocate_request(user, request):
        raise PermissionDenied("Only a service manager of this office may work its allocation queue.")
    return request


def can_view_caseload(user, staff) -> bool:
    """Officers see their own caseload; managers of the officer's office and administrators too."""
    from staff.access import staff_of

    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    me = staff_of(user)
    if me is not None and me.pk == staff.pk:
        return True
    return has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) == staff.office_id


def transferable_sentences(user, offender):
    """The offender's current sentences this user may transfer: those managed by the user's own
    office (a system administrator may transfer any)."""
    from sentences.models import Sentence

    sentences = Sentence.objects.current().filter(offender=offender).select_related("managing_office")
    if has_role(user, Role.SYSTEM_ADMIN):
        return sentences
    office_id = office_id_of(user)
    if office_id is None or not has_role(user, Role.SERVICE_MANAGER):
        return sentences.none()
    return sentences.filter(managing_office_id=office_id)


def can_transfer_sentence(user, sentence) -> bool:
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    office_id = office_id_of(user)
    return (
        has_role(user, Role.SERVICE_MANAGER)
        and office_id is not None
        and sentence.managing_office_id == office_id
    )


def can_manage_unavailability(user, staff) -> bool:
    """Leave and other unavailability of a staff member is recorded or ended by a service manager of
    the staff member's office, or by a system administrator."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    office_id = office_id_of(user)
    return has_role(user, Role.SERVICE_MANAGER) and office_id is not None and office_id == staff.office_id


def access_unavailability_by_id(user, unavailability_id):
    """A period of leave to change (end): 404 if unknown, 403 unless the user manages the staff
    member's office."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from allocation.models import StaffUnavailability

    try:
        unavailability = StaffUnavailability.objects.select_related("staff__user", "staff__office").get(
            pk=int(unavailability_id)
        )
    except (StaffUnavailability.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("No such period of leave.") from None
    if not can_manage_unavailability(user, unavailability.staff):
        raise PermissionDenied("Only a service manager of the officer's office may change their leave.")
    return unavailability
