"""Who may manage staff records (seed 001: staff allocated, changed, relocated)."""

from staff.models import Office, StaffMember
from staff.roles import Role, has_role


def staff_of(user) -> StaffMember | None:
    """The user's staff record, fetched once per request object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_ioms_staff"):
        user._ioms_staff = StaffMember.objects.select_related("office", "team").filter(user=user).first()
    return user._ioms_staff


def office_id_of(user) -> int | None:
    member = staff_of(user)
    return member.office_id if member else None


def can_view_staff_directory(user) -> bool:
    return has_role(user, *[role for role in Role.values if role != Role.DATA_SHARE])


def can_manage_staff_in(user, office: Office | None) -> bool:
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and office is not None and office.pk == office_id_of(user)
