import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agencies.models import (
    AgencyStatus,
    Attendance,
    Programme,
    ProgrammeStatus,
    Referral,
    ReferralStatus,
)
from agencies.services import (
    agency_accept,
    agency_discontinue,
    agency_update,
    attendance_record,
    programme_adopt,
    programme_discontinue,
    referral_create,
    referral_transition,
)
from audit.models import AuditAction, AuditEvent
from tests.factories import (
    AgencyFactory,
    OffenderFactory,
    ProgrammeFactory,
    ReferralFactory,
    SentenceFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
# Seed 001 / the referral workflow, with places, the waiting list and outcomes (issue 6): where
# each status may go next. Every other move is refused.
ALLOWED_MOVES = {
    (ReferralStatus.REFERRED, ReferralStatus.WAITING),
    (ReferralStatus.REFERRED, ReferralStatus.ACCEPTED),
    (ReferralStatus.REFERRED, ReferralStatus.ATTENDING),
    (ReferralStatus.REFERRED, ReferralStatus.WITHDRAWN),
    (ReferralStatus.REFERRED, ReferralStatus.DECLINED),
    (ReferralStatus.WAITING, ReferralStatus.ACCEPTED),
    (ReferralStatus.WAITING, ReferralStatus.WITHDRAWN),
    (ReferralStatus.WAITING, ReferralStatus.DECLINED),
    (ReferralStatus.ACCEPTED, ReferralStatus.ATTENDING),
    (ReferralStatus.ACCEPTED, ReferralStatus.NOT_COMPLETED),
    (ReferralStatus.ACCEPTED, ReferralStatus.WITHDRAWN),
    (ReferralStatus.ATTENDING, ReferralStatus.COMPLETED),
    (ReferralStatus.ATTENDING, ReferralStatus.NOT_COMPLETED),
    (ReferralStatus.ATTENDING, ReferralStatus.WITHDRAWN),
}
REFUSED_MOVES = set(itertools.product(ReferralStatus, repeat=2)) - ALLOWED_MOVES


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def manager(admin_support):
    return admin_support


@pytest.fixture
def offender(office):
    return OffenderFactory(home_office=office)


def audit_rows_for(obj) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).order_by("id"))


# --- agencies and programmes -----------------------------------------------------------------------


def test_accepting_an_agency_is_audited(manager):
    agency = agency_accept(
        actor=manager, name="Te Whare Oranga", kind="iwi provider", accepted_on=today() - 10 * DAY
    )

    assert agency.status == AgencyStatus.ACCEPTED
    [row] = audit_rows_for(agency)
    assert row.action == AuditAction.CREATE
    assert row.changes["name"] == [None, "Te Whare Oranga"]


def test_two_agencies_cannot_share_a_name(manager):
    AgencyFactory(name="Te Whare Oranga")

    with pytest.raises(ValidationError) as refused:
        agency_accept(actor=manager, name="Te Whare Oranga", accepted_on=today())

    assert "name" in refused.value.message_dict


def test_changing_an_agency_audits_the_before_and_after(manager):
    agency = AgencyFactory(phone="04 111 1111")

    agency_update(actor=manager, agency=agency, phone="04 222 2222")

    assert audit_rows_for(agency)[-1].changes == {"phone": ["04 111 1111", "04 222 2222"]}


def test_discontinuing_an_agency_discontinues_its_programmes(manager):
    agency = AgencyFactory()
    anger = ProgrammeFactory(agency=agency, name="Anger management")
    budgeting = ProgrammeFactory(agency=agency, name="Budgeting")
    old = ProgrammeFactory(
        agency=agency,
        status=ProgrammeStatus.DISCONTINUED,
        discontinued_on=today() - 100 * DAY,
        discontinued_reason="Funding ended",
    )

    agency_discontinue(actor=manager, agency=agency, on=today(), reason="Contract ended")

    agency.refresh_from_db()
    assert agency.status == AgencyStatus.DISCONTINUED
    assert agency.discontinued_on == today()
    assert agency.discontinued_reason == "Contract ended"
    for programme in (anger, budgeting):
        programme.refresh_from_db()
        assert programme.status == ProgrammeStatus.DISCONTINUED
        assert programme.discontinued_on == today()
        assert programme.discontinued_reason == "Agency discontinued: Contract ended"
        assert audit_rows_for(programme)[-1].changes["status"] == [
            ProgrammeStatus.ADOPTED,
            ProgrammeStatus.DISCONTINUED,
        ]
    old.refresh_from_db()
    assert old.discontinued_reason == "Funding ended", "an earlier discontinuation is left as it was"
    assert old.discontinued_on == today() - 100 * DAY


