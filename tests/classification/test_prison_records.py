"""The services that record and correct the prison records the Review Security Classification reads
(seed 003: "IOMS is used as the principal source for information required for this form"): who may
record them, the audit row, the casenote and the PrisonRecordChanged event each writes, bad input
changing nothing, and corrections that always carry a reason."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from classification import records
from classification.models import (
    AtRiskAlert,
    ClassificationKind,
    CorrectionsActStatus,
    EscapeCustody,
    EscapeEvent,
    EscapeKind,
    HealthStabilityAssessment,
    IncidentReport,
    IncidentType,
    PoliceInformation,
    RemovalKind,
    RemovalOrder,
    ReviewSchedule,
    ScheduleBasis,
    SecurityClassification,
)
from classification.schedule import schedule_refresh
from classification.services import security_classification_record
from events.models import OutboxEvent
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import (
    AtRiskAlertFactory,
    RemovalOrderFactory,
    days_ago,
    prison_sentence,
    today,
)
from tests.factories import ConvictionFactory, OffenderFactory, OfficeFactory, staff_user

pytestmark = pytest.mark.django_db

TOMORROW = datetime.timedelta(days=1)


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON, name="Arohata Prison", code="ARO01")


@pytest.fixture
def community(db):
    return OfficeFactory(name="Porirua Community Corrections", code="POR01")


@pytest.fixture
def inmate(prison, community):
    """A prisoner serving a sentence managed by `prison`, home office `community`, classified B/B
    100 days ago."""
    offender = OffenderFactory(home_office=community)
    ConvictionFactory(sentence=prison_sentence(offender=offender, managing_office=prison))
    security_classification_record(
        actor=None,
        offender=offender,
        kind=ClassificationKind.INITIAL,
        internal_category="B",
        external_category="B",
        effective_on=days_ago(100),
    )
    return offender


@pytest.fixture
def officer(prison):
    return staff_user(Role.PRISON_OFFICER, prison)


# slug -> (service, good input, bad input and the field it names, the model)
KINDS = {
    "incidents": (
        records.incident_record,
        {
            "occurred_on": days_ago(5),
            "incident_type": IncidentType.INTERACTION,
            "violence_related": True,
            "corrections_act": CorrectionsActStatus.CHARGED,
            "charge_laid_on": days_ago(4),
            "description": "Struck another prisoner in the yard",
        },
        (
            {"occurred_on": days_ago(5), "incident_type": IncidentType.OTHER, "corrections_act": "proven"},
            "charge_laid_on",
        ),
        IncidentReport,
    ),
    "escapes": (
        records.escape_record,
        {
            "kind": EscapeKind.ESCAPE,
            "custody": EscapeCustody.PRISON,
            "occurred_on": days_ago(30),
            "convicted_on": days_ago(3),
        },
        (
            {"kind": EscapeKind.ESCAPE, "custody": EscapeCustody.PRISON, "occurred_on": today() + TOMORROW},
            "occurred_on",
        ),
        EscapeEvent,
    ),
    "at-risk-alerts": (
        records.at_risk_alert_raise,
        {"raised_on": days_ago(2), "reason": "Self-harm threats"},
        ({"raised_on": today() + TOMORROW}, "raised_on"),
        AtRiskAlert,
    ),
    "stability-assessments": (
        records.stability_assessment_record,
        {"assessed_on": days_ago(1), "stability": "U", "medical_opinion": True},
        ({"assessed_on": days_ago(1), "stability": "U", "medical_opinion": False}, "stability"),
        HealthStabilityAssessment,
    ),
    "removal-orders": (
        records.removal_order_record,
        {"kind": RemovalKind.DEPORTATION, "made_on": days_ago(10)},
        ({"kind": "banishment", "made_on": days_ago(10)}, "kind"),
        RemovalOrder,
    ),
    "police-information": (
        records.police_information_record,
        {"level": "H", "received_on": days_ago(7)},
        ({"level": "X", "received_on": days_ago(7)}, "level"),
        PoliceInformation,
    ),
}


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_staff_of_the_prisoners_prison_record_each_kind_with_audit_casenote_and_event(
    slug, inmate, officer, django_capture_on_commit_callbacks
):
    service, data, _, model = KINDS[slug]

    with django_capture_on_commit_callbacks(execute=True):
        record = service(actor=officer, offender=inmate, **data)

    assert model.objects.get(offender=inmate) == record
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, actor=officer, object_type=model._meta.label, object_id=str(record.pk)
    ).exists()
    event = OutboxEvent.objects.get(event_type="PrisonRecordChanged", offender_id=inmate.pk)
    assert event.payload["record_label"] == model._meta.label
    assert event.payload["record_id"] == record.pk
    assert event.payload["action"] == "recorded"
    note = Casenote.objects.get(offender=inmate, summary=event.payload["summary"])
    assert note.summary.endswith("recorded")
    # Seed 003: a review "whenever there is a significant change in the prisoner's circumstances";
    # every kind is one, through its event, as soon as it is committed (the regular review of the
    # inmate's 4-year sentence is still months away).
    schedule = ReviewSchedule.objects.get(offender=inmate)
    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.CHANGE, today())
    assert (schedule.trigger_label, schedule.trigger_pk) == (model._meta.label, record.pk)


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_a_probation_officer_and_a_prison_officer_of_another_prison_may_not_record(slug, inmate, community):
    service, data, _, model = KINDS[slug]
    elsewhere = OfficeFactory(kind=OfficeKind.PRISON)

    for stranger in (
        staff_user(Role.PROBATION_OFFICER, community),
        staff_user(Role.PRISON_OFFICER, elsewhere),
    ):
        with pytest.raises(PermissionDenied):
            service(actor=stranger, offender=inmate, **data)

    assert not model.objects.exists()
    assert not OutboxEvent.objects.filter(event_type="PrisonRecordChanged").exists()


@pytest.mark.parametrize("slug", sorted(KINDS))
def test_bad_input_is_refused_field_by_field_and_changes_nothing(slug, inmate, officer):
    service, _, (bad, field), model = KINDS[slug]

    with pytest.raises(ValidationError) as refused:
        service(actor=officer, offender=inmate, **bad)

    assert field in refused.value.message_dict
    assert not model.objects.exists()
    assert not Casenote.objects.filter(offender=inmate).exists()
    assert not OutboxEvent.objects.filter(event_type="PrisonRecordChanged").exists()


def test_unstable_is_used_only_on_a_medical_opinion(inmate, officer):
    """Seed 003, A.3.1: "U (Unstable) is used ONLY if medical opinion indicates the prisoner poses a
    risk. In all other situations, S (Stable) is used." The refusal is a message, not a database
    error."""
    with pytest.raises(ValidationError) as refused:
        records.stability_assessment_record(
            actor=officer, offender=inmate, assessed_on=days_ago(1), stability="U"
        )

    assert "medical opinion" in refused.value.message_dict["stability"][0]


@pytest.mark.parametrize(
    ("status", "laid", "proven", "field"),
    [
        (CorrectionsActStatus.NONE, 3, None, "charge_laid_on"),
        (CorrectionsActStatus.CHARGED, None, None, "charge_laid_on"),
        (CorrectionsActStatus.CHARGED, 3, 2, "proven_on"),
        (CorrectionsActStatus.PROVEN, 3, None, "proven_on"),
        (CorrectionsActStatus.PROVEN, 3, 4, "proven_on"),
        (CorrectionsActStatus.CHARGED, 6, None, "charge_laid_on"),
        (CorrectionsActStatus.CHARGED, -1, None, "charge_laid_on"),
    ],
)
def test_a_misconduct_charge_needs_dates_that_match_its_status(inmate, officer, status, laid, proven, field):
    """Seed 003, A.4.3/A.4.4 count "convictions and charges ... in the last 3 months": the charge is
    dated by the day it was laid and the day it was proven, neither before the incident nor in the
    future."""
    with pytest.raises(ValidationError) as refused:
        records.incident_record(
            actor=officer,
            offender=inmate,
            occurred_on=days_ago(5),
            incident_type=IncidentType.PRISON_RULES,
            corrections_act=status,
            charge_laid_on=None if laid is None else days_ago(laid),
            proven_on=None if proven is None else days_ago(proven),
        )

    assert field in refused.value.message_dict
    assert not IncidentReport.objects.exists()


def test_a_proven_misconduct_charge_is_recorded_with_both_dates(inmate, officer):
    incident = records.incident_record(
        actor=officer,
        offender=inmate,
        occurred_on=days_ago(120),
        incident_type=IncidentType.PRISON_RULES,
        corrections_act=CorrectionsActStatus.PROVEN,
        charge_laid_on=days_ago(100),
        proven_on=days_ago(20),
    )

    assert (incident.charge_laid_on, incident.proven_on) == (days_ago(100), days_ago(20))
    assert incident.prison_id == officer.staff.office_id


def test_an_escape_raises_the_escape_alert_and_says_so_in_plain_words(inmate, officer):
    records.escape_record(
        actor=officer,
        offender=inmate,
        kind=EscapeKind.ATTEMPT,
        custody=EscapeCustody.POLICE,
        occurred_on=datetime.date(2026, 3, 3),
    )

    event = OutboxEvent.objects.get(event_type="PrisonRecordChanged")
    assert event.payload["summary"] == "Attempted escape from police custody on 3 Mar 2026 recorded"
    assert "Date of incident: 3 Mar 2026" in event.payload["detail"]
    assert inmate.flags.filter(kind="escape", ended_on__isnull=True).count() == 1


def test_the_casenote_of_police_information_never_names_the_source(inmate, officer):
    """Seed 003, B.4.3: the assessment "will not contain details of the source or the information"."""
    records.police_information_record(
        actor=officer,
        offender=inmate,
        level="M",
        received_on=days_ago(2),
        source=PoliceInformation.Source.CRIME_PREVENTION,
    )

    note = Casenote.objects.get(offender=inmate)
    assert "Crime Prevention" not in note.summary + note.text
    assert "Moderate" not in note.text, "the casenote of a sensitive record carries none of its values"


def test_an_at_risk_alert_is_ended_once_and_not_before_it_was_raised(inmate, officer):
    alert = records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(10))

    with pytest.raises(ValidationError) as early:
        records.at_risk_alert_end(actor=officer, alert=alert, ended_on=days_ago(11))
    assert "ended_on" in early.value.message_dict
    records.at_risk_alert_end(actor=officer, alert=alert, ended_on=days_ago(1))
    with pytest.raises(ValidationError):
        records.at_risk_alert_end(actor=officer, alert=alert, ended_on=today())

    alert.refresh_from_db()
    assert alert.ended_on == days_ago(1)
    ended = OutboxEvent.objects.filter(event_type="PrisonRecordChanged", payload__action="ended")
    assert ended.count() == 1


def test_a_removal_order_is_revoked_by_staff_of_the_prison_only(inmate, officer, community):
    order = records.removal_order_record(
        actor=officer, offender=inmate, kind=RemovalKind.EXTRADITION, made_on=days_ago(30)
    )

    with pytest.raises(PermissionDenied):
        records.removal_order_revoke(
            actor=staff_user(Role.PROBATION_OFFICER, community), order=order, revoked_on=days_ago(1)
        )
    records.removal_order_revoke(actor=officer, order=order, revoked_on=days_ago(1))

    order.refresh_from_db()
    assert order.revoked_on == days_ago(1)


def test_ending_an_at_risk_alert_is_refused_outside_the_prison(inmate, officer, community):
    alert = records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(10))

    for stranger in (
        staff_user(Role.PROBATION_OFFICER, community),
        staff_user(Role.PRISON_OFFICER, OfficeFactory(kind=OfficeKind.PRISON)),
    ):
        with pytest.raises(PermissionDenied):
            records.at_risk_alert_end(actor=stranger, alert=alert, ended_on=days_ago(1))

    alert.refresh_from_db()
    assert alert.ended_on is None
    assert not OutboxEvent.objects.filter(event_type="PrisonRecordChanged", payload__action="ended").exists()


# --- corrections ------------------------------------------------------------------------------------


def test_a_correction_changes_the_fields_audits_them_and_publishes_the_reason(
    inmate, officer, django_capture_on_commit_callbacks
):
    incident = records.incident_record(
        actor=officer, offender=inmate, occurred_on=days_ago(5), incident_type=IncidentType.OTHER
    )

    with django_capture_on_commit_callbacks(execute=True):
        changes = records.prison_record_correct(
            actor=officer,
            record=incident,
            changes={
                "corrections_act": CorrectionsActStatus.CHARGED,
                "charge_laid_on": days_ago(2),
                "violence_related": True,
            },
            reason="The misconduct report was filed after the incident report",
        )

    incident.refresh_from_db()
    assert incident.corrections_act == CorrectionsActStatus.CHARGED
    assert set(changes) == {"corrections_act", "charge_laid_on", "violence_related"}
    update = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="classification.IncidentReport")
    assert "misconduct report was filed" in update.summary
    event = OutboxEvent.objects.get(event_type="PrisonRecordChanged", payload__action="corrected")
    assert "Reason: The misconduct report was filed" in event.payload["detail"]
    note = Casenote.objects.get(offender=inmate, summary=event.payload["summary"])
    assert "Not charged → Charged under the Corrections Act" in note.text


def test_a_correction_without_a_reason_changes_nothing(inmate, officer):
    escape = records.escape_record(
        actor=officer,
        offender=inmate,
        kind=EscapeKind.ESCAPE,
        custody=EscapeCustody.PRISON,
        occurred_on=days_ago(9),
    )

    with pytest.raises(ValidationError) as refused:
        records.prison_record_correct(
            actor=officer, record=escape, changes={"convicted_on": days_ago(2)}, reason="  "
        )

    assert "reason" in refused.value.message_dict
    escape.refresh_from_db()
    assert escape.convicted_on is None
    assert not AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="classification.EscapeEvent"
    ).exists()


def test_a_correction_keeps_the_rules_of_the_record(inmate, officer):
    assessment = records.stability_assessment_record(
        actor=officer, offender=inmate, assessed_on=days_ago(3), stability="U", medical_opinion=True
    )

    with pytest.raises(ValidationError) as refused:
        records.prison_record_correct(
            actor=officer, record=assessment, changes={"medical_opinion": False}, reason="Opinion withdrawn"
        )

    assert "stability" in refused.value.message_dict
    assessment.refresh_from_db()
    assert assessment.medical_opinion is True


def test_a_correction_by_someone_outside_the_prison_is_refused(inmate, officer, community):
    alert = records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(3))

    with pytest.raises(PermissionDenied):
        records.prison_record_correct(
            actor=staff_user(Role.PROBATION_OFFICER, community),
            record=alert,
            changes={"raised_on": days_ago(4)},
            reason="Wrong day",
        )

    alert.refresh_from_db()
    assert alert.raised_on == days_ago(3)


@pytest.mark.parametrize(
    ("make", "change", "summary"),
    [
        (
            lambda inmate: AtRiskAlertFactory(offender=inmate, raised_on=days_ago(6)),
            lambda officer, alert: records.prison_record_correct(
                actor=officer, record=alert, changes={"raised_on": days_ago(7)}, reason="Per the penal file"
            ),
            "At Risk alert of {day} corrected",
        ),
        (
            lambda inmate: RemovalOrderFactory(offender=inmate, made_on=days_ago(6)),
            lambda officer, order: records.removal_order_revoke(
                actor=officer, order=order, revoked_on=days_ago(1)
            ),
            "revoked on {day}",
        ),
    ],
    ids=["corrected", "ended"],
)
def test_a_correction_or_an_end_makes_the_review_due_as_soon_as_it_is_committed(
    inmate, officer, make, change, summary, django_capture_on_commit_callbacks
):
    """Seed 003: a review "whenever there is a significant change in the prisoner's
    circumstances". A record loaded without an event (an At Risk alert, a removal order) is no
    change; putting it right or ending it through its service is, through PrisonRecordChanged."""
    record = make(inmate)
    schedule_refresh(offender_ids=[inmate.pk])
    assert ReviewSchedule.objects.get(offender=inmate).basis == ScheduleBasis.REGULAR

    with django_capture_on_commit_callbacks(execute=True):
        change(officer, record)

    schedule = ReviewSchedule.objects.get(offender=inmate)
    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.CHANGE, today())
    assert (schedule.trigger_label, schedule.trigger_pk) == (record._meta.label, record.pk)
    day = days_ago(7) if "corrected" in summary else days_ago(1)
    assert summary.format(day=records.day_label(day)) in schedule.reason


# --- the initial classification ------------------------------------------------------------------


def test_the_initial_classification_is_recorded_at_reception_once(
    prison, officer, community, django_capture_on_commit_callbacks
):
    """Seed 003: the review form "must not be used for an initial classification"; once there is a
    classification, a review is the way to change it."""
    received = OffenderFactory(home_office=community)
    prison_sentence(offender=received, managing_office=prison)  # 4 years: reviewed every 6 months
    schedule_refresh(offender_ids=[received.pk])
    assert ReviewSchedule.objects.get(offender=received).basis == ScheduleBasis.NONE

    with django_capture_on_commit_callbacks(execute=True):
        classification = records.initial_classification_record(
            actor=officer,
            offender=received,
            internal_category="A",
            external_category="B",
            effective_on=today(),
        )

    assert (classification.kind, classification.recorded_by) == (ClassificationKind.INITIAL, officer)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        actor=officer,
        object_type="classification.SecurityClassification",
        object_id=str(classification.pk),
    ).exists()
    # The reviews are now scheduled from it, and its own event is not a change after itself.
    schedule = ReviewSchedule.objects.get(offender=received)
    assert (schedule.basis, schedule.due_on) == (ScheduleBasis.REGULAR, today() + relativedelta(months=6))
    assert schedule.counted_from == classification
    assert OutboxEvent.objects.filter(
        event_type="PrisonRecordChanged", payload__record_label="classification.SecurityClassification"
    ).exists()
    assert Casenote.objects.filter(
        offender=received, summary__startswith="Initial security classification"
    ).exists()
    with pytest.raises(ValidationError, match="start a review"):
        records.initial_classification_record(
            actor=officer,
            offender=received,
            internal_category="B",
            external_category="B",
            effective_on=today(),
        )
    assert SecurityClassification.objects.filter(offender=received).count() == 1


@pytest.mark.parametrize(
    "where", ["probation officer of the home office", "prison officer of another prison"]
)
def test_an_initial_classification_is_refused_outside_the_prison(where, prison, community):
    received = OffenderFactory(home_office=community)
    prison_sentence(offender=received, managing_office=prison)
    if where.startswith("probation"):
        stranger = staff_user(Role.PROBATION_OFFICER, community)
    else:
        stranger = staff_user(Role.PRISON_OFFICER, OfficeFactory(kind=OfficeKind.PRISON))

    with pytest.raises(PermissionDenied):
        records.initial_classification_record(
            actor=stranger,
            offender=received,
            internal_category="B",
            external_category="B",
            effective_on=today(),
        )

    assert not SecurityClassification.objects.filter(offender=received).exists()
    assert not OutboxEvent.objects.filter(event_type="PrisonRecordChanged").exists()


def test_an_initial_classification_cannot_take_effect_in_the_future(prison, officer, community):
    received = OffenderFactory(home_office=community)
    prison_sentence(offender=received, managing_office=prison)

    with pytest.raises(ValidationError) as refused:
        records.initial_classification_record(
            actor=officer,
            offender=received,
            internal_category="A",
            external_category="A",
            effective_on=today() + TOMORROW,
        )

    assert "effective_on" in refused.value.message_dict
    assert not SecurityClassification.objects.filter(offender=received).exists()


# --- health and intelligence records stay with the prisoner's prison ----------------------------
# Their casenotes (which every member of staff who may see the offender can read) say only what was
# recorded; the Health Services note, the At Risk reason and the source of Police information are
# shown only to staff who may record them; opening a record to correct or end it is audited.


def test_the_casenote_of_a_health_assessment_carries_neither_the_result_nor_the_note(inmate, officer):
    records.stability_assessment_record(
        actor=officer,
        offender=inmate,
        assessed_on=days_ago(1),
        stability="U",
        medical_opinion=True,
        note="Psychiatric review: hearing voices",
    )

    note = Casenote.objects.get(offender=inmate)
    assert "voices" not in note.summary + note.text
    assert "Unstable" not in note.summary + note.text
    assert "Health stability assessment" in note.summary


def test_the_casenote_of_an_at_risk_alert_and_its_correction_carry_no_reason(inmate, officer):
    alert = records.at_risk_alert_raise(
        actor=officer, offender=inmate, raised_on=days_ago(3), reason="Self-harm threats on the unit"
    )
    records.prison_record_correct(
        actor=officer,
        record=alert,
        changes={"reason": "Threats of self-harm"},
        reason="Wording of the threat",
    )

    texts = " ".join(note.summary + " " + note.text for note in Casenote.objects.filter(offender=inmate))
    assert "harm" not in texts and "threat" not in texts.lower()


def test_the_casenote_of_police_information_names_neither_source_nor_level(inmate, officer):
    records.police_information_record(
        actor=officer,
        offender=inmate,
        level="H",
        received_on=days_ago(2),
        source=PoliceInformation.Source.CRIME_PREVENTION,
    )

    note = Casenote.objects.get(offender=inmate)
    assert "Crime Prevention" not in note.summary + note.text
    assert "High" not in note.summary + note.text


def test_a_service_manager_of_the_home_office_reading_the_list_does_not_see_the_health_note_or_at_risk_reason(
    client,
    inmate,
    officer,
    community,
):
    records.stability_assessment_record(
        actor=officer, offender=inmate, assessed_on=days_ago(1), stability="S", note="Settled on the unit"
    )
    records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(3), reason="Low mood")
    url = reverse("classification:prison_records", kwargs={"offender_id": inmate.pk})

    client.force_login(officer)
    own = client.get(url).content.decode()
    assert "Settled on the unit" in own and "Low mood" in own

    client.force_login(staff_user(Role.SERVICE_MANAGER, community))
    response = client.get(url)
    assert response.status_code == 200, "the home office's manager may read the prisoner's records"
    page = response.content.decode()
    assert "Settled on the unit" not in page and "Low mood" not in page


def test_opening_a_record_to_correct_it_is_audited_as_a_view(client, inmate, officer):
    alert = records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(3))
    client.force_login(officer)
    before = AuditEvent.objects.filter(actor=officer, action=AuditAction.VIEW, offender=inmate).count()

    url = reverse(
        "classification:prison_record_correct",
        kwargs={"offender_id": inmate.pk, "kind": "at-risk-alerts", "pk": alert.pk},
    )
    assert client.get(url).status_code == 200

    assert (
        AuditEvent.objects.filter(actor=officer, action=AuditAction.VIEW, offender=inmate).count()
        == before + 1
    )
