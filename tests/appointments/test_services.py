import datetime

import pytest
from django.core.exceptions import ValidationError

from appointments.models import Appointment, AppointmentStatus, AppointmentTransition
from appointments.services import (
    appointment_change,
    appointment_reschedule,
    outcome_record,
    outcomes_record_bulk,
    series_create,
)
from audit.models import AuditEvent
from casenotes.models import Casenote, CasenoteType
from tests.appointments.conftest import NZ, hours_ago, nz
from tests.factories import OffenderFactory

pytestmark = pytest.mark.django_db


def weekly(actor, officer, offender, office, **overrides):
    values = {
        "actor": actor,
        "offender": offender,
        "officer": officer,
        "office": office,
        "kind": "office_visit",
        "starts_at": nz(2027, 3, 22, 10),  # a Monday, a fortnight before daylight saving ends
        "ends_at": nz(2027, 3, 22, 10, 45),
        "frequency": "weekly",
        "occurrences": 4,
        "location": "Interview room 2",
    }
    values.update(overrides)
    return series_create(**values)


def test_a_weekly_series_keeps_its_wall_clock_time_across_daylight_saving(
    probation_officer, officer, offender, office
):
    series = weekly(probation_officer, officer, offender, office)

    rows = list(series.appointments.order_by("starts_at"))
    assert [row.starts_at.astimezone(NZ).date() for row in rows] == [
        datetime.date(2027, 3, 22),
        datetime.date(2027, 3, 29),
        datetime.date(2027, 4, 5),
        datetime.date(2027, 4, 12),
    ]
    assert {row.starts_at.astimezone(NZ).time() for row in rows} == {datetime.time(10, 0)}
    # Daylight saving ends on 4 April 2027: the UTC offset changes, the local time does not.
    assert rows[0].starts_at.astimezone(NZ).utcoffset() == datetime.timedelta(hours=13)
    assert rows[2].starts_at.astimezone(NZ).utcoffset() == datetime.timedelta(hours=12)
    assert {row.ends_at - row.starts_at for row in rows} == {datetime.timedelta(minutes=45)}
    assert {row.status for row in rows} == {AppointmentStatus.SCHEDULED}
    assert AppointmentTransition.objects.filter(appointment__series=series, from_status="").count() == 4


def test_a_series_until_a_date_every_n_days(probation_officer, officer, offender, office):
    series = weekly(
        probation_officer,
        officer,
        offender,
        office,
        frequency="every_n_days",
        every_days=3,
        occurrences=None,
        until=datetime.date(2027, 4, 1),
    )

    days = [row.starts_at.astimezone(NZ).day for row in series.appointments.order_by("starts_at")]
    assert days == [22, 25, 28, 31]


def test_a_fortnightly_series_and_a_series_without_an_end_is_refused(
    probation_officer, officer, offender, office
):
    series = weekly(probation_officer, officer, offender, office, frequency="fortnightly", occurrences=3)
    assert [row.starts_at.astimezone(NZ).day for row in series.appointments.order_by("starts_at")] == [
        22,
        5,
        19,
    ]

    with pytest.raises(ValidationError, match="Say when the series ends"):
        weekly(probation_officer, officer, offender, office, occurrences=None)
    assert Appointment.objects.count() == 3


def test_changing_one_appointment_leaves_the_rest_of_the_series(probation_officer, officer, offender, office):
    series = weekly(probation_officer, officer, offender, office)
    first, second, *rest = series.appointments.order_by("starts_at")

    appointment_change(
        actor=probation_officer,
        appointment=second,
        starts_at=nz(2027, 3, 30, 14),
        ends_at=nz(2027, 3, 30, 15),
        location="Home visit address",
        notes="",
        officer=officer,
    )

    second.refresh_from_db()
    assert second.starts_at == nz(2027, 3, 30, 14)
    assert [row.starts_at.astimezone(NZ).hour for row in rest] == [10, 10]
    assert Appointment.objects.get(pk=rest[0].pk).location == "Interview room 2"