def test_discontinuing_an_agency_needs_a_reason_and_happens_once(manager):
    agency = AgencyFactory()

    with pytest.raises(ValidationError) as refused:
        agency_discontinue(actor=manager, agency=agency, on=today(), reason=" ")
    assert "discontinued_reason" in refused.value.message_dict
    agency_discontinue(actor=manager, agency=agency, on=today(), reason="Closed")

    with pytest.raises(ValidationError, match="already discontinued"):
        agency_discontinue(actor=manager, agency=agency, on=today(), reason="Closed again")


def test_an_agency_cannot_be_discontinued_before_it_was_accepted(manager):
    agency = AgencyFactory(accepted_on=today() - 10 * DAY)

    with pytest.raises(ValidationError) as refused:
        agency_discontinue(actor=manager, agency=agency, on=today() - 11 * DAY, reason="Closed")

    assert "discontinued_on" in refused.value.message_dict
    agency.refresh_from_db()
    assert agency.status == AgencyStatus.ACCEPTED


def test_an_accepted_agency_adopts_a_programme(manager, office):
    agency = AgencyFactory()

    programme = programme_adopt(
        actor=manager, agency=agency, name="Drug treatment", office=office, adopted_on=today()
    )

    assert programme.status == ProgrammeStatus.ADOPTED
    assert audit_rows_for(programme)[0].changes["name"] == [None, "Drug treatment"]


def test_a_discontinued_agency_cannot_adopt_a_programme(manager):
    agency = AgencyFactory(status=AgencyStatus.DISCONTINUED, discontinued_on=today())

    with pytest.raises(ValidationError) as refused:
        programme_adopt(actor=manager, agency=agency, name="Drug treatment", adopted_on=today())

    assert "agency" in refused.value.message_dict
    assert not Programme.objects.exists()


def test_a_programme_is_discontinued_once_with_a_reason(manager):
    programme = ProgrammeFactory()

    with pytest.raises(ValidationError):
        programme_discontinue(actor=manager, programme=programme, on=today(), reason="")
    programme_discontinue(actor=manager, programme=programme, on=today(), reason="Funding ended")

    with pytest.raises(ValidationError, match="already discontinued"):
        programme_discontinue(actor=manager, programme=programme, on=today(), reason="Again")


# --- referrals -------------------------------------------------------------------------------------


def test_a_referral_starts_as_referred_and_is_audited(probation_officer, offender):
    programme = ProgrammeFactory()

    referral = referral_create(
        actor=probation_officer, offender=offender, programme=programme, referred_on=today() - DAY
    )

    assert referral.status == ReferralStatus.REFERRED
    assert referral.referred_by == probation_officer
    [row] = audit_rows_for(referral)
    assert row.offender_id == offender.pk


def test_an_offender_has_one_open_referral_per_programme(probation_officer, offender):
    programme = ProgrammeFactory()
    first = referral_create(
        actor=probation_officer, offender=offender, programme=programme, referred_on=today()
    )

    with pytest.raises(ValidationError, match="already has an open referral"):
        referral_create(actor=probation_officer, offender=offender, programme=programme, referred_on=today())
    referral_create(
        actor=probation_officer, offender=offender, programme=ProgrammeFactory(), referred_on=today()
    )
    referral_transition(
        actor=probation_officer, referral=first, to_status=ReferralStatus.WITHDRAWN, on=today()
    )
    again = referral_create(
        actor=probation_officer, offender=offender, programme=programme, referred_on=today()
    )

    assert again.status == ReferralStatus.REFERRED
    assert Referral.objects.filter(offender=offender, programme=programme).count() == 2


def test_a_discontinued_programme_takes_no_referrals(probation_officer, offender):
    programme = ProgrammeFactory(status=ProgrammeStatus.DISCONTINUED, discontinued_on=today())

    with pytest.raises(ValidationError) as refused:
        referral_create(actor=probation_officer, offender=offender, programme=programme, referred_on=today())

    assert refused.value.message_dict["programme"] == ["That programme has been discontinued."]


def test_a_referral_cannot_be_dated_in_the_future(probation_officer, offender):
    with pytest.raises(ValidationError) as refused:
        referral_create(
            actor=probation_officer,
            offender=offender,
            programme=ProgrammeFactory(),
            referred_on=today() + DAY,
        )

    assert "referred_on" in refused.value.message_dict


