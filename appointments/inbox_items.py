"""The appointments app's work in the inbox (inbox.sources gathers it): a new case's first
appointment, due within the time its sentence type sets (FirstAppointmentRule), for the officer it
is allocated to until an appointment is arranged or attended; and the people behind their contact
level (ContactLevelRule, ContactLevelAdjustment), for the officers holding their case and the
service managers of their offices."""

from django.utils import timezone

from appointments.selectors import behind_on_contact, first_appointments_due
from appointments.services import ZONE
from ioms.read_models import InboxSource, make_item, url_for
from offenders.access import VIEWING_ROLES
from staff.roles import Role


class FirstAppointmentSource(InboxSource):
    """Issue 15: the first appointment after allocation (intensive supervision: within 72 hours),
    for the probation officer holding the case (offender manager or supervising officer). Done when
    an appointment on or after the allocation's start is arranged or attended."""

    kind = "first_appointment"
    label = "First appointments"

    def items_for(self, people, today):
        # Every person with a staff record is asked about, the probation officers kept after: the
        # same queries whoever is in the team (inbox.sources: a fixed number per source).
        staff = {person.staff_id: person for person in people if person.staff_id}
        items = []
        for due in first_appointments_due(list(staff), today):
            allocation = due.allocation
            if not staff[allocation.staff_id].holds(Role.PROBATION_OFFICER):
                continue
            due_at = timezone.localtime(due.due_at, ZONE)
            by = f"{due_at:%-d %b %Y %-I:%M %p}".replace("AM", "am").replace("PM", "pm")
            sentence_type = allocation.sentence.get_sentence_type_display()
            items.append(
                make_item(
                    today=today,
                    due_on=due_at.date(),
                    offender=allocation.offender,
                    key=f"{self.kind}:{allocation.pk}",
                    kind=self.kind,
                    title="Arrange the first appointment",
                    detail=f"{sentence_type}: within {due.within_hours} hours of allocation, by {by}",
                    url=url_for("appointments:create", allocation.offender_id),
                    assignee_ids=frozenset({staff[allocation.staff_id].user_id}),
                )
            )
        return items

    def may_see(self, viewer, item):
        return bool(viewer.roles & VIEWING_ROLES)


class ContactLevelSource(InboxSource):
    """People behind their contact level (the day their next contact was due has passed), on the
    caseload of the probation officer holding the case (offender manager or supervising officer)
    and, for a service manager, on the caseloads of their office. Done when the person attends."""

    kind = "contact_level"
    label = "Contact levels"

    def items_for(self, people, today):
        # Every person with a staff record is asked about, the probation officers kept after, and
        # the offices of the service managers: the same queries whoever is in the team
        # (inbox.sources: a fixed number per source).
        staff = {person.staff_id: person for person in people if person.staff_id}
        officers = {
            staff_id: person for staff_id, person in staff.items() if person.holds(Role.PROBATION_OFFICER)
        }
        managers: dict[int, set[int]] = {}
        for person in people:
            if person.office_id is not None and person.holds(Role.SERVICE_MANAGER):
                managers.setdefault(person.office_id, set()).add(person.user_id)
        items = []
        for behind in behind_on_contact(staff, managers, today):
            level = behind.level
            assignees = {officers[staff_id].user_id for staff_id in behind.staff_ids if staff_id in officers}
            for office_id in behind.office_ids:
                assignees |= managers.get(office_id, set())
            if not assignees:
                continue
            days = level.days_behind
            last = f"last contact {level.last_contact:%-d %b %Y}" if level.last_contact else "no contact yet"
            items.append(
                make_item(
                    today=today,
                    due_on=level.next_due,
                    offender=behind.offender,
                    key=f"{self.kind}:{behind.offender.pk}",
                    kind=self.kind,
                    title=f"Behind on contact by {days} day{'s' * (days != 1)}",
                    detail=f"Seen every {level.every_days} days: {last}, due {level.next_due:%-d %b %Y}",
                    url=url_for("appointments:offender", behind.offender.pk),
                    assignee_ids=frozenset(assignees),
                    office_ids=behind.office_ids,
                )
            )
        return items

    def may_see(self, viewer, item):
        return bool(viewer.roles & VIEWING_ROLES)
