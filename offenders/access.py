"""Who may see and change an offender's record. Views and API endpoints obtain offenders only
through `access_offender_by_id`, so these rules are the single gate."""

from django.http import Http404

from audit.refusals import Refused
from offenders.models import Offender
from staff.access import office_id_of, staff_of
from staff.roles import Role, has_role, user_roles

# Every staff role reads offender records (IOMS is the department's national record and is used
# across offices; every read is audited). A user with no role reads nothing. The read-only data share
# (seed 004) never reads the full record: its users see the shared record instead, limited to the
# fields of their share (datashare/access.py), so every page and endpoint gated here refuses them.
VIEWING_ROLES = frozenset(Role.values) - {Role.DATA_SHARE}
CREATING_ROLES = frozenset({Role.ADMIN_SUPPORT, Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN})


def offender_office_ids(offender: Offender) -> set[int]:
    """The offices responsible for an offender: the home office and the managing office of each
    current sentence. Cached on the instance."""
    cached = getattr(offender, "_ioms_office_ids", None)
    if cached is None:
        from sentences.models import Sentence

        cached = set(
            Sentence.objects.current()
            .filter(offender=offender, managing_office__isnull=False)
            .values_list("managing_office_id", flat=True)
        )
        if offender.home_office_id:
            cached.add(offender.home_office_id)
        offender._ioms_office_ids = cached
    return cached


def is_allocated_to(user, offender: Offender) -> bool:
    from allocation.models import CaseAllocation

    member = staff_of(user)
    if member is None:
        return False
    return CaseAllocation.objects.current().filter(offender=offender, staff=member).exists()


def can_view_offender(user, offender: Offender) -> bool:
    return bool(user_roles(user) & VIEWING_ROLES)


def can_search_offenders(user) -> bool:
    return bool(user_roles(user) & VIEWING_ROLES)


def can_create_offender(user) -> bool:
    return bool(user_roles(user) & CREATING_ROLES)


def can_edit_offender(user, offender: Offender) -> bool:
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    if has_role(user, Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT) and office_id_of(user) in offender_office_ids(
        offender
    ):
        return True
    # Seed 000: the supervising officers to whom an offender is assigned maintain the record.
    return has_role(user, Role.PROBATION_OFFICER) and is_allocated_to(user, offender)


def can_view_history(user, offender: Offender) -> bool:
    """The audit trail of a record: administrators, and the managers of its offices."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) in offender_office_ids(offender)


def access_offender_by_id(user, offender_id, *, for_edit: bool = False) -> Offender:
    try:
        offender = Offender.objects.select_related("home_office").get(pk=int(offender_id))
    except (Offender.DoesNotExist, TypeError, ValueError):
        raise Http404("No such offender.") from None
    if not can_view_offender(user, offender):
        raise Refused("You may not see this offender's record.", obj=offender)
    if for_edit and not can_edit_offender(user, offender):
        raise Refused("You may not change this offender's record.", obj=offender)
    return offender