def test_a_referral_cannot_be_under_another_offenders_sentence(probation_officer, offender):
    with pytest.raises(ValidationError) as refused:
        referral_create(
            actor=probation_officer,
            offender=offender,
            programme=ProgrammeFactory(),
            referred_on=today(),
            sentence=SentenceFactory(),
        )

    assert "sentence" in refused.value.message_dict
    assert not Referral.objects.exists()


def referral_in(status: str, **kwargs) -> Referral:
    """A referral in `status`, with the dates that status needs (on the waiting list since, place
    taken on)."""
    since = today() - 15 * DAY
    return ReferralFactory(status=status, waitlisted_on=since, accepted_on=since, **kwargs)


@pytest.mark.parametrize(("from_status", "to_status"), sorted(ALLOWED_MOVES))
def test_a_referral_moves_along_its_workflow(probation_officer, from_status, to_status):
    referral = referral_in(from_status)

    moved = referral_transition(
        actor=probation_officer, referral=referral, to_status=to_status, on=today(), note="Provider update"
    )

    assert moved.status == to_status
    assert moved.status_changed_on == today()
    assert moved.outcome_note == "Provider update"
    assert audit_rows_for(referral)[-1].changes["status"] == [from_status, to_status]


@pytest.mark.parametrize(("from_status", "to_status"), sorted(REFUSED_MOVES))
def test_a_referral_cannot_skip_or_reverse_its_workflow(probation_officer, from_status, to_status):
    referral = referral_in(from_status)

    with pytest.raises(ValidationError, match="cannot become"):
        referral_transition(actor=probation_officer, referral=referral, to_status=to_status, on=today())

    referral.refresh_from_db()
    assert referral.status == from_status


def test_a_referral_cannot_change_status_before_it_was_made(probation_officer):
    referral = ReferralFactory(referred_on=today() - 5 * DAY)

    with pytest.raises(ValidationError):
        referral_transition(
            actor=probation_officer,
            referral=referral,
            to_status=ReferralStatus.WITHDRAWN,
            on=today() - 6 * DAY,
        )


# --- attendance ------------------------------------------------------------------------------------


def test_attending_a_first_session_moves_the_referral_to_attending(probation_officer):
    referral = ReferralFactory(referred_on=today() - 10 * DAY)
    session = today() - 3 * DAY

    attendance = attendance_record(
        actor=probation_officer, referral=referral, session_on=session, attended=True
    )

    assert attendance.attended
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ATTENDING
    assert referral.status_changed_on == session
    assert audit_rows_for(attendance)[0].offender_id == referral.offender_id


def test_a_missed_session_leaves_the_referral_as_referred(probation_officer):
    referral = ReferralFactory(referred_on=today() - 10 * DAY)

    attendance_record(
        actor=probation_officer, referral=referral, session_on=today(), attended=False, note="Did not arrive"
    )

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REFERRED
    assert referral.attendances.get().note == "Did not arrive"


@pytest.mark.parametrize("days_from_today", [-11, 1])
def test_attendance_must_fall_between_the_referral_and_today(probation_officer, days_from_today):
    referral = ReferralFactory(referred_on=today() - 10 * DAY)

    with pytest.raises(ValidationError) as refused:
        attendance_record(
            actor=probation_officer,
            referral=referral,
            session_on=today() + days_from_today * DAY,
            attended=True,
        )

    assert "session_on" in refused.value.message_dict
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "status",
    [
        ReferralStatus.COMPLETED,
        ReferralStatus.NOT_COMPLETED,
        ReferralStatus.WITHDRAWN,
        ReferralStatus.DECLINED,
    ],
)
def test_attendance_is_recorded_only_on_an_open_referral(probation_officer, status):
    referral = ReferralFactory(status=status)

    with pytest.raises(ValidationError, match="open referral"):
        attendance_record(actor=probation_officer, referral=referral, session_on=today(), attended=True)


def test_a_session_is_recorded_once(probation_officer):
    referral = ReferralFactory(referred_on=today() - 10 * DAY)
    attendance_record(
        actor=probation_officer, referral=referral, session_on=today(), attended=False, note="Unwell"
    )
    referral.refresh_from_db()

    with pytest.raises(ValidationError):
        attendance_record(actor=probation_officer, referral=referral, session_on=today(), attended=True)

    assert referral.attendances.count() == 1
