"""The allocation app's work in the inbox (inbox.sources gathers it): open allocate requests, for
whoever works the office's queue (allocation.access)."""

import datetime

from allocation.access import PRISON_MANAGING_ROLES
from allocation.models import AllocateRequest, AllocateRequestKind
from ioms.read_models import InboxSource, Person, make_item, pools, url_for
from staff.models import OfficeKind
from staff.roles import Role


class AllocateRequestSource(InboxSource):
    """Seed 002: an open allocate request waits in its office's queue for a service manager of
    that office; in a prison's queue its senior officers work it too
    (allocation.access.can_work_queue). Due: the request's own date, set when it was raised
    (within ALLOCATE_WITHIN_DAYS, or before the start or release for a pre-allocation)."""

    kind = "allocate_request"
    label = "Allocate requests"

    @staticmethod
    def _works_queue(person: Person) -> bool:
        if person.holds(Role.SERVICE_MANAGER):
            return True
        return person.office_kind == OfficeKind.PRISON and person.holds(*PRISON_MANAGING_ROLES)

    def items_for(self, people, today):
        queues = pools(people, self._works_queue)
        if not queues:
            return []
        requests = (
            AllocateRequest.objects.open()
            .filter(office_id__in=list(queues))
            .select_related("offender", "office", "sentence")
        )
        items = []
        for request in requests:
            for_prison = request.office.kind == OfficeKind.PRISON
            detail = request.get_kind_display()
            if request.kind == AllocateRequestKind.PRE_RELEASE and request.sentence is not None:
                release = _next_release(request.sentence, today)
                if release:
                    detail = f"{detail}: release on {release:%-d %b %Y}"
            items.append(
                make_item(
                    today=today,
                    due_on=request.due_on,
                    offender=request.offender,
                    key=f"{self.kind}:{request.pk}",
                    kind=self.kind,
                    title="Allocate an offender supervisor" if for_prison else "Allocate a probation officer",
                    detail=f"{detail} ({request.office.name})",
                    url=url_for("allocation:request", request.pk),
                    assignee_ids=frozenset(queues[request.office_id]),
                    office_ids=frozenset({request.office_id}),
                    produced_at=request.received_at,
                )
            )
        return items

    def may_see(self, viewer, item):
        if viewer.holds(Role.SYSTEM_ADMIN):
            return True
        return viewer.office_id in item.office_ids and self._works_queue(viewer)


def _next_release(sentence, today: datetime.date) -> datetime.date | None:
    """The next parole hearing or statutory release still to come (as allocation.requests)."""
    dates = [day for day in (sentence.parole_hearing_date, sentence.statutory_release_date) if day]
    coming = [day for day in dates if day >= today]
    return min(coming) if coming else None
