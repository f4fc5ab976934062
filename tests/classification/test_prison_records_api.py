"""The prison records over the API (/api/v1/classification/prisoners/<id>/<kind>/): the same
services and access rules as the pages. Staff of the prisoner's prison record and correct; those who
may read the classification list; others are refused 403 (audited); bad input is a 400 naming the
fields, changing nothing."""

import pytest
from rest_framework.test import APIClient

from audit.models import AuditAction, AuditEvent
from casenotes.models import Casenote
from classification import records
from classification.models import (
    AtRiskAlert,
    ClassificationKind,
    EscapeEvent,
    HealthStabilityAssessment,
    IncidentReport,
    PoliceInformation,
    RemovalOrder,
    SecurityClassification,
)
from classification.services import security_classification_record
from events.models import OutboxEvent
from staff.models import OfficeKind
from staff.roles import Role
from tests.classification.factories import days_ago, prison_sentence, today
from tests.factories import ConvictionFactory, OffenderFactory, OfficeFactory, staff_user

pytestmark = pytest.mark.django_db

# slug -> (good body, model, bad body and the field it names)
BODIES = {
    "incidents": (
        {
            "occurred_on": str(days_ago(6)),
            "incident_type": "interaction",
            "corrections_act": "charged",
            "charge_laid_on": str(days_ago(5)),
            "violence_related": True,
        },
        IncidentReport,
        (
            {"occurred_on": str(days_ago(6)), "incident_type": "interaction", "proven_on": str(days_ago(1))},
            "proven_on",
        ),
    ),
    "escapes": (
        {"kind": "attempt", "custody": "police", "occurred_on": str(days_ago(50))},
        EscapeEvent,
        ({"kind": "attempt", "custody": "prison", "occurred_on": "2999-01-01"}, "occurred_on"),
    ),
    "at-risk-alerts": (
        {"raised_on": str(days_ago(3)), "reason": "Disclosed self-harm"},
        AtRiskAlert,
        ({"reason": "No date"}, "raised_on"),
    ),
    "stability-assessments": (
        {"assessed_on": str(days_ago(2)), "stability": "S"},
        HealthStabilityAssessment,
        ({"assessed_on": str(days_ago(2)), "stability": "U", "medical_opinion": False}, "stability"),
    ),
    "removal-orders": (
        {"kind": "deportation", "made_on": str(days_ago(20))},
        RemovalOrder,
        ({"kind": "deportation"}, "made_on"),
    ),
    "police-information": (
        {"level": "M", "received_on": str(days_ago(1)), "source": "crime_prevention"},
        PoliceInformation,
        ({"level": "Z", "received_on": str(days_ago(1))}, "level"),
    ),
}


@pytest.fixture
def prison(db):
    return OfficeFactory(kind=OfficeKind.PRISON, name="Spring Hill Corrections Facility", code="SHC01")


@pytest.fixture
def inmate(prison):
    offender = OffenderFactory(home_office=prison)
    ConvictionFactory(sentence=prison_sentence(offender=offender, managing_office=prison))
    security_classification_record(
        actor=None,
        offender=offender,
        kind=ClassificationKind.INITIAL,
        internal_category="A",
        external_category="A",
        effective_on=days_ago(30),
    )
    return offender


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def url(offender, slug, *rest) -> str:
    return "/".join([f"/api/v1/classification/prisoners/{offender.pk}", slug, *map(str, rest)]) + "/"


@pytest.mark.parametrize("slug", sorted(BODIES))
def test_a_prison_officer_records_and_lists_each_kind(
    slug, prison, inmate, django_capture_on_commit_callbacks
):
    body, model, _ = BODIES[slug]
    officer = staff_user(Role.PRISON_OFFICER, prison)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(officer).post(url(inmate, slug), body, format="json")

    assert response.status_code == 201, response.json()
    record = model.objects.get(offender=inmate)
    assert response.json()["id"] == record.pk
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, actor=officer, object_id=str(record.pk)
    ).exists()
    event = OutboxEvent.objects.get(event_type="PrisonRecordChanged", payload__record_id=record.pk)
    assert Casenote.objects.filter(offender=inmate, summary=event.payload["summary"]).exists()
    listed = client_of(officer).get(url(inmate, slug)).json()
    assert [row["id"] for row in listed["results"]] == [record.pk]


@pytest.mark.parametrize("slug", sorted(BODIES))
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(slug, prison, inmate):
    _, model, (bad, field) = BODIES[slug]

    response = client_of(staff_user(Role.PRISON_OFFICER, prison)).post(url(inmate, slug), bad, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not model.objects.exists()


@pytest.mark.parametrize(
    "where", ["probation officer at the home office", "prison officer of another prison"]
)
def test_others_are_refused_403_and_audited(where, prison, inmate):
    if where.startswith("probation"):
        user = staff_user(Role.PROBATION_OFFICER, prison)
    else:
        user = staff_user(Role.PRISON_OFFICER, OfficeFactory(kind=OfficeKind.PRISON))
    body, _, _ = BODIES["escapes"]

    response = client_of(user).post(url(inmate, "escapes"), body, format="json")

    assert response.status_code == 403
    assert not EscapeEvent.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=user).exists()


