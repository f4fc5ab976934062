"""Who may allocate staff to an offender's case."""

from offenders.access import offender_office_ids
from staff.access import office_id_of
from staff.roles import Role, has_role


def can_allocate_case(user, offender) -> bool:
    """A service manager of one of the offender's offices, or a system administrator."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) in offender_office_ids(offender)
