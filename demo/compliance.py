"""Demo enforcement (compliance) for the demo probation officer, through the services: besides the
failure to attend being considered that the demo appointments leave (demo.appointments), one person
with a formal warning given for a failure three weeks ago, and one with a warning given five weeks
ago and a second failure this week, whose breach the officer has prepared and the demo service
manager can approve. Deterministic for the same data and `today`; seeding again adds nothing."""

import datetime
from collections import Counter

from django.contrib.auth import get_user_model

from allocation.models import CaseAllocation
from appointments.services import ZONE, appointment_create, outcome_record
from compliance.models import EnforcementAction, EnforcementStatus
from compliance.rules import rules_in_force
from compliance.services import enforcement_decide, supervised_sentence, warning_issue
from staff.demo_logins import demo_username
from staff.roles import Role

DAY = datetime.timedelta(days=1)


def _fail(officer_user, offender, day: datetime.date, hour: int) -> EnforcementAction | None:
    starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZONE)
    appointment = appointment_create(
        actor=officer_user,
        offender=offender,
        officer=officer_user.staff,
        office=officer_user.staff.office,
        kind="office_visit",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=45),
        location="Interview room 1",
    )
    outcome_record(
        actor=officer_user, appointment=appointment, outcome="failed_unacceptable", note="No contact."
    )
    return EnforcementAction.objects.filter(offender=offender, status=EnforcementStatus.CONSIDERED).first()


def _warned(officer_user, offender, failed: datetime.date) -> None:
    action = _fail(officer_user, offender, failed, 11)
    action = enforcement_decide(actor=officer_user, action=action, decision="warning")
    warning_issue(actor=officer_user, action=action, issued_on=failed + 2 * DAY)


def seed_compliance(*, today: datetime.date) -> Counter:
    made: Counter = Counter()
    officer_user = get_user_model().objects.filter(username=demo_username(Role.PROBATION_OFFICER)).first()
    if officer_user is None or not hasattr(officer_user, "staff"):
        return made
    officer = officer_user.staff
    held = EnforcementAction.objects.filter(officer=officer)
    if held.exclude(status=EnforcementStatus.CONSIDERED).exists():
        return made  # seeded already
    taken = set(held.values_list("offender_id", flat=True))
    # People with a community sentence or order to lay a breach of, and no enforcement yet.
    people = [
        allocation.offender
        for allocation in CaseAllocation.objects.current()
        .filter(staff=officer)
        .select_related("offender")
        .order_by("offender__prn")[:40]
        if allocation.offender_id not in taken
        and supervised_sentence(allocation.offender_id, today - 40 * DAY)
    ]
    if len(people) < 2 or rules_in_force(today - 40 * DAY) is None:
        return made  # no rules in force: no failure is considered for enforcement
    warned, breached = people[0], people[1]
    _warned(officer_user, warned, today - 21 * DAY)
    made["formal warnings given"] += 1
    _warned(officer_user, breached, today - 35 * DAY)
    action = _fail(officer_user, breached, today - 4 * DAY, 14)
    enforcement_decide(actor=officer_user, action=action, decision="breach")
    made["breaches waiting for approval"] += 1
    return made
