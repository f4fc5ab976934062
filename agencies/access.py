from offenders.access import can_edit_offender, can_view_offender, refuse_unless_need_to_know
from staff.access import office_id_of
from staff.roles import Role, has_role, user_roles

MANAGING_ROLES = (Role.SYSTEM_ADMIN, Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT)


def can_view_agencies(user) -> bool:
    return bool(user_roles(user))


def can_manage_agencies(user) -> bool:
    """Seed 001: accepting, changing and discontinuing agencies and programmes."""
    return has_role(user, *MANAGING_ROLES)


def can_refer(user, offender) -> bool:
    return can_edit_offender(user, offender)


def can_manage_places(user, programme) -> bool:
    """Issue 6: there is no agency role, so the service managers record the provider's decisions and
    outcomes: those of the office delivering the programme (any, for a programme every office
    uses), and system administrators."""
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and (
        programme.office_id is None or programme.office_id == office_id_of(user)
    )


def can_record_referral(user, referral) -> bool:
    """Places, attendance and outcomes of a referral: those who keep the offender's record, and the
    service managers of the programme."""
    return can_refer(user, referral.offender) or can_manage_places(user, referral.programme)


def access_referral_by_id(user, referral_id, *, for_edit: bool = False):
    """A referral and its attendance: 404 if unknown, 403 unless the user may see (or, for_edit,
    change) the referred offender's record."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from agencies.models import Referral

    try:
        referral = Referral.objects.select_related("offender", "programme__agency", "sentence").get(
            pk=int(referral_id)
        )
    except (Referral.DoesNotExist, TypeError, ValueError):
        raise Http404("No such referral.") from None
    refuse_unless_need_to_know(user, referral.offender)
    if not can_view_offender(user, referral.offender):
        raise PermissionDenied("You may not see this referral.")
    if for_edit and not can_record_referral(user, referral):
        raise PermissionDenied("You may not change this referral.")
    return referral