def test_changing_the_rest_of_the_series_moves_each_later_appointment_to_the_new_time(
    probation_officer, officer, offender, office
):
    series = weekly(probation_officer, officer, offender, office)
    first, second, third, fourth = series.appointments.order_by("starts_at")

    changed = appointment_change(
        actor=probation_officer,
        appointment=second,
        starts_at=nz(2027, 3, 30, 14),  # a day later, in the afternoon
        ends_at=nz(2027, 3, 30, 14, 30),
        location="Room 5",
        notes="Bring the timesheet",
        officer=officer,
        apply_to_following=True,
    )

    assert [row.pk for row in changed] == [second.pk, third.pk, fourth.pk]
    rows = list(series.appointments.order_by("starts_at"))
    assert [row.starts_at.astimezone(NZ) for row in rows] == [
        nz(2027, 3, 22, 10),
        nz(2027, 3, 30, 14),
        nz(2027, 4, 6, 14),
        nz(2027, 4, 13, 14),
    ]
    assert [row.location for row in rows] == ["Interview room 2", "Room 5", "Room 5", "Room 5"]
    assert AuditEvent.objects.filter(object_type="appointments.Appointment", action="update").count() == 3


def test_rescheduling_keeps_the_old_appointment_pointing_to_the_new(
    probation_officer, officer, offender, office
):
    series = weekly(probation_officer, officer, offender, office)
    second = series.appointments.order_by("starts_at")[1]

    new = appointment_reschedule(
        actor=probation_officer,
        appointment=second,
        starts_at=nz(2027, 3, 31, 9),
        ends_at=nz(2027, 3, 31, 9, 45),
        reason="Offender has a court date",
    )

    second.refresh_from_db()
    assert second.status == AppointmentStatus.RESCHEDULED
    assert second.rescheduled_to == new
    assert second.outcome_note == "Offender has a court date"
    assert new.series == series and new.status == AppointmentStatus.SCHEDULED
    assert new.location == "Interview room 2"
    assert series.appointments.count() == 5
    note = second.casenote
    assert note.note_type == CasenoteType.ACTION
    assert "Offender has a court date" in note.text and "31 Mar 2027 at 9:00 am" in note.text
    step = second.transitions.get(to_status=AppointmentStatus.RESCHEDULED)
    assert (step.from_status, step.actor, step.comment) == (
        "scheduled",
        probation_officer,
        "Offender has a court date",
    )


def test_rescheduling_needs_a_reason_and_a_scheduled_appointment(probation_officer, arrange):
    appointment = arrange(nz(2027, 5, 3, 10))
    with pytest.raises(ValidationError, match="Say why"):
        appointment_reschedule(
            actor=probation_officer,
            appointment=appointment,
            starts_at=nz(2027, 5, 4, 10),
            ends_at=nz(2027, 5, 4, 11),
            reason=" ",
        )
    outcome_record(actor=probation_officer, appointment=appointment, outcome="cancelled", note="Officer sick")
    with pytest.raises(ValidationError, match="already cancelled"):
        appointment_reschedule(
            actor=probation_officer,
            appointment=appointment,
            starts_at=nz(2027, 5, 4, 10),
            ends_at=nz(2027, 5, 4, 11),
            reason="Again",
        )
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("outcome", "note", "note_type", "summary"),
    [
        ("attended", "", CasenoteType.CONTACT, "Office visit: attended"),
        ("attended_late", "20 minutes late, bus", CasenoteType.CONTACT, "Office visit: attended late"),
        (
            "failed_acceptable",
            "Hospital admission letter seen",
            CasenoteType.CONTACT,
            "Office visit: failed to attend, acceptable",
        ),
        ("failed_unacceptable", "", CasenoteType.CONTACT, "Office visit: failed to attend, unacceptable"),
        (
            "cancelled",
            "Office closed for a fire drill",
            CasenoteType.ACTION,
            "Office visit: cancelled by staff",
        ),
    ],
)
def test_each_outcome_writes_its_casenote(
    probation_officer, arrange, offender, outcome, note, note_type, summary
):
    appointment = arrange(hours_ago(2))

    outcome_record(actor=probation_officer, appointment=appointment, outcome=outcome, note=note)

    appointment.refresh_from_db()
    assert appointment.status == outcome
    # (An unacceptable failure also starts enforcement, with its own casenote: tests/compliance.)
    casenote = Casenote.objects.exclude(summary__startswith="Enforcement").get(offender=offender)
    assert appointment.casenote == casenote
    assert (casenote.note_type, casenote.summary, casenote.author) == (note_type, summary, probation_officer)
    assert note in casenote.text and "Interview room 2" in casenote.text
    if note_type == CasenoteType.CONTACT:
        assert casenote.contact_on == appointment.starts_at
    assert appointment.transitions.filter(to_status=outcome, actor=probation_officer).exists()
    assert AuditEvent.objects.filter(object_id=str(appointment.pk), action="update").exists()


