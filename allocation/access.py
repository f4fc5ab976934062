"""Who may allocate staff to an offender's case and change its offender management team."""

from allocation.models import CaseAllocation, CaseRole
from classification.access import prison_office_ids
from offenders.access import can_view_offender, offender_office_ids, refuse_unless_need_to_know
from sentences.models import Sentence
from staff.access import office_id_of, staff_of
from staff.models import OfficeKind
from staff.roles import Role, has_role

# Senior prison staff (principal corrections officers, residential managers) allocate the prison
# side of a prisoner's team at their own prison, and work their prison's allocation queue.
PRISON_MANAGING_ROLES = (Role.RECOMMENDING_OFFICER, Role.APPROVING_OFFICER)
# The roles a prison's managers may give their own staff on a prisoner's team (seed 004).
PRISON_SIDE_ROLES = frozenset(
    {CaseRole.OFFENDER_SUPERVISOR, CaseRole.KEY_WORKER, CaseRole.CASE_ADMINISTRATOR}
)


def is_allocated(member, offender) -> bool:
    """The access fact allocation provides to offenders.access (allocation.apps): the member of
    staff is on the offender's case now, and so may maintain the record (seed 000)."""
    return CaseAllocation.objects.current().filter(offender=offender, staff=member).exists()


def can_allocate_case(user, offender) -> bool:
    """A service manager of one of the offender's offices, or a system administrator."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) in offender_office_ids(offender)


def manages_prison(user, office) -> bool:
    """A senior officer of this prison."""
    return (
        office is not None
        and office.kind == OfficeKind.PRISON
        and has_role(user, *PRISON_MANAGING_ROLES)
        and office_id_of(user) == office.pk
    )


def manages_prison_of(user, offender) -> bool:
    """A senior officer of a prison holding the offender (managing a current prison sentence)."""
    member = staff_of(user)
    return (
        member is not None
        and manages_prison(user, member.office)
        and member.office_id in prison_office_ids(offender)
    )


def can_manage_team(user, offender) -> bool:
    """May open the pages that change the offender's team (which members, the forms narrow)."""
    return can_allocate_case(user, offender) or manages_prison_of(user, offender)


def can_manage_team_member(user, offender, *, role: str, staff) -> bool:
    """Add, end or replace one membership: the offender's service managers any; a prison's
    senior officers the prison-side roles held by their own prison's staff."""
    if can_allocate_case(user, offender):
        return True
    return (
        role in PRISON_SIDE_ROLES
        and manages_prison_of(user, offender)
        and staff.office_id == office_id_of(user)
    )


def team_roles_for(user, offender) -> list[str]:
    """The roles the user may give on this offender's team, in the team's order."""
    from allocation.models import TEAM_ORDER

    if can_allocate_case(user, offender):
        return list(TEAM_ORDER)
    if manages_prison_of(user, offender):
        return [role for role in TEAM_ORDER if role in PRISON_SIDE_ROLES]
    return []


def team_staff_office_ids(user, offender) -> set[int]:
    """The offices whose staff the user may put on the offender's team."""
    if can_allocate_case(user, offender):
        return set(offender_office_ids(offender))
    if manages_prison_of(user, offender):
        return {office_id_of(user)}
    return set()


def access_allocation_by_id(user, allocation_id):
    """A team membership (allocation) to change: 404 if unknown, 403 unless the user may manage
    that member of the case's team."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    try:
        allocation = CaseAllocation.objects.select_related(
            "offender", "staff__user", "staff__office", "sentence"
        ).get(pk=int(allocation_id))
    except (CaseAllocation.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("No such allocation.") from None
    if not can_manage_team_member(user, allocation.offender, role=allocation.role, staff=allocation.staff):
        raise PermissionDenied("You may not change the allocations of this case.")
    return allocation


def access_allocation_to_read_by_id(user, allocation_id):
    """An allocation to read: 404 if unknown, 403 unless the user may see the offender's record
    (who supervises a case is part of its core information)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    try:
        allocation = CaseAllocation.objects.select_related(
            "offender", "staff__user", "staff__office", "sentence"
        ).get(pk=int(allocation_id))
    except (CaseAllocation.DoesNotExist, TypeError, ValueError):
        raise Http404("No such allocation.") from None
    refuse_unless_need_to_know(user, allocation.offender)
    if not can_view_offender(user, allocation.offender):
        raise PermissionDenied("You may not see the allocations of this case.")
    return allocation


def can_allocate_request(user, request) -> bool:
    """Only a manager of the request's office (or a system administrator) allocates it: a service
    manager, or in a prison's queue one of its senior officers."""
    return can_work_queue(user, request.office)


def can_work_queue(user, office) -> bool:
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    if manages_prison(user, office):
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

    refuse_unless_need_to_know(user, request.offender)
    if not can_allocate_request(user, request):
        raise PermissionDenied("Only a service manager of this office may work its allocation queue.")
    return request


def can_view_caseload(user, staff) -> bool:
    """Officers see their own caseload; managers of the officer's office (a prison's senior
    officers for its staff) and administrators too."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    me = staff_of(user)
    if me is not None and me.pk == staff.pk:
        return True
    if manages_prison(user, staff.office):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) == staff.office_id


def transferable_sentences(user, offender):
    """The offender's current sentences this user may transfer: those managed by the user's own
    office (a system administrator may transfer any)."""
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
