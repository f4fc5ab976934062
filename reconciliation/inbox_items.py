"""The reconciliation app's work in the inbox (inbox.sources gathers it): exceptions to reconcile,
for whoever holds them or, unheld, the office's administrative support
(reconciliation.access)."""

import datetime

from django.db.models import Q

from ioms.read_models import InboxSource, Person, local_day, make_item, pools, url_for
from reconciliation.access import OFFICE_WORKER_ROLES
from reconciliation.models import DataException, ExceptionStatus
from staff.roles import Role

# The working target for reconciling an exception: a week from when it was raised (5 days).
EXCEPTION_RECONCILE_DAYS = 5


def _works_exceptions_of(person: Person, office_id: int | None) -> bool:
    """reconciliation.access.can_work_exception."""
    if person.holds(Role.SYSTEM_ADMIN):
        return True
    return office_id is not None and person.holds(*OFFICE_WORKER_ROLES) and person.office_id == office_id


class DataExceptionSource(InboxSource):
    """Seed 001: an open or in-progress exception is work for whoever holds it (while they may still
    reconcile it, reconciliation.access.can_work_exception); one nobody holds is work for the
    office's administrative support, and one placed in no office for the system administrators.
    An exception waiting for a correction from the courts is followed up as the correction
    request (CorrectionRequestSource). Due: EXCEPTION_RECONCILE_DAYS after it was raised."""

    kind = "exception"
    label = "Exceptions to reconcile"

    def items_for(self, people, today):
        by_user = {person.user_id: person for person in people}
        clerks = pools(people, lambda person: person.holds(Role.ADMIN_SUPPORT))
        national = {person.user_id for person in people if person.holds(Role.SYSTEM_ADMIN)}
        unheld = Q(office_id__in=list(clerks))
        if national:
            unheld |= Q(office__isnull=True)
        rows = (
            DataException.objects.filter(status__in=[ExceptionStatus.OPEN, ExceptionStatus.IN_PROGRESS])
            .filter(Q(assignee_id__in=list(by_user)) | (Q(assignee__isnull=True) & unheld))
            .select_related("offender")
            .order_by("opened_at", "pk")
        )
        items = []
        for exception in rows:
            holder = by_user.get(exception.assignee_id)
            if holder is not None and _works_exceptions_of(holder, exception.office_id):
                assignees = {holder.user_id}
            elif exception.office_id is None:
                assignees = national
            else:
                assignees = clerks.get(exception.office_id, set())
            if not assignees:
                continue
            status = "" if exception.status == ExceptionStatus.OPEN else f"{exception.get_status_display()}: "
            items.append(
                make_item(
                    today=today,
                    due_on=local_day(exception.opened_at) + datetime.timedelta(days=EXCEPTION_RECONCILE_DAYS),
                    offender=exception.offender,
                    key=f"{self.kind}:{exception.pk}",
                    kind=self.kind,
                    title=f"Reconcile: {exception.get_reason_code_display()}",
                    detail=f"{status}{exception.detail}"[:300],
                    url=url_for("reconciliation:detail", exception.pk),
                    assignee_ids=frozenset(assignees),
                    office_ids=frozenset({exception.office_id}) if exception.office_id else frozenset(),
                    produced_at=exception.opened_at,
                )
            )
        return items

    def may_see(self, viewer, item):
        office_id = next(iter(item.office_ids), None)
        return _works_exceptions_of(viewer, office_id)
