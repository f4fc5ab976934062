"""The first appointment after allocation, due within the time the sentence type sets (data), in
the officer's inbox until one is arranged."""

import datetime

import pytest
from django.utils import timezone

from allocation.models import CaseRole
from appointments.models import FirstAppointmentRule
from appointments.services import ZONE
from inbox.selectors import inbox_of, person_of
from staff.roles import Role
from tests.appointments.conftest import hours_ago
from tests.factories import AllocationFactory, OffenderFactory, SentenceFactory, staff_user

pytestmark = pytest.mark.django_db


def items(user):
    me = person_of(user)
    today = timezone.localdate()
    return [
        row.item
        for row in inbox_of(me, viewer=me, today=today).rows
        if row.item.kind == "first_appointment" and not row.escalated
    ]


def allocate(office, officer, sentence_type, days_ago):
    offender = OffenderFactory(home_office=office)
    sentence = SentenceFactory(offender=offender, sentence_type=sentence_type)
    AllocationFactory(
        offender=offender,
        staff=officer.staff,
        sentence=sentence,
        role=CaseRole.SUPERVISING_OFFICER,
        started_on=timezone.localdate(timezone=ZONE) - datetime.timedelta(days=days_ago),
    )
    return offender


def test_intensive_supervision_is_due_within_72_hours(office):
    officer = staff_user(Role.PROBATION_OFFICER, office)
    offender = allocate(office, officer, "intensive_supervision", days_ago=1)

    [item] = items(officer)

    assert item.offender_id == offender.pk
    assert item.title == "Arrange the first appointment"
    assert item.due_on == timezone.localdate(timezone=ZONE) + datetime.timedelta(days=2)
    assert "within 72 hours" in item.detail
    assert not item.overdue


def test_overdue_until_an_appointment_is_arranged(office, arrange_for):
    officer = staff_user(Role.PROBATION_OFFICER, office)
    offender = allocate(office, officer, "home_detention", days_ago=5)

    [item] = items(officer)
    assert item.overdue and item.days_overdue == 3

    arrange_for(officer, offender, hours_ago(-24))
    assert items(officer) == []


def test_the_time_is_data(office):
    officer = staff_user(Role.PROBATION_OFFICER, office)
    allocate(office, officer, "intensive_supervision", days_ago=2)
    FirstAppointmentRule.objects.create(
        sentence_type="intensive_supervision",
        within_hours=24,
        effective_from=timezone.localdate() - datetime.timedelta(days=30),
    )

    [item] = items(officer)
    assert "within 24 hours" in item.detail and item.overdue


def test_other_staff_do_not_see_it(office):
    officer = staff_user(Role.PROBATION_OFFICER, office)
    allocate(office, officer, "intensive_supervision", days_ago=1)
    assert items(staff_user(Role.PROBATION_OFFICER, office)) == []
    assert items(staff_user(Role.SERVICE_MANAGER, office)) == []


@pytest.fixture
def arrange_for(office):
    from appointments.services import appointment_create

    def make(user, offender, starts_at):
        return appointment_create(
            actor=user,
            offender=offender,
            officer=user.staff,
            office=office,
            kind="office_visit",
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1),
        )

    return make


def test_an_appointment_from_the_first_moment_of_the_allocations_day_counts_and_one_before_does_not(
    office,
):
    """The day is New Zealand's: 00:00 on the allocation's day arranges it, 23:59 the day before
    does not."""
    from appointments.models import Appointment, AppointmentStatus

    officer = staff_user(Role.PROBATION_OFFICER, office)
    offender = allocate(office, officer, "home_detention", days_ago=2)
    midnight = datetime.datetime.combine(
        timezone.localdate(timezone=ZONE) - datetime.timedelta(days=2), datetime.time(), tzinfo=ZONE
    )

    def appointment_at(starts_at):
        return Appointment.objects.create(
            offender=offender,
            officer=officer.staff,
            office=office,
            kind="office_visit",
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=30),
            status=AppointmentStatus.ATTENDED,
        )

    appointment_at(midnight - datetime.timedelta(minutes=1))
    assert [item.offender_id for item in items(officer)] == [offender.pk]
    appointment_at(midnight)
    assert items(officer) == []


def test_whether_one_is_arranged_is_read_from_the_persons_appointments_since_the_allocation():
    """`starts_at` itself is compared, so the probe can be a range of the (offender, starts_at)
    index: with a million appointments the team inbox's probes read every appointment of each
    person to work out its date (126 ms for 473 new cases; 19 ms as a range). A test table is too
    small for the planner to prefer that index, so the comparison is what is checked."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from appointments.selectors import first_appointments_due

    with CaptureQueriesContext(connection) as captured:
        first_appointments_due([1], timezone.localdate())
    statement = next(query["sql"] for query in captured.captured_queries if "allocation" in query["sql"])
    with connection.cursor() as cursor:
        # A test's few rows would be read whole more cheaply than by any index: price that out.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {statement}")
        lines = [line for (line,) in cursor.fetchall()]
    [probe] = [n for n, line in enumerate(lines) if "on appointments_appointment" in line]
    conditions = " ".join(lines[probe + 1 : probe + 3])
    assert "starts_at >= ((allocation_caseallocation.started_on)" in conditions, "\n".join(lines)