@pytest.mark.parametrize(
    "where", ["probation officer at the home office", "prison officer of another prison"]
)
def test_others_are_refused_correcting_ending_and_the_initial_classification_403_and_audited(
    where, prison, inmate
):
    officer = staff_user(Role.PRISON_OFFICER, prison)
    alert = records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(8))
    received = OffenderFactory(home_office=prison)
    prison_sentence(offender=received, managing_office=prison)
    if where.startswith("probation"):
        user = staff_user(Role.PROBATION_OFFICER, prison)
    else:
        user = staff_user(Role.PRISON_OFFICER, OfficeFactory(kind=OfficeKind.PRISON))
    api = client_of(user)

    corrected = api.patch(
        url(inmate, "at-risk-alerts", alert.pk),
        {"raised_on": str(days_ago(9)), "correction_reason": "Wrong day"},
        format="json",
    )
    ended = api.post(
        url(inmate, "at-risk-alerts", alert.pk, "end"), {"ended_on": str(today())}, format="json"
    )
    classified = api.post(
        f"/api/v1/classification/prisoners/{received.pk}/initial-classification/",
        {"internal_category": "B", "external_category": "B", "effective_on": str(today())},
        format="json",
    )

    assert (corrected.status_code, ended.status_code, classified.status_code) == (403, 403, 403)
    alert.refresh_from_db()
    assert (alert.raised_on, alert.ended_on) == (days_ago(8), None)
    assert not SecurityClassification.objects.filter(offender=received).exists()
    assert OutboxEvent.objects.filter(event_type="PrisonRecordChanged").count() == 1  # the alert's own
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=user).count() == 3


def test_a_reader_lists_without_the_source_of_police_information_and_the_read_is_audited(prison, inmate):
    officer = staff_user(Role.PRISON_OFFICER, prison)
    records.police_information_record(
        actor=officer, offender=inmate, level="H", received_on=days_ago(4), source="crime_prevention"
    )
    reader = staff_user(Role.PROBATION_OFFICER, prison)

    rows = client_of(reader).get(url(inmate, "police-information")).json()["results"]

    assert rows[0]["level"] == "H" and "source" not in rows[0]
    assert client_of(officer).get(url(inmate, "police-information")).json()["results"][0]["source"] == (
        "crime_prevention"
    )
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, actor=reader, offender_id=inmate.pk).exists()


def test_a_correction_needs_a_reason(prison, inmate):
    officer = staff_user(Role.PRISON_OFFICER, prison)
    escape = records.escape_record(
        actor=officer, offender=inmate, kind="escape", custody="prison", occurred_on=days_ago(90)
    )
    api = client_of(officer)

    refused = api.patch(url(inmate, "escapes", escape.pk), {"convicted_on": str(days_ago(10))}, format="json")
    assert refused.status_code == 400 and "correction_reason" in refused.json()
    escape.refresh_from_db()
    assert escape.convicted_on is None

    response = api.patch(
        url(inmate, "escapes", escape.pk),
        {"convicted_on": str(days_ago(10)), "correction_reason": "Conviction on the CMS history"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["convicted_on"] == str(days_ago(10))
    assert OutboxEvent.objects.filter(payload__action="corrected", payload__record_id=escape.pk).exists()


def test_a_correction_that_breaks_the_records_rules_is_a_400(prison, inmate):
    officer = staff_user(Role.PRISON_OFFICER, prison)
    incident = records.incident_record(
        actor=officer, offender=inmate, occurred_on=days_ago(9), incident_type="other"
    )

    response = client_of(officer).patch(
        url(inmate, "incidents", incident.pk),
        {"corrections_act": "proven", "correction_reason": "Proven at the hearing"},
        format="json",
    )

    assert response.status_code == 400
    assert {"charge_laid_on", "proven_on"} <= set(response.json())


def test_a_record_of_another_prisoner_is_404(prison, inmate):
    officer = staff_user(Role.PRISON_OFFICER, prison)
    alert = records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(2))
    other = OffenderFactory(home_office=prison)
    prison_sentence(offender=other, managing_office=prison)

    response = client_of(officer).patch(
        url(other, "at-risk-alerts", alert.pk),
        {"raised_on": str(days_ago(3)), "correction_reason": "x"},
        format="json",
    )

    assert response.status_code == 404


def test_an_alert_is_ended_and_an_order_revoked(prison, inmate):
    officer = staff_user(Role.PRISON_OFFICER, prison)
    alert = records.at_risk_alert_raise(actor=officer, offender=inmate, raised_on=days_ago(8))
    order = records.removal_order_record(actor=officer, offender=inmate, kind="removal", made_on=days_ago(8))
    api = client_of(officer)

    ended = api.post(
        url(inmate, "at-risk-alerts", alert.pk, "end"), {"ended_on": str(today())}, format="json"
    )
    revoked = api.post(
        url(inmate, "removal-orders", order.pk, "end"), {"revoked_on": str(days_ago(1))}, format="json"
    )

    assert (ended.status_code, ended.json()["ended_on"]) == (200, str(today()))
    assert (revoked.status_code, revoked.json()["revoked_on"]) == (200, str(days_ago(1)))


def test_the_initial_classification_over_the_api(prison):
    received = OffenderFactory(home_office=prison)
    prison_sentence(offender=received, managing_office=prison)
    api = client_of(staff_user(Role.RECOMMENDING_OFFICER, prison))
    endpoint = f"/api/v1/classification/prisoners/{received.pk}/initial-classification/"
    body = {"internal_category": "B", "external_category": "A", "effective_on": str(today())}

    created = api.post(endpoint, body, format="json")
    again = api.post(endpoint, body, format="json")

    assert created.status_code == 201 and created.json()["kind"] == "initial"
    assert again.status_code == 400 and "start a review" in str(again.json())
    assert SecurityClassification.objects.filter(offender=received).count() == 1


def test_the_data_share_reads_and_writes_nothing(prison, inmate):
    share = staff_user(Role.DATA_SHARE, prison)
    api = client_of(share)

    assert api.get(url(inmate, "incidents")).status_code == 403
    assert api.post(url(inmate, "incidents"), BODIES["incidents"][0], format="json").status_code == 403
    assert not IncidentReport.objects.exists()
