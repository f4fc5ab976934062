"""Who may see and arrange appointments (issue 15). Views and API endpoints obtain appointments,
diaries and office calendars only through the access_* functions here.

- An offender's schedule: whoever may see the offender's record, never the read-only data share.
- An appointment (change it, reschedule it, record its outcome): the officer it is with, the
  service managers and administrative support of its office (the officer's manager and the
  office's support staff), and system administrators.
- Arranging a new appointment for an offender: a probation officer on the offender's case, the
  service managers and administrative support of the offender's offices, system administrators.
- An officer's diary: the officer, the service managers and administrative support of the
  officer's office, system administrators.
- An office calendar: the probation officers, service managers and administrative support of that
  office, system administrators.
- An officer's calendar feed: the officer alone (its token is theirs).
- A person's contact level (how often they are seen): a probation officer on the case, the
  service managers of the person's offices, system administrators. Not administrative support:
  the level is a supervision decision."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from appointments.models import Appointment
from offenders.access import (
    can_view_offender,
    is_allocated_to,
    offender_office_ids,
    refuse_unless_need_to_know,
)
from staff.access import is_read_only_user, office_id_of, staff_of
from staff.models import Office, StaffMember
from staff.roles import Role, has_role

OFFICE_ROLES = (Role.SERVICE_MANAGER, Role.ADMIN_SUPPORT)


def _as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not found.") from None


def can_view_schedule(user, offender) -> bool:
    return can_view_offender(user, offender) and not is_read_only_user(user)


def can_arrange_for(user, offender) -> bool:
    if not can_view_schedule(user, offender):
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    if has_role(user, *OFFICE_ROLES) and office_id_of(user) in offender_office_ids(offender):
        return True
    return has_role(user, Role.PROBATION_OFFICER) and is_allocated_to(user, offender)


def can_set_contact_level(user, offender) -> bool:
    if not can_view_schedule(user, offender):
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    if has_role(user, Role.SERVICE_MANAGER) and office_id_of(user) in offender_office_ids(offender):
        return True
    return has_role(user, Role.PROBATION_OFFICER) and is_allocated_to(user, offender)


def can_keep_diary_of(user, officer: StaffMember) -> bool:
    """The officer's own diary, their office's managers and support staff, system administrators."""
    if is_read_only_user(user):
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    if has_role(user, *OFFICE_ROLES) and office_id_of(user) == officer.office_id:
        return True
    member = staff_of(user)
    return member is not None and member.pk == officer.pk and has_role(user, Role.PROBATION_OFFICER)


def can_change_appointment(user, appointment: Appointment) -> bool:
    if not can_view_schedule(user, appointment.offender):
        return False
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    if has_role(user, *OFFICE_ROLES) and office_id_of(user) == appointment.office_id:
        return True
    member = staff_of(user)
    return (
        member is not None and member.pk == appointment.officer_id and has_role(user, Role.PROBATION_OFFICER)
    )


def can_view_office_calendar(user, office: Office) -> bool:
    if has_role(user, Role.SYSTEM_ADMIN):
        return True
    return (
        has_role(user, Role.PROBATION_OFFICER, *OFFICE_ROLES)
        and office_id_of(user) == office.pk
        and not is_read_only_user(user)
    )


def access_appointment_by_id(user, appointment_id, *, for_edit: bool = False) -> Appointment:
    try:
        appointment = Appointment.objects.select_related(
            "offender__home_office",
            "officer__user",
            "office",
            "series",
            "rescheduled_to",
            "outcome_recorded_by",
        ).get(pk=_as_int(appointment_id))
    except Appointment.DoesNotExist:
        raise Http404("No such appointment.") from None
    refuse_unless_need_to_know(user, appointment.offender)
    if not can_view_schedule(user, appointment.offender):
        raise PermissionDenied("You may not see this appointment.")
    if for_edit and not can_change_appointment(user, appointment):
        raise PermissionDenied("You may not change this appointment.")
    return appointment


def access_diary_by_id(user, staff_id) -> StaffMember:
    try:
        officer = StaffMember.objects.select_related("user", "office").get(pk=_as_int(staff_id))
    except StaffMember.DoesNotExist:
        raise Http404("No such officer.") from None
    if not can_keep_diary_of(user, officer):
        raise PermissionDenied("You may not see this officer's diary.")
    return officer


def access_office_calendar_by_id(user, office_id) -> Office:
    try:
        office = Office.objects.get(pk=_as_int(office_id))
    except Office.DoesNotExist:
        raise Http404("No such office.") from None
    if not can_view_office_calendar(user, office):
        raise PermissionDenied("You may not see this office's calendar.")
    return office


def may_have_calendar_feed(user) -> bool:
    return has_role(user, Role.PROBATION_OFFICER) and staff_of(user) is not None
