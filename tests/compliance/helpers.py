"""Building enforcement actions for the compliance page, inbox, API and letter tests: unacceptable
failures to attend recorded through the appointments service (so the domain event considers them,
as in use), then the workflow's own services for the later steps."""

import datetime

from django.utils import timezone

from allocation.models import CaseRole
from appointments.services import appointment_create, outcome_record
from compliance.models import EnforcementAction, EnforcementStatus
from compliance.services import breach_approve, enforcement_decide
from staff.access import staff_of
from tests.factories import AllocationFactory, OffenderFactory, SentenceFactory


def supervised(officer_user, office, **names):
    """A person on a supervision sentence at `office`, supervised by the officer."""
    offender = OffenderFactory(home_office=office, **names)
    sentence = SentenceFactory(offender=offender)
    AllocationFactory(
        offender=offender, staff=staff_of(officer_user), sentence=sentence, role=CaseRole.SUPERVISING_OFFICER
    )
    return offender


def fail(officer_user, offender, *, days_ago: float = 1, hour: int = 10) -> EnforcementAction | None:
    """An office visit `days_ago` days ago at `hour` o'clock, failed without an acceptable reason;
    the enforcement action being considered for the person afterwards."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    appointment = appointment_create(
        actor=officer_user,
        offender=offender,
        officer=staff_of(officer_user),
        office=offender.home_office,
        kind="office_visit",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
    )
    outcome_record(actor=officer_user, appointment=appointment, outcome="failed_unacceptable")
    return EnforcementAction.objects.filter(offender=offender, status=EnforcementStatus.CONSIDERED).first()


def action_at(status: str, officer_user, office, *, approver=None, **names) -> EnforcementAction:
    """An action of a new person at `status`, held by the officer (who decides it); a breach is
    approved by `approver`."""
    offender = supervised(officer_user, office, **names)
    action = fail(officer_user, offender, days_ago=3)
    if status == EnforcementStatus.CONSIDERED:
        return action
    if status == EnforcementStatus.WARNING_PREPARED:
        return enforcement_decide(actor=officer_user, action=action, decision="warning")
    action = enforcement_decide(
        actor=officer_user, action=action, decision="breach", note="Second chance refused"
    )
    if status == EnforcementStatus.BREACH_PREPARED:
        return action
    assert status == EnforcementStatus.APPROVED and approver is not None
    return breach_approve(actor=approver, action=action)
