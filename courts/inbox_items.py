"""The courts app's work in the inbox (inbox.sources gathers it): data-correction requests to send to
the courts and follow up, for the administrative support of the office that follows them up
(courts.access)."""

import datetime

from django.db.models import Q

from courts.access import CORRECTION_RAISING_ROLES
from courts.models import CorrectionRequest, CorrectionStatus
from ioms.read_models import InboxSource, local_day, make_item, pools, url_for
from staff.roles import Role

# An open request is sent to the courts within 2 days; one sent is followed up after 20 days
# without the courts' correction.
CORRECTION_SEND_DAYS = 2
CORRECTION_FOLLOW_UP_DAYS = 20


class CorrectionRequestSource(InboxSource):
    """Seed 000: staff ask MoJ (Courts) to correct their data; the administrative staff of the
    office that follows the request up send it and chase it (courts.access.can_handle_correction:
    administrative support and service managers of that office, here its administrative support;
    a request placed in no office: the system administrators). Open: send it, due
    CORRECTION_SEND_DAYS after it was raised. Sent: follow it up, due CORRECTION_FOLLOW_UP_DAYS
    after it was sent, until the courts' correction arrives or it is withdrawn."""

    kind = "correction_request"
    label = "Correction requests"

    def items_for(self, people, today):
        clerks = pools(people, lambda person: person.holds(Role.ADMIN_SUPPORT))
        national = {person.user_id for person in people if person.holds(Role.SYSTEM_ADMIN)}
        if not clerks and not national:
            return []
        placed = Q(office_id__in=list(clerks))
        if national:
            placed |= Q(office__isnull=True)
        rows = (
            CorrectionRequest.objects.filter(status__in=[CorrectionStatus.OPEN, CorrectionStatus.SENT])
            .filter(placed)
            .select_related("offender")
            .order_by("raised_at", "pk")
        )
        items = []
        for request in rows:
            assignees = national if request.office_id is None else clerks.get(request.office_id, set())
            if not assignees:
                continue
            if request.status == CorrectionStatus.OPEN:
                title = f"Send correction request {request.reference} to the courts"
                due_on = local_day(request.raised_at) + datetime.timedelta(days=CORRECTION_SEND_DAYS)
            else:
                title = f"Follow up correction request {request.reference} with the courts"
                due_on = local_day(request.sent_at or request.raised_at) + datetime.timedelta(
                    days=CORRECTION_FOLLOW_UP_DAYS
                )
            items.append(
                make_item(
                    today=today,
                    due_on=due_on,
                    offender=request.offender,
                    key=f"{self.kind}:{request.pk}:{request.status}",
                    kind=self.kind,
                    title=title,
                    detail=request.what_is_wrong[:300],
                    url=url_for("courts:correction_detail", request.pk),
                    assignee_ids=frozenset(assignees),
                    office_ids=frozenset({request.office_id}) if request.office_id else frozenset(),
                    produced_at=request.raised_at,
                )
            )
        return items

    def may_see(self, viewer, item):
        return viewer.holds(*CORRECTION_RAISING_ROLES)
