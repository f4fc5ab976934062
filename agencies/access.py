from offenders.access import can_edit_offender
from staff.roles import Role, has_role, user_roles

MANAGING_ROLES = (Role.SYSTEM_ADMIN, Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT)


def can_view_agencies(user) -> bool:
    return bool(user_roles(user))


def can_manage_agencies(user) -> bool:
    """Seed 001: accepting, changing and discontinuing agencies and programmes."""
    return has_role(user, *MANAGING_ROLES)


def can_refer(user, offender) -> bool:
    return can_edit_offender(user, offender)
