"""Who may see and change an offender's record. Views and API endpoints obtain offenders only
through `access_offender_by_id`, so these rules are the single gate.

Need-to-know (issue 11): a restricted record opens, for every role, only to the staff on its access
list and to those holding a current break-glass grant (`has_need_to_know`); anyone else is refused
with `RestrictedRecordDenied` (audited; pages show the masked record with its break-glass link).
Lists apply the same rule as a filter in SQL: `Offender.objects.visible_to(user)` and
`offenders.models.visible_offenders_q(user, "offender")` for related rows."""

from django.http import Http404
from django.utils import timezone

from audit.refusals import Refused
from offenders import access_facts
from offenders.models import BreakGlassGrant, Offender, RestrictedAccess
from staff.access import office_id_of, staff_of
from staff.roles import Role, has_role, user_roles

# Every staff role reads offender records (IOMS is the department's national record and is used
# across offices; every read is audited). A user with no role reads nothing. The read-only data share
# (seed 004) never reads the full record: its users see the shared record instead, limited to the
# fields of their share (datashare/access.py), so every page and endpoint gated here refuses them.
VIEWING_ROLES = frozenset(Role.values) - {Role.DATA_SHARE}
CREATING_ROLES = frozenset({Role.ADMIN_SUPPORT, Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN})
# Issue 11 (need-to-know): who may restrict a record, manage its access list and read the
# break-glass report.
RESTRICTING_ROLES = frozenset({Role.SERVICE_MANAGER, Role.SYSTEM_ADMIN})


class RestrictedRecordDenied(Refused):
    """A restricted record refused to someone not on its access list. Pages answer it with the
    masked page and its break-glass link (offenders.middleware); the API with a 403. Audited like
    every refusal (audit.refusals), filed under the record."""

    def __init__(self, offender: Offender):
        self.offender = offender
        super().__init__(
            f"Record {offender.prn} is restricted to named staff. You may break the glass with a reason "
            "(it is reported to the record's owners).",
            obj=offender,
        )


def offender_office_ids(offender: Offender) -> set[int]:
    """The offices responsible for an offender: the home office and the managing office of each
    current sentence (a fact sentences provides: offenders.access_facts). Cached on the instance."""
    cached = getattr(offender, "_ioms_office_ids", None)
    if cached is None:
        cached = access_facts.managing_office_ids(offender)
        if offender.home_office_id:
            cached.add(offender.home_office_id)
        offender._ioms_office_ids = cached
    return cached


def is_allocated_to(user, offender: Offender) -> bool:
    """On the offender's case now (a fact allocation provides: offenders.access_facts)."""
    member = staff_of(user)
    if member is None:
        return False
    return access_facts.is_allocated(member, offender)


def is_on_access_list(user, offender: Offender) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return RestrictedAccess.objects.filter(
        offender=offender, user_id=user.pk, removed_at__isnull=True
    ).exists()


def has_need_to_know(user, offender: Offender) -> bool:
    """An open record, or a restricted one the user is on the access list of or holds a current
    break-glass grant for. Cached on the instance per user (one query, and only for restricted
    records)."""
    if not offender.restricted:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    cache = offender.__dict__.setdefault("_ioms_need_to_know", {})
    if user.pk not in cache:
        cache[user.pk] = Offender.objects.visible_to(user).filter(pk=offender.pk).exists()
    return cache[user.pk]


def can_view_offender(user, offender: Offender) -> bool:
    if not user_roles(user) & VIEWING_ROLES:
        return False
    return has_need_to_know(user, offender)


def can_restrict_offender(user, offender: Offender) -> bool:
    return (
        bool(user_roles(user) & RESTRICTING_ROLES)
        and not offender.restricted
        and can_view_offender(user, offender)
    )


def can_manage_restriction(user, offender: Offender) -> bool:
    """Lift the restriction and keep the access list: a service manager on the list, or a system
    administrator who may open the record (on the list or through the glass, so a record whose list
    has left is never beyond reach; breaking the glass is reported)."""
    if not offender.restricted or not can_view_offender(user, offender):
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and is_on_access_list(user, offender)


def can_break_glass(user, offender: Offender) -> bool:
    return (
        bool(user_roles(user) & VIEWING_ROLES)
        and offender.restricted
        and not has_need_to_know(user, offender)
    )


def can_view_break_glass_report(user) -> bool:
    return bool(user_roles(user) & RESTRICTING_ROLES)


def current_break_glass(user, offender: Offender) -> BreakGlassGrant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        BreakGlassGrant.objects.filter(offender=offender, user_id=user.pk, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def can_search_offenders(user) -> bool:
    return bool(user_roles(user) & VIEWING_ROLES)


def can_create_offender(user) -> bool:
    return bool(user_roles(user) & CREATING_ROLES)


def can_edit_offender(user, offender: Offender) -> bool:
    if not has_need_to_know(user, offender):
        return False
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
    if not has_need_to_know(user, offender):
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) in offender_office_ids(offender)


def refuse_unless_need_to_know(user, offender: Offender) -> None:
    """For the gates of records hanging off an offender (an allocate request, a review): a
    restricted record refused to someone not on its list, answered with the masked page (audited
    where the refusal becomes a response, audit.refusals)."""
    if not has_need_to_know(user, offender):
        raise RestrictedRecordDenied(offender)


def access_offender_by_id(user, offender_id, *, for_edit: bool = False) -> Offender:
    try:
        offender = Offender.objects.select_related("home_office").get(pk=int(offender_id))
    except (Offender.DoesNotExist, TypeError, ValueError):
        raise Http404("No such offender.") from None
    if user_roles(user) & VIEWING_ROLES:
        refuse_unless_need_to_know(user, offender)
    if not can_view_offender(user, offender):
        raise Refused("You may not see this offender's record.", obj=offender)
    if for_edit and not can_edit_offender(user, offender):
        raise Refused("You may not change this offender's record.", obj=offender)
    return offender
