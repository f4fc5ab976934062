"""Agencies, programmes and referrals go through the one workflow mechanism: each step is refused
when someone else moved the record first (nothing changes: status, transition rows, audit rows),
the allowed-transitions maps are enforced, and every step — the first status too — is a row."""

import datetime

import pytest
from django.utils import timezone

from agencies.models import (
    AGENCY_WORKFLOW,
    PROGRAMME_WORKFLOW,
    REFERRAL_WORKFLOW,
    Agency,
    AgencyStatus,
    AgencyTransition,
    Programme,
    ProgrammeStatus,
    ProgrammeTransition,
    Referral,
    ReferralStatus,
    ReferralTransition,
)
from agencies.services import (
    agency_accept,
    agency_discontinue,
    programme_adopt,
    programme_discontinue,
    referral_create,
    referral_transition,
)
from audit.models import AuditEvent
from tests.factories import AgencyFactory, OffenderFactory, ProgrammeFactory
from workflow.transitions import ConcurrentChange, TransitionNotAllowed

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def steps(rows) -> list[tuple[str, str]]:
    return list(rows.order_by("id").values_list("from_status", "to_status"))


def test_accepting_adopting_and_referring_record_the_first_status(admin_support, probation_officer, office):
    agency = agency_accept(actor=admin_support, name="Te Whare Oranga", accepted_on=today())
    programme = programme_adopt(actor=admin_support, agency=agency, name="Drug treatment", adopted_on=today())
    referral = referral_create(
        actor=probation_officer,
        offender=OffenderFactory(home_office=office),
        programme=programme,
        referred_on=today(),
    )

    assert steps(agency.transitions) == [("", AgencyStatus.ACCEPTED)]
    assert steps(programme.transitions) == [("", ProgrammeStatus.ADOPTED)]
    assert steps(referral.transitions) == [("", ReferralStatus.REFERRED)]
    assert referral.transitions.get().actor == probation_officer


def test_discontinuing_an_agency_is_a_step_of_it_and_of_each_programme(admin_support):
    agency = AgencyFactory(accepted_on=today() - datetime.timedelta(days=30))
    programme = ProgrammeFactory(agency=agency, adopted_on=today() - datetime.timedelta(days=20))

    agency_discontinue(actor=admin_support, agency=agency, on=today(), reason="Funding ended")

    [step] = AgencyTransition.objects.filter(agency=agency)
    assert (step.from_status, step.to_status, step.actor, step.comment) == (
        AgencyStatus.ACCEPTED,
        AgencyStatus.DISCONTINUED,
        admin_support,
        "Funding ended",
    )
    [programme_step] = ProgrammeTransition.objects.filter(programme=programme)
    assert programme_step.to_status == ProgrammeStatus.DISCONTINUED
    assert programme_step.comment == "Agency discontinued: Funding ended"


def test_an_agency_discontinued_by_someone_else_while_open_is_refused_and_nothing_changes(admin_support):
    agency = AgencyFactory()
    stale = Agency.objects.get(pk=agency.pk)
    agency_discontinue(actor=admin_support, agency=agency, on=today(), reason="Closed")
    rows, audits = AgencyTransition.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ConcurrentChange, match="Someone else changed this agency .* it is now discontinued"):
        agency_discontinue(actor=admin_support, agency=stale, on=today(), reason="Closed as well")

    agency.refresh_from_db()
    assert (agency.status, agency.discontinued_reason) == (AgencyStatus.DISCONTINUED, "Closed")
    assert (AgencyTransition.objects.count(), AuditEvent.objects.count()) == (rows, audits)


def test_a_programme_discontinued_by_someone_else_while_open_is_refused_and_nothing_changes(admin_support):
    programme = ProgrammeFactory()
    stale = Programme.objects.get(pk=programme.pk)
    programme_discontinue(actor=admin_support, programme=programme, on=today(), reason="Ended")
    rows, audits = ProgrammeTransition.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ConcurrentChange, match="changed this programme .* it is now discontinued"):
        programme_discontinue(actor=admin_support, programme=stale, on=today(), reason="Ended too")

    programme.refresh_from_db()
    assert (programme.status, programme.discontinued_reason) == (ProgrammeStatus.DISCONTINUED, "Ended")
    assert (ProgrammeTransition.objects.count(), AuditEvent.objects.count()) == (rows, audits)