def test_an_acceptable_failure_needs_its_evidence(probation_officer, arrange):
    appointment = arrange(hours_ago(2))
    with pytest.raises(ValidationError, match="evidence"):
        outcome_record(actor=probation_officer, appointment=appointment, outcome="failed_acceptable", note="")
    appointment.refresh_from_db()
    assert appointment.status == "scheduled"
    assert not Casenote.objects.exists()


def test_attendance_is_not_recorded_before_the_appointment(probation_officer, arrange):
    appointment = arrange(hours_ago(-2))
    with pytest.raises(ValidationError, match="not started yet"):
        outcome_record(actor=probation_officer, appointment=appointment, outcome="attended")
    assert not Casenote.objects.exists()


def test_an_outcome_is_recorded_once(probation_officer, arrange):
    appointment = arrange(hours_ago(2))
    outcome_record(actor=probation_officer, appointment=appointment, outcome="attended")
    with pytest.raises(ValidationError, match="already attended"):
        outcome_record(actor=probation_officer, appointment=appointment, outcome="failed_unacceptable")
    assert Casenote.objects.count() == 1


def test_bulk_outcomes_for_a_work_party(probation_officer, officer, office, arrange):
    start = hours_ago(3)
    others = [OffenderFactory(home_office=office) for _ in range(3)]
    party = [
        arrange(start, offender=offender, kind="community_work", location="Riverside planting")
        for offender in others
    ]

    outcomes_record_bulk(
        actor=probation_officer,
        outcomes=[
            (party[0], "attended", ""),
            (party[1], "attended_late", "Arrived 10:30"),
            (party[2], "failed_unacceptable", "No contact"),
        ],
    )

    assert [Appointment.objects.get(pk=a.pk).status for a in party] == [
        "attended",
        "attended_late",
        "failed_unacceptable",
    ]
    # One casenote per outcome, and the enforcement considered for the unacceptable failure.
    summaries = sorted(Casenote.objects.filter(offender__in=others).values_list("summary", flat=True))
    assert len(summaries) == 4 and summaries[0] == "Community work placement: attended"
    assert "Enforcement being considered" in summaries


def test_bulk_outcomes_are_all_or_nothing(probation_officer, office, arrange):
    start = hours_ago(3)
    party = [
        arrange(
            start, offender=OffenderFactory(home_office=office, family_name=name), kind="programme_session"
        )
        for name in ("Ahern", "Brown")
    ]

    with pytest.raises(ValidationError, match="BROWN"):
        outcomes_record_bulk(
            actor=probation_officer,
            outcomes=[(party[0], "attended", ""), (party[1], "failed_acceptable", "")],
        )

    assert {Appointment.objects.get(pk=a.pk).status for a in party} == {"scheduled"}
    assert not Casenote.objects.exists()


def test_times_must_be_aware_and_end_after_start(arrange):
    with pytest.raises(ValueError):
        arrange(datetime.datetime(2027, 5, 3, 10))
    with pytest.raises(ValidationError, match="end after it starts"):
        arrange(nz(2027, 5, 3, 10), ends_at=nz(2027, 5, 3, 9))
