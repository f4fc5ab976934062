"""An attended community work placement counts towards the person's community work order: its
hours are recorded against the order (source "work party outcome") with the outcome, and the
casenote says so."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from appointments.services import outcome_record, outcomes_record_bulk
from conditions.models import CommunityWorkRecord, ConditionKind, WorkSource
from conditions.services import condition_create
from sentences.models import SentenceType
from tests.appointments.conftest import hours_ago
from tests.factories import SentenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sentence(offender):  # the appointments fixtures' officer supervises this one
    start = timezone.localdate() - datetime.timedelta(days=30)
    return SentenceFactory(
        offender=offender, sentence_type=SentenceType.COMMUNITY_WORK, order_date=start, start_date=start
    )


@pytest.fixture
def order(probation_officer, officer, sentence):
    return condition_create(
        actor=probation_officer, sentence=sentence, kind=ConditionKind.COMMUNITY_WORK, hours_ordered=40
    )


def placement(arrange, *, hours: float, ago: float = 8):
    starts = hours_ago(ago)
    return arrange(
        starts,
        kind="community_work",
        ends_at=starts + datetime.timedelta(hours=hours),
        location="Riverside park",
    )


def test_an_attended_placement_records_its_hours_against_the_order(probation_officer, arrange, order):
    appointment = placement(arrange, hours=6.5)

    outcome_record(actor=probation_officer, appointment=appointment, outcome="attended")

    record = CommunityWorkRecord.objects.get(condition=order)
    assert (record.hours, record.source, record.recorded_by) == (
        Decimal("6.5"),
        WorkSource.WORK_PARTY,
        probation_officer,
    )
    assert record.worked_on == timezone.localtime(appointment.starts_at).date()
    appointment.refresh_from_db()
    assert "6.5 hours of community work recorded against the order (33.5 of 40 remaining)." in (
        appointment.casenote.text
    )


def test_a_work_partys_outcomes_record_each_persons_hours_and_no_more_than_the_order_has_left(
    probation_officer, arrange, order
):
    done = placement(arrange, hours=7, ago=48)
    outcome_record(actor=probation_officer, appointment=done, outcome="attended")
    order.hours_ordered = 10
    order.save(update_fields=["hours_ordered"])  # a smaller order: 3 hours left
    today = placement(arrange, hours=8)

    outcomes_record_bulk(actor=probation_officer, outcomes=[(today, "attended_late", "Arrived 9:40am")])

    assert sorted(CommunityWorkRecord.objects.values_list("hours", flat=True)) == [Decimal(3), Decimal(7)]
    today.refresh_from_db()
    assert "3 hours of community work recorded against the order (0 of 10 remaining)." in today.casenote.text


@pytest.mark.parametrize("outcome", ["failed_unacceptable", "failed_acceptable", "cancelled"])
def test_a_placement_not_attended_records_no_hours(probation_officer, arrange, order, outcome):
    appointment = placement(arrange, hours=6)

    outcome_record(actor=probation_officer, appointment=appointment, outcome=outcome, note="Reason")

    assert not CommunityWorkRecord.objects.exists()


def test_without_an_order_in_force_the_outcome_is_recorded_and_says_no_hours_were(probation_officer, arrange):
    appointment = placement(arrange, hours=6)

    outcome_record(actor=probation_officer, appointment=appointment, outcome="attended")

    appointment.refresh_from_db()
    assert appointment.status == "attended"
    assert "No community work order was in force that day: no hours recorded." in appointment.casenote.text
    assert not CommunityWorkRecord.objects.exists()


def test_an_office_visit_records_no_hours(probation_officer, arrange, order):
    outcome_record(actor=probation_officer, appointment=arrange(hours_ago(3)), outcome="attended")

    assert not CommunityWorkRecord.objects.exists()


def test_once_the_first_order_is_worked_the_hours_go_to_the_next_one_in_force(
    probation_officer, arrange, order, sentence
):
    second = condition_create(
        actor=probation_officer, sentence=sentence, kind=ConditionKind.COMMUNITY_WORK, hours_ordered=20
    )
    order.hours_ordered = 7
    order.save(update_fields=["hours_ordered"])
    outcome_record(
        actor=probation_officer, appointment=placement(arrange, hours=7, ago=48), outcome="attended"
    )

    outcome_record(actor=probation_officer, appointment=placement(arrange, hours=6), outcome="attended")

    assert CommunityWorkRecord.objects.get(condition=order).hours == Decimal(7)
    assert CommunityWorkRecord.objects.get(condition=second).hours == Decimal(6)