def test_a_discontinued_agency_or_programme_is_not_taken_back(admin_support):
    agency = AgencyFactory(status=AgencyStatus.DISCONTINUED, discontinued_on=today())
    programme = ProgrammeFactory(status=ProgrammeStatus.DISCONTINUED, discontinued_on=today())

    with pytest.raises(TransitionNotAllowed, match="An agency that is discontinued cannot become accepted"):
        AGENCY_WORKFLOW.move(agency, to=AgencyStatus.ACCEPTED, actor=admin_support)
    with pytest.raises(TransitionNotAllowed, match="A programme that is discontinued cannot become adopted"):
        PROGRAMME_WORKFLOW.move(programme, to=ProgrammeStatus.ADOPTED, actor=admin_support)

    assert Agency.objects.get(pk=agency.pk).status == AgencyStatus.DISCONTINUED
    assert Programme.objects.get(pk=programme.pk).status == ProgrammeStatus.DISCONTINUED
    assert not AgencyTransition.objects.exists() and not ProgrammeTransition.objects.exists()


@pytest.fixture
def referral(probation_officer, office):
    return referral_create(
        actor=probation_officer,
        offender=OffenderFactory(home_office=office),
        programme=ProgrammeFactory(capacity=None),
        referred_on=today() - datetime.timedelta(days=3),
    )


def test_a_referral_step_writes_its_transition_row_with_the_note(referral, probation_officer):
    referral_transition(
        actor=probation_officer, referral=referral, to_status=ReferralStatus.ACCEPTED, on=today()
    )
    referral_transition(
        actor=probation_officer,
        referral=referral,
        to_status=ReferralStatus.NOT_COMPLETED,
        on=today(),
        note="Moved out of the area",
    )

    assert steps(referral.transitions) == [
        ("", ReferralStatus.REFERRED),
        (ReferralStatus.REFERRED, ReferralStatus.ACCEPTED),
        (ReferralStatus.ACCEPTED, ReferralStatus.NOT_COMPLETED),
    ]
    assert referral.transitions.order_by("id").last().comment == "Moved out of the area"
    audit = (
        AuditEvent.objects.filter(object_type="agencies.Referral", object_id=str(referral.pk))
        .order_by("id")
        .last()
    )
    assert audit.changes["status"] == [ReferralStatus.ACCEPTED, ReferralStatus.NOT_COMPLETED]
    assert audit.offender_id == referral.offender_id


def test_a_referral_step_from_a_status_someone_else_changed_is_refused_and_nothing_changes(
    referral, probation_officer
):
    stale = Referral.objects.get(pk=referral.pk)
    referral_transition(
        actor=probation_officer, referral=referral, to_status=ReferralStatus.WITHDRAWN, on=today()
    )
    rows, audits = ReferralTransition.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ConcurrentChange, match="Someone else changed this referral .* it is now withdrawn"):
        REFERRAL_WORKFLOW.move(stale, to=ReferralStatus.ACCEPTED, actor=probation_officer)

    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.WITHDRAWN
    assert (ReferralTransition.objects.count(), AuditEvent.objects.count()) == (rows, audits)


def test_the_referral_map_is_enforced_by_the_workflow(referral, probation_officer):
    referral = referral_transition(
        actor=probation_officer, referral=referral, to_status=ReferralStatus.DECLINED, on=today()
    )

    with pytest.raises(TransitionNotAllowed, match="A referral that is declined by provider cannot become"):
        REFERRAL_WORKFLOW.move(referral, to=ReferralStatus.ACCEPTED, actor=probation_officer)

    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DECLINED
    assert referral.transitions.count() == 2
