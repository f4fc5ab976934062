"""Who may see and reconcile the exceptions report (seed 001: administrative staff reconcile
exceptions reports; DOMAIN.md: service managers run an office). Views obtain an exception only
through `access_exception_by_id`, so these rules are the single gate.

- Administrative support and service managers: their own office's exceptions.
- System administrators (the help desk, who handle data issues): any office, and exceptions that
  could not be placed in an office (e.g. a court message naming nobody we know).
- Probation officers, prison staff and the read-only data share: none.
- Nobody resolves an exception their own change raised (`resolve_refusal`).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from offenders.access import refuse_unless_need_to_know
from reconciliation.models import DataException
from staff.access import office_id_of
from staff.models import Office
from staff.roles import Role, has_role

OFFICE_WORKER_ROLES = (Role.ADMIN_SUPPORT, Role.SERVICE_MANAGER)


def can_choose_any_office(user) -> bool:
    return has_role(user, Role.SYSTEM_ADMIN)


def can_view_exceptions_report(user) -> bool:
    """Whether the user has an exceptions report at all (their office's, or any for national roles)."""
    if can_choose_any_office(user):
        return True
    return has_role(user, *OFFICE_WORKER_ROLES) and office_id_of(user) is not None


def can_view_exceptions_of(user, office_id: int | None) -> bool:
    """`office_id` None means the exceptions that belong to no office."""
    if can_choose_any_office(user):
        return True
    if not has_role(user, *OFFICE_WORKER_ROLES):
        return False
    if office_id is None:
        return False
    return office_id == office_id_of(user)


def can_work_exception(user, exception: DataException) -> bool:
    """Assign, start, resolve, request a correction, reopen: the same people who see it."""
    return can_view_exceptions_of(user, exception.office_id)


OWN_CHANGE = (
    "Your change raised this exception: another member of staff must check and resolve it (four eyes)."
)


def resolve_refusal(user, exception: DataException) -> str | None:
    """Why `user` may not resolve `exception`, or None if they may. Four eyes: nobody closes an
    exception raised by their own change."""
    if not can_work_exception(user, exception):
        return "You may not reconcile this office's exceptions."
    if exception.raised_by_id is not None and exception.raised_by_id == user.pk:
        return OWN_CHANGE
    return None


def report_offices_for(user) -> list[Office]:
    """The offices whose report the user may open, for the office chooser."""
    if can_choose_any_office(user):
        return list(Office.objects.active().order_by("name"))
    office_id = office_id_of(user)
    if office_id is None or not has_role(user, *OFFICE_WORKER_ROLES):
        return []
    return list(Office.objects.filter(pk=office_id))


def access_exception_by_id(user, exception_id, *, for_work: bool = False) -> DataException:
    """404 if there is no such exception; 403 unless the user may see (for_work: reconcile) it."""
    try:
        exception = DataException.objects.select_related(
            "office",
            "offender__home_office",
            "sentence__managing_office",
            "assignee",
            "resolved_by",
            "recurrence_of",
        ).get(pk=int(exception_id))
    except (DataException.DoesNotExist, TypeError, ValueError):
        raise Http404("No such exception.") from None
    if exception.offender is not None:
        refuse_unless_need_to_know(user, exception.offender)
    if not can_view_exceptions_of(user, exception.office_id):
        raise PermissionDenied("You may not see this office's exceptions.")
    if for_work and not can_work_exception(user, exception):
        raise PermissionDenied("You may not reconcile this exception.")
    return exception
