"""Who may see an office's muster list (seed 001: "IOMS provides the CPPS service manager in each
office with a muster list of all persons currently subject to sentences in that office").

Community staff see the list of their own office; system administrators choose any office. Prison
staff manage custody, not community sentences, and are refused. The read-only data share is refused
too: the list carries warnings and appeal and breach tags that no share carries (docs/data-share.md).
Views obtain the office only through `access_muster_office_by_id`."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from staff.access import office_id_of
from staff.models import Office, OfficeKind
from staff.roles import Role, has_role

# Roles that see the muster list of the office they work in.
OFFICE_MUSTER_ROLES = frozenset({Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT, Role.PROBATION_OFFICER})


def can_choose_muster_office(user) -> bool:
    """System administrators may open the muster list of any office."""
    return has_role(user, Role.SYSTEM_ADMIN)


def can_view_muster(user) -> bool:
    """Whether the user sees any muster list at all (their own office's, or any office's)."""
    if can_choose_muster_office(user):
        return True
    return has_role(user, *OFFICE_MUSTER_ROLES) and office_id_of(user) is not None


def muster_offices() -> QuerySet[Office]:
    """The offices that manage sentences: every open office except the courts."""
    return Office.objects.active().exclude(kind=OfficeKind.COURT).order_by("name")


def can_view_muster_of(user, office: Office) -> bool:
    if office.kind == OfficeKind.COURT:
        return False
    if can_choose_muster_office(user):
        return True
    return has_role(user, *OFFICE_MUSTER_ROLES) and office.pk == office_id_of(user)


def access_muster_office_by_id(user, office_id) -> Office:
    """The office whose muster list the user asked for: 403 if the user may see no muster list or
    not this office's, 404 if there is no such office (a court has no muster list)."""
    if not can_view_muster(user):
        raise PermissionDenied("You may not see muster lists.")
    try:
        office = Office.objects.exclude(kind=OfficeKind.COURT).get(pk=int(office_id))
    except (Office.DoesNotExist, TypeError, ValueError):
        raise Http404("No such office.") from None
    if not can_view_muster_of(user, office):
        raise PermissionDenied("You may see the muster list of your own office only.")
    return office
