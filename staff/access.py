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


def access_staff_member_by_id(user, staff_id) -> StaffMember:
    """A staff record for the directory pages: 404 if unknown, 403 if the user may not see staff."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    try:
        member = StaffMember.objects.select_related("user", "office", "team").get(pk=int(staff_id))
    except (StaffMember.DoesNotExist, TypeError, ValueError):
        raise Http404("No such staff member.") from None
    if not can_view_staff_directory(user):
        raise PermissionDenied("You may not see the staff directory.")
    return member


def is_read_only_user(user) -> bool:
    """A user whose only role is the read-only data share (seed 004), or who holds no role at all:
    such a user changes nothing, whatever else a rule might allow."""
    from staff.roles import user_roles

    return user_roles(user) <= {Role.DATA_SHARE}


def can_view_offices(user) -> bool:
    """Offices and teams are reference data: every role reads them (the data share too, since an
    offender's home office is core case information)."""
    from staff.roles import user_roles

    return bool(user_roles(user))
