"""Programme places (issue 6): a referral takes a place when accepted (or on its first session),
accepting beyond the programme's capacity is refused, the waiting list is served in order, and
attendance is attended, absent with a reason, or excused."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from agencies.models import Attendance, AttendanceOutcome, Referral, ReferralStatus
from agencies.services import attendance_record, places_taken, programme_update, referral_transition
from casenotes.models import Casenote
from tests.factories import OffenderFactory, ProgrammeFactory, ReferralFactory

DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def referred(programme, days_ago: int = 20) -> Referral:
    return ReferralFactory(programme=programme, referred_on=today() - days_ago * DAY)


def move(actor, referral, to_status, on=None, **kwargs) -> Referral:
    return referral_transition(
        actor=actor, referral=referral, to_status=to_status, on=on or today(), **kwargs
    )


@pytest.mark.django_db
class TestPlaces:
    def test_accepting_takes_a_place_and_says_so_in_the_casenotes(self, service_manager):
        programme = ProgrammeFactory(name="Tikanga Māori", capacity=2)
        referral = referred(programme)

        accepted = move(service_manager, referral, ReferralStatus.ACCEPTED, starts_on=today() + 7 * DAY)

        assert (accepted.accepted_on, accepted.starts_on) == (today(), today() + 7 * DAY)
        assert places_taken(programme) == 1
        [note] = Casenote.objects.filter(offender=referral.offender)
        assert note.summary == "Accepted onto Tikanga Māori: place taken"
        assert "Starts on" in note.text

    def test_accepting_beyond_the_capacity_is_refused_with_a_clear_error(self, service_manager):
        programme = ProgrammeFactory(name="Tikanga Māori", capacity=1)
        move(service_manager, referred(programme), ReferralStatus.ACCEPTED)
        second = referred(programme)

        with pytest.raises(ValidationError) as refused:
            move(service_manager, second, ReferralStatus.ACCEPTED)

        assert refused.value.message_dict["to_status"] == [
            "Tikanga Māori has no free place: all 1 places are taken. Put the referral on the waiting "
            "list until a place comes free."
        ]
        second.refresh_from_db()
        assert second.status == ReferralStatus.REFERRED
        assert places_taken(programme) == 1

    def test_a_first_session_on_a_full_programme_is_refused_too(self, service_manager):
        programme = ProgrammeFactory(capacity=1)
        move(service_manager, referred(programme), ReferralStatus.ATTENDING)
        second = referred(programme)

        with pytest.raises(ValidationError, match="no free place"):
            attendance_record(actor=service_manager, referral=second, session_on=today(), attended=True)

        assert not Attendance.objects.filter(referral=second).exists()

    def test_a_programme_without_a_capacity_takes_everyone(self, service_manager):
        programme = ProgrammeFactory(capacity=None)
        for _ in range(3):
            move(service_manager, referred(programme), ReferralStatus.ACCEPTED)

        assert places_taken(programme) == 3

    def test_a_freed_place_goes_to_the_first_on_the_waiting_list(self, service_manager):
        programme = ProgrammeFactory(capacity=1)
        holder = referred(programme)
        move(service_manager, holder, ReferralStatus.ACCEPTED)
        first, second, late = referred(programme), referred(programme), referred(programme)
        move(service_manager, second, ReferralStatus.WAITING, on=today() - 3 * DAY)
        move(service_manager, first, ReferralStatus.WAITING, on=today() - 5 * DAY)

        move(service_manager, holder, ReferralStatus.WITHDRAWN)
        with pytest.raises(ValidationError) as jumped:
            move(service_manager, second, ReferralStatus.ACCEPTED)
        with pytest.raises(ValidationError):
            move(service_manager, late, ReferralStatus.ACCEPTED)
        move(service_manager, first, ReferralStatus.ACCEPTED)

        message = jumped.value.message_dict["to_status"][0]
        assert message.startswith("Another referral has been on the waiting list since")
        assert "first on the waiting list" in message
        assert list(Referral.objects.filter(programme=programme, status__in=["accepted"])) == [first]

    def test_the_capacity_cannot_fall_below_the_places_taken(self, service_manager):
        programme = ProgrammeFactory(capacity=3)
        for _ in range(2):
            move(service_manager, referred(programme), ReferralStatus.ACCEPTED)

        with pytest.raises(ValidationError) as refused:
            programme_update(actor=service_manager, programme=programme, capacity=1)

        assert refused.value.message_dict["capacity"] == [
            "2 places are taken now: the capacity cannot be less than that."
        ]
        programme_update(actor=service_manager, programme=programme, capacity=2)

    def test_a_referral_on_the_waiting_list_records_no_sessions(self, service_manager):
        referral = referred(ProgrammeFactory(capacity=1))
        move(service_manager, referral, ReferralStatus.WAITING)

        with pytest.raises(ValidationError, match="waiting list"):
            attendance_record(actor=service_manager, referral=referral, session_on=today(), attended=True)


@pytest.mark.django_db
class TestAttendance:
    def test_a_session_is_attended_absent_with_a_reason_or_excused(self, service_manager):
        referral = referred(ProgrammeFactory())

        attendance_record(
            actor=service_manager, referral=referral, session_on=today() - 2 * DAY, attended=True
        )
        with pytest.raises(ValidationError) as refused:
            attendance_record(
                actor=service_manager, referral=referral, session_on=today() - DAY, attended=False
            )
        attendance_record(
            actor=service_manager, referral=referral, session_on=today() - DAY, attended=False, note="No bus"
        )
        attendance_record(
            actor=service_manager,
            referral=referral,
            session_on=today(),
            attended=False,
            excused=True,
            note="Hospital appointment",
        )

        assert refused.value.message_dict == {"note": ["Say why the offender was absent."]}
        assert [row.outcome for row in referral.attendances.order_by("session_on")] == [
            AttendanceOutcome.ATTENDED,
            AttendanceOutcome.ABSENT,
            AttendanceOutcome.EXCUSED,
        ]
        # An unexcused absence is a matter of compliance: the officers on the case read it.
        assert list(
            Casenote.objects.filter(offender=referral.offender).values_list("summary", flat=True)
        ) == [f"Absent from {referral.programme.name} on {today() - DAY:%-d %b %Y}"]

    def test_an_offender_who_attended_is_not_excused(self, service_manager):
        referral = referred(ProgrammeFactory())

        with pytest.raises(ValidationError) as refused:
            attendance_record(
                actor=service_manager, referral=referral, session_on=today(), attended=True, excused=True
            )

        assert "excused" in refused.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_the_last_place_at_once_exactly_one_gets_it(role_user):
    from staff.roles import Role

    first_manager = role_user(Role.SERVICE_MANAGER, username="manager.one")
    second_manager = role_user(Role.SERVICE_MANAGER, username="manager.two")
    programme = ProgrammeFactory(capacity=1)
    referrals = [
        ReferralFactory(programme=programme, offender=OffenderFactory(), referred_on=today() - 5 * DAY)
        for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def accept(manager, referral):
        try:
            barrier.wait(timeout=10)
            move(manager, Referral(pk=referral.pk), ReferralStatus.ACCEPTED)
            results[referral.pk] = "ok"
        except ValidationError as error:
            results[referral.pk] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(manager, referral))
        for manager, referral in zip((first_manager, second_manager), referrals, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    outcomes = sorted(results.values(), key=lambda value: value != "ok")
    assert outcomes[0] == "ok"
    assert isinstance(outcomes[1], ValidationError)
    assert "no free place" in outcomes[1].messages[0]
    assert places_taken(programme) == 1
